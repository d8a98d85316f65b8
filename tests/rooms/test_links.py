"""Join tokens: stable for one person and version, unreadable when altered, refused once expired."""

import time
from datetime import timedelta

import pytest

from tests.factories.rooms import live_engagement
from virtualtrip.rooms.links import JoinLinkInvalid, make_join_token, read_join_token

pytestmark = pytest.mark.django_db


def test_a_token_is_the_same_each_time_it_is_made(monkeypatch) -> None:
    """The staff page shows the link issued earlier: a token must not depend on when it was made."""
    engagement = live_engagement()
    first = make_join_token(engagement, person_id=7, version=1)
    later = time.time() + 10
    monkeypatch.setattr(time, "time", lambda: later)
    assert make_join_token(engagement, person_id=7, version=1) == first
    assert make_join_token(engagement, person_id=7, version=2) != first


def test_a_token_reads_back_and_refuses_alteration_and_expiry() -> None:
    engagement = live_engagement()
    token = make_join_token(engagement, person_id=7, version=3)
    claim = read_join_token(token)
    assert (claim.engagement_id, claim.person_id, claim.version) == (engagement.pk, 7, 3)
    with pytest.raises(JoinLinkInvalid, match="not one of ours"):
        read_join_token(token[:-2] + "xx")
    with pytest.raises(JoinLinkInvalid, match="expired"):
        read_join_token(token, now=claim.expires_at + timedelta(seconds=1))
