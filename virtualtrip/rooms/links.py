"""Personal join links: signed, expiring, bound to one person and one engagement.

The token carries the ids and the link's version; the signature (Django's signing, keyed by
SECRET_KEY) makes it unforgeable, and the version lets a planner re-issue a link so the old one stops
working. The expiry follows the engagement's end as it is when the link is opened, not as it was when
the link was sent: an engagement moved later keeps the links already in people's hands (older tokens
carry an expiry of their own, `x`, which is no longer read).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from virtualtrip.trips.models import Engagement

SALT = "virtualtrip.rooms.join"
FIRST_VERSION = 1
"""A participant's link before anyone re-issues it (JoinPass.version starts there)."""


@dataclass(frozen=True)
class JoinClaim:
    engagement_id: int
    person_id: int
    version: int


class JoinLinkInvalid(Exception):
    """The link cannot open a room; the message says why, in words for the person holding it."""


def link_expiry(engagement: Engagement) -> datetime:
    return engagement.ends_at + timedelta(hours=settings.JOIN_LINK_VALID_AFTER_END_HOURS)


def make_join_token(engagement: Engagement, person_id: int, version: int) -> str:
    """The same person, engagement and version always give the same token, so a link shown twice is
    the same link (a timestamped signature would change it every second), and so is a link whose
    engagement moved."""
    payload = {"e": engagement.pk, "u": person_id, "v": version}
    return signing.Signer(salt=SALT).sign_object(payload)


def join_link_path(engagement: Engagement, person_id: int, version: int) -> str:
    return reverse("rooms:join", args=[make_join_token(engagement, person_id, version)])


def read_join_token(token: str) -> JoinClaim:
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
        claim = JoinClaim(int(data["e"]), int(data["u"]), int(data["v"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise JoinLinkInvalid(
            _(
                "This link is not one of ours: it may be incomplete or altered. "
                "Open the link exactly as you received it."
            )
        ) from None
    return claim


def expiry_message(engagement: Engagement) -> str:
    """Why a link to `engagement` no longer opens it: the day and time it expired, in UTC."""
    expires_at = link_expiry(engagement)
    # The date as the page's language writes it.
    # Translators: a day, month and year, in the letters of Django's date filter.
    day = dateformat.format(expires_at, pgettext("date format: day, month and year", "d F Y"))
    return _("This link expired on %(day)s at %(time)s UTC. Ask the trip's planners for a new one.") % {
        "day": day,
        "time": f"{expires_at.astimezone(UTC):%H:%M}",
    }


def has_expired(engagement: Engagement, now: datetime | None = None) -> bool:
    return (now or timezone.now()) > link_expiry(engagement)
