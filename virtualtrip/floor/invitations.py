"""Audience invitations to town halls: a signed link staff share; whoever opens it gives a name and
joins as audience (watch, raise a hand), through the room's lobby when audience is a lobby role.

The token names the invitation row, so staff can withdraw it and it expires (by default when the
engagement's join links do). Staff may give it a capacity: once that many people have joined through
it, it lets nobody else in (those who joined keep their seats); without one, only its expiry and a
withdrawal limit it. Names are the one thing a guest types: one line, a bounded length, no
control characters and no bidirectional overrides (which make a name read as another)."""

import re
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from virtualtrip.floor.models import Invitation
from virtualtrip.rooms import actions as room_actions
from virtualtrip.rooms.links import link_expiry
from virtualtrip.trips import actions as trip_actions
from virtualtrip.trips.enums import EngagementKind
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.validators import LINE_BREAK, text_problem

Actor = AbstractBaseUser | AnonymousUser | None
SALT = "virtualtrip.floor.invitation"
GUEST_NAME_MAX_LENGTH = 80
INVITING_KINDS = frozenset({EngagementKind.TOWN_HALL})
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CAPACITY_MAX = 100_000


class InvitationInvalid(Exception):
    """Why an invitation does not open: forged, withdrawn, expired, full. The message is for the guest."""


class InvitationFull(InvitationInvalid):
    """As many people as the invitation is for have joined through it."""


def invitation_token(invitation: Invitation) -> str:
    return signing.Signer(salt=SALT).sign_object({"i": invitation.pk, "e": invitation.engagement_id})


def invitation_path(invitation: Invitation) -> str:
    return reverse("floor:invitation", args=[invitation_token(invitation)])


def read_invitation(token: str, now: datetime | None = None, *, lock: bool = False) -> Invitation:
    """The invitation a token names, if it still opens; InvitationInvalid saying why otherwise."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
        pk, engagement_id = int(data["i"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationInvalid(
            _(
                "This invitation is not one of ours: it may be incomplete or altered. "
                "Open it exactly as you received it."
            )
        ) from None
    rows = Invitation.objects.select_related("engagement__trip")
    invitation = (
        (rows.select_for_update(of=("self",)) if lock else rows)
        .filter(pk=pk, engagement_id=engagement_id)
        .first()
    )
    if invitation is None or invitation.withdrawn_at is not None:
        raise InvitationInvalid(_("This invitation has been withdrawn. Ask the organisers for a new one."))
    if (now or timezone.now()) >= invitation.expires_at:
        raise InvitationInvalid(
            _("This invitation expired on %(day)s UTC. Ask the organisers for a new one.")
            % {"day": f"{invitation.expires_at:%Y-%m-%d %H:%M}"}
        )
    return invitation


def full_reason(invitation: Invitation) -> str | None:
    """Why nobody else may join through the invitation (its capacity is reached), or None."""
    if not invitation.is_full:
        return None
    capacity = invitation.capacity or 0
    return ngettext(
        "This invitation is full: it was for %(capacity)d person, who has joined. "
        "Ask the organisers for a new one.",
        "This invitation is full: it was for %(capacity)d people, who have all joined. "
        "Ask the organisers for a new one.",
        capacity,
    ) % {"capacity": capacity}


def capacity_problem(capacity: int | None) -> str | None:
    """What is wrong with a capacity staff gave (None: no limit but the expiry)."""
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        return _("An invitation is for 1 to %(max)d people, or leave it empty for no limit.") % {
            "max": CAPACITY_MAX
        }
    return None


def guest_name_problem(name: str) -> str | None:
    if not name:
        return _("Write the name you want the room to show.")
    if len(name) > GUEST_NAME_MAX_LENGTH:
        return _("A name is at most %(limit)d characters; this one has %(count)d.") % {
            "limit": GUEST_NAME_MAX_LENGTH,
            "count": len(name),
        }
    if text_problem(name) or LINE_BREAK.search(name) or BIDI_CONTROLS.search(name):
        return _("Remove the control characters from the name: write it on one line.")
    return None


def check_issue_invitation(
    engagement: Engagement, *, acting_user: Actor, capacity: int | None = None
) -> Invitation:
    if engagement.kind not in INVITING_KINDS:
        raise ValidationError(_("Audience invitations are for town halls."))
    if timezone.now() >= link_expiry(engagement):
        raise ValidationError(_("This engagement is over: an invitation would never open."))
    problem = capacity_problem(capacity)
    if problem:
        raise ValidationError({"capacity": problem})
    return do_issue_invitation(engagement, acting_user=acting_user, capacity=capacity)


@transaction.atomic
def do_issue_invitation(
    engagement: Engagement,
    *,
    acting_user: Actor,
    expires_at: datetime | None = None,
    capacity: int | None = None,
) -> Invitation:
    """Side effects: a new invitation, valid until `expires_at` (the engagement's link expiry) for
    `capacity` people (None: as many as come)."""
    return Invitation.objects.create(
        engagement=engagement,
        created_by=acting_user if isinstance(acting_user, User) else None,
        created_at=timezone.now(),
        expires_at=expires_at or link_expiry(engagement),
        capacity=capacity,
    )


@transaction.atomic
def do_withdraw_invitation(invitation: Invitation, *, acting_user: Actor) -> None:
    """Side effects: the invitation stops opening (people who joined keep their seats)."""
    Invitation.objects.filter(pk=invitation.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())


@transaction.atomic
def check_join_with_invitation(token: str, name: str) -> str:
    """The join link path of a new audience participant named `name`.

    InvitationInvalid when the invitation does not open (InvitationFull once its capacity is
    reached); ValidationError({"name": ...}) for a name that cannot be shown; either changes nothing.
    The count is read under the invitation's row lock and raised by a conditional update, so two
    guests taking the last place at once let one in. Side effects: one more joined on the
    invitation, an audience participant (trips) and their join link (rooms)."""
    invitation = read_invitation(token, lock=True)
    _refuse_when_full(invitation)
    name = name.strip()
    problem = guest_name_problem(name)
    if problem:
        raise ValidationError({"name": problem})
    places = Invitation.objects.filter(pk=invitation.pk)
    if invitation.capacity is not None:
        places = places.filter(joined__lt=invitation.capacity)
    if not places.update(joined=F("joined") + 1):  # taken by another guest in between (SQLite)
        invitation.refresh_from_db(fields=["joined"])
        raise InvitationFull(full_reason(invitation) or "")
    try:
        participant = trip_actions.do_add_audience_participant(
            invitation.engagement, name=name, acting_user=None
        )
    except ValidationError as error:
        raise ValidationError({"name": " ".join(error.messages)}) from None
    return room_actions.do_issue_join_link(participant, acting_user=None)


def _refuse_when_full(invitation: Invitation) -> None:
    full = full_reason(invitation)
    if full:
        raise InvitationFull(full)
