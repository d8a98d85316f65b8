"""Reads about rooms: who may sit where, whether a room is open, who waits in the lobby."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from virtualtrip.rooms.capabilities import capability
from virtualtrip.rooms.enums import AdmissionState, RecordingState, RoomStatus
from virtualtrip.rooms.links import (
    FIRST_VERSION,
    JoinLinkInvalid,
    expiry_message,
    has_expired,
    join_link_path,
)
from virtualtrip.rooms.models import (
    Admission,
    JoinPass,
    LiveFeed,
    PublishingGrant,
    RecordingTrack,
    Room,
    default_lobby_roles,
)
from virtualtrip.rooms.seats import Seat, display_name, participant_seat, staff_display, staff_seat
from virtualtrip.trips.models import Engagement, Participant, Person

Grants = dict[str, Any]
"""What the session holds after a join link was opened: engagement id → {person, version, device}."""


class RoomAccessDenied(Exception):
    """This browser may not sit in this room; the message says why, for the person at the screen."""


@dataclass(frozen=True)
class WaitingPerson:
    person_id: int
    display: str


def opens_at(engagement: Engagement) -> datetime:
    return engagement.starts_at - timedelta(minutes=settings.ROOM_OPENS_BEFORE_MINUTES)


def room_status(engagement: Engagement, room: Room | None, now: datetime) -> RoomStatus:
    """The room's state by the clock alone; past its end a room stays open while anyone is in it,
    which only the media server knows (see `live.room_is_occupied`)."""
    if room is not None and room.ended_at is not None:
        return RoomStatus.ENDED
    if now < opens_at(engagement):
        return RoomStatus.NOT_YET
    if now > engagement.ends_at:
        return RoomStatus.OVER
    return RoomStatus.OPEN


def join_link_paths(engagement: Engagement, participants: list[Participant]) -> dict[int, str]:
    """Each participant's current join link, by participant id, read without writing anything: a
    link never opened nor re-issued is the first version, and its pass is made when it is claimed."""
    versions = dict(JoinPass.objects.filter(engagement=engagement).values_list("person_id", "version"))
    return {
        participant.pk: join_link_path(
            engagement, participant.person_id, versions.get(participant.person_id, FIRST_VERSION)
        )
        for participant in participants
    }


def lobby_roles(engagement: Engagement) -> list[str]:
    room = Room.objects.filter(engagement=engagement).first()
    return list(room.lobby_roles) if room is not None else default_lobby_roles()


class PassReason(StrEnum):
    """Why a join link or a seat is refused: each reason has one message, wherever it is checked."""

    EXPIRED = "expired"
    NOT_LISTED = "not_listed"
    REPLACED = "replaced"
    ELSEWHERE = "elsewhere"


PASS_MESSAGES = {
    PassReason.EXPIRED: gettext_lazy("This link has expired. Ask the trip's planners for a new one."),
    PassReason.NOT_LISTED: gettext_lazy("You are no longer on the list for this engagement."),
    PassReason.REPLACED: gettext_lazy(
        "This link has been replaced by a newer one: use the latest link you received."
    ),
    PassReason.ELSEWHERE: gettext_lazy(
        "This link is already in use in another browser. A personal link works in one browser "
        "only; ask the trip's planners to re-issue it if you need to change browsers."
    ),
}


class PassRefused(JoinLinkInvalid, RoomAccessDenied):
    """A link or a seat that fails `check_pass`: both a refused link and a refused seat."""

    def __init__(self, reason: PassReason, message: str = "") -> None:
        super().__init__(message or str(PASS_MESSAGES[reason]))
        self.reason = reason


def check_pass(
    engagement_id: int,
    person_id: int,
    version: int | None,
    device: str,
    *,
    claiming: bool,
    lock: bool = False,
    now: datetime | None = None,
) -> tuple[Participant, JoinPass | None]:
    """The one rule that decides whether a personal link, or the seat it gave, is valid now.

    The person must be on the engagement's list, `version` must be the pass's current one (None: any,
    for a traveller seated without a link), and the pass must be bound to `device`; `claiming` also
    accepts a pass no browser holds yet (the caller binds it), until the link expires (12 hours after
    the engagement's end as it is now). `lock` locks the participant's row, so
    that two first clicks make one pass. Raises PassRefused with the reason."""
    participants = Participant.objects.select_related("person", "engagement")
    if lock:
        participants = participants.select_for_update(of=("self",))
    participant = participants.filter(engagement_id=engagement_id, person_id=person_id).first()
    if participant is None:
        raise PassRefused(PassReason.NOT_LISTED)
    if claiming and has_expired(participant.engagement, now):
        raise PassRefused(PassReason.EXPIRED, expiry_message(participant.engagement))
    join_pass = JoinPass.objects.filter(engagement_id=engagement_id, person_id=person_id).first()
    if version is not None and version != (join_pass.version if join_pass else FIRST_VERSION):
        raise PassRefused(PassReason.REPLACED)
    bound = join_pass.device if join_pass else ""
    if not (bound == device if bound else claiming):
        raise PassRefused(PassReason.ELSEWHERE)
    return participant, join_pass


def access_seat(
    engagement: Engagement, grants: Grants, user: AbstractBaseUser | AnonymousUser | None, device: str
) -> Seat:
    """The seat this browser holds in the engagement's room; RoomAccessDenied when it holds none.

    Checked again on every connection, so a person removed from the engagement or a link re-issued
    by a planner stops working at once."""
    grant = grants.get(str(engagement.pk))
    if grant is not None:
        participant, _pass = check_pass(
            engagement.pk, int(grant["person"]), int(grant["version"]), device, claiming=False
        )
        return participant_seat(participant, lobby_roles(engagement))
    if user is not None and user.is_authenticated and getattr(user, "is_staff", False):
        return staff_seat(engagement.pk, user)
    raise RoomAccessDenied(_("Open your personal join link to enter this room, or log in as staff."))


def admission_state(seat: Seat) -> AdmissionState | None:
    """None for seats that never wait."""
    if not seat.in_lobby or seat.person_id is None:
        return None
    admission = Admission.objects.filter(engagement_id=seat.engagement_id, person_id=seat.person_id).first()
    return AdmissionState(admission.state) if admission else None


def waiting_list(engagement_id: int) -> list[WaitingPerson]:
    waiting = Admission.objects.filter(engagement_id=engagement_id, state=AdmissionState.WAITING)
    participants = {
        p.person_id: p
        for p in Participant.objects.select_related("person", "engagement").filter(
            engagement_id=engagement_id, person_id__in=waiting.values("person_id")
        )
    }
    return [
        WaitingPerson(a.person_id, display_name(participants[a.person_id]))
        for a in waiting
        if a.person_id in participants
    ]


def next_engagement(engagement: Engagement, seat: Seat) -> Engagement | None:
    """Where a traveller goes after this room: their next engagement of the itinerary."""
    if not seat.can.travels:
        return None
    later = Engagement.objects.filter(
        trip_id=engagement.trip_id, starts_at__gte=engagement.starts_at
    ).exclude(pk=engagement.pk)
    person_id = seat.person_id if seat.person_id is not None else engagement.trip.principal_id
    if person_id is None:
        return None
    return later.filter(participants__person_id=person_id).order_by("starts_at", "position").first()


@dataclass(frozen=True)
class Speaker:
    person_id: int | None
    label: str


def speaker(engagement_id: int, seat_key: str) -> Speaker:
    """Who spoke from a seat (see `Seat.key`): the label their video had, as far as the trip still
    knows them."""
    number = int(seat_key[1:])
    if seat_key.startswith("u"):
        user = get_user_model().objects.filter(pk=number).first()
        return Speaker(None, staff_display(user) if user is not None else f"User {number} — Trip staff")
    participant = (
        Participant.objects.select_related("person", "engagement")
        .filter(engagement_id=engagement_id, person_id=number)
        .first()
    )
    if participant is not None:
        return Speaker(number, display_name(participant))
    person = Person.objects.filter(pk=number).first()
    return Speaker(person.pk, person.name) if person is not None else Speaker(None, f"Person {number}")


def rooms_past_their_end(ended_before: datetime) -> list[Room]:
    """Rooms still open whose engagement was scheduled to end before `ended_before`."""
    return list(
        Room.objects.filter(
            opened_at__isnull=False, ended_at__isnull=True, engagement__ends_at__lt=ended_before
        ).select_related("engagement")
    )


def recordings_waiting(ended_before: datetime) -> list[int]:
    waiting = Room.objects.filter(recording=RecordingState.PENDING, ended_at__lt=ended_before)
    return list(waiting.values_list("pk", flat=True))


def recording_tracks(engagement: Engagement) -> list[RecordingTrack]:
    return list(RecordingTrack.objects.filter(room__engagement=engagement).select_related("person"))


def room_mix(tracks: Iterable[RecordingTrack]) -> RecordingTrack | None:
    """The floor's mix among a recording's tracks (the one of no speaker and no channel)."""
    return next((track for track in tracks if not track.speaker and not track.language), None)


def channel_mixes(tracks: Iterable[RecordingTrack]) -> dict[str, RecordingTrack]:
    """Each interpretation channel's mix among a recording's tracks, by language."""
    return {track.language: track for track in tracks if track.language and not track.speaker}


def live_grants(now: datetime) -> "QuerySet[PublishingGrant]":
    """Grants neither withdrawn nor past their `until`."""
    return PublishingGrant.objects.filter(withdrawn_at__isnull=True).exclude(until__lte=now)


def publishing_rights(
    engagement_id: int, person_id: int | None, role: str, now: datetime
) -> tuple[bool, bool]:
    """(audio, video) this seat may publish now: its role's capability, or a live grant. Read
    fresh by the proxy on every offer, so a grant or a withdrawal counts from the next one."""
    can = capability(role)
    audio, video = can.publishes_audio, can.publishes_video
    if person_id is None or (audio and video):
        return audio, video
    grant = live_grants(now).filter(engagement_id=engagement_id, person_id=person_id).first()
    if grant is None:
        return audio, video
    return audio or grant.audio, video or grant.video


def expired_grants(now: datetime) -> list[tuple[int, int]]:
    """(engagement id, person id) of the grants whose `until` has passed and that nobody withdrew:
    the sweep withdraws them."""
    expired = PublishingGrant.objects.filter(withdrawn_at__isnull=True, until__lte=now)
    return list(expired.values_list("engagement_id", "person_id"))


@dataclass(frozen=True)
class FeedVoice:
    feed: int
    person_id: int | None
    display: str


def open_rooms() -> list[Room]:
    """Rooms opened and not ended: the ones whose Janus may hold publishers now."""
    return list(
        Room.objects.select_related("engagement").filter(opened_at__isnull=False, ended_at__isnull=True)
    )


def feed_voices(room: Room, feeds: Iterable[int]) -> dict[int, FeedVoice]:
    """Whose voice each of these publishers of the room is, for the ones the proxy noted."""
    rows = LiveFeed.objects.filter(room=room, feed__in=list(feeds))
    return {row.feed: FeedVoice(row.feed, row.person_id, row.display) for row in rows}
