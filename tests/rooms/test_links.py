"""Join tokens: stable for one person and version, unreadable when altered; links refused once
expired, counted from the engagement's end as it is when they are opened."""

import time
from datetime import timedelta

import pytest

from tests.factories.rooms import live_engagement, seat
from virtualtrip.rooms.links import JoinLinkInvalid, make_join_token, read_join_token
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.django_db


def test_a_token_is_the_same_each_time_it_is_made(monkeypatch) -> None:
    """The staff page shows the link issued earlier: a token must not depend on when it was made."""
    engagement = live_engagement()
    first = make_join_token(engagement, person_id=7, version=1)
    later = time.time() + 10
    monkeypatch.setattr(time, "time", lambda: later)
    assert make_join_token(engagement, person_id=7, version=1) == first
    assert make_join_token(engagement, person_id=7, version=2) != first


def test_a_token_reads_back_and_refuses_alteration() -> None:
    engagement = live_engagement()
    token = make_join_token(engagement, person_id=7, version=3)
    claim = read_join_token(token)
    assert (claim.engagement_id, claim.person_id, claim.version) == (engagement.pk, 7, 3)
    with pytest.raises(JoinLinkInvalid, match="not one of ours"):
        read_join_token(token[:-2] + "xx")


def test_a_token_made_with_an_expiry_of_its_own_still_reads() -> None:
    """Links sent before expiries followed the engagement carry one (`x`): it is no longer read."""
    from django.core import signing

    from virtualtrip.rooms.links import SALT

    engagement = live_engagement()
    older = signing.Signer(salt=SALT).sign_object({"e": engagement.pk, "u": 7, "v": 2, "x": 0})
    assert read_join_token(older).version == 2


def test_a_link_expires_twelve_hours_after_the_engagement_ends_as_it_is_now() -> None:
    from virtualtrip.rooms.queries import PassRefused, check_pass

    participant = seat(live_engagement(), Role.COUNTERPART)
    engagement = participant.engagement
    after_end = engagement.ends_at + timedelta(hours=12, seconds=1)
    with pytest.raises(PassRefused, match="This link expired on"):
        check_pass(engagement.pk, participant.person_id, 1, "device", claiming=True, now=after_end)
    engagement.ends_at += timedelta(days=3)  # moved later: the link already sent still opens it
    engagement.starts_at += timedelta(days=3)
    engagement.save()
    assert check_pass(engagement.pk, participant.person_id, 1, "device", claiming=True, now=after_end)
