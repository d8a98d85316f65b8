"""The only writers of rooms: join passes, admissions, a room's opening and end, publishing grants.

Each `do_*` runs in one transaction and sends its events only after it commits.
"""

import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from virtualtrip.realtime import send_event_on_commit
from virtualtrip.realtime.protocol import ErrorCode
from virtualtrip.rooms import channels, protocol, signals
from virtualtrip.rooms.enums import AdmissionState, RecordingState
from virtualtrip.rooms.janus.servers import pick_server
from virtualtrip.rooms.links import FIRST_VERSION, join_link_path, read_join_token
from virtualtrip.rooms.models import (
    Admission,
    ChannelShift,
    JoinPass,
    LiveFeed,
    PublishingGrant,
    RecordingTrack,
    Room,
)
from virtualtrip.rooms.queries import (
    PassReason,
    PassRefused,
    check_pass,
    expired_grants,
    live_grants,
    publishing_rights,
    speaker,
    waiting_list,
)
from virtualtrip.rooms.recordings import TrackFile, room_folder
from virtualtrip.rooms.seats import Seat, person_seat_key
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Participant, Person


class RoomActionRefused(Exception):
    """The acting seat may not do this; the message says why, `code` says it to code."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.FORBIDDEN) -> None:
        super().__init__(message)
        self.code = code


def new_device_key() -> str:
    return secrets.token_urlsafe(24)


@transaction.atomic
def do_issue_join_link(participant: Participant, *, acting_user: object, reissue: bool = False) -> str:
    """The path of the participant's personal join link. With `reissue`, a new link replaces the old
    one: the old one stops working, and so does any browser that opened it.

    Side effects: creates or bumps the participant's JoinPass; tells a seated browser it lost its seat."""
    join_pass, _created = JoinPass.objects.select_for_update().get_or_create(
        engagement_id=participant.engagement_id, person_id=participant.person_id
    )
    if reissue:  # a pass made just now stands for the first link, shown before and never used
        _bump(join_pass)
        _revoke(
            participant.engagement_id,
            participant.person_id,
            gettext_noop("Your link was replaced by a new one."),
        )
    return join_link_path(participant.engagement, participant.person_id, join_pass.version)


def _bump(join_pass: JoinPass) -> None:
    """Retire the pass's link: versions only ever go up, and no browser holds the new one yet."""
    join_pass.version += 1
    join_pass.device = ""
    join_pass.reissued_at = timezone.now()
    join_pass.save(update_fields=["version", "device", "reissued_at"])


@transaction.atomic
def do_claim_join_link(
    token: str, device: str, now: datetime | None = None
) -> tuple[Engagement, dict[str, int]]:
    """Open a join link in the browser identified by `device`: the first browser to open a link
    keeps it. Returns the engagement and the grant the session stores.

    Raises JoinLinkInvalid with the reason (forged, expired, replaced, removed, in use elsewhere)."""
    claim = read_join_token(token)
    participant, join_pass = check_pass(
        claim.engagement_id, claim.person_id, claim.version, device, claiming=True, lock=True, now=now
    )
    join_pass = _bind_to_device(participant, join_pass, device, claim.version)
    return participant.engagement, {"person": participant.person_id, "version": join_pass.version}


@transaction.atomic
def do_travel(seat: Seat, engagement: Engagement, device: str) -> dict[str, int] | None:
    """Seat a traveller in `engagement` (their next room) without a second link: the grant for it,
    or None for staff accounts, who need none."""
    if not seat.can.travels:
        raise RoomActionRefused(_("Only the principal, the delegation and staff travel between rooms."))
    if seat.person_id is None:
        return None
    participant, join_pass = check_pass(engagement.pk, seat.person_id, None, device, claiming=True, lock=True)
    join_pass = _bind_to_device(participant, join_pass, device, None)
    return {"person": participant.person_id, "version": join_pass.version}


def _bind_to_device(
    participant: Participant, join_pass: JoinPass | None, device: str, version: int | None
) -> JoinPass:
    """Bind the participant's pass (made now if it has none) to `device`; `check_pass` has made sure
    no other browser holds it, unless another request made the pass since (a first click elsewhere,
    a re-issue): that pass is judged as `check_pass` would have."""
    if join_pass is None:
        join_pass, created = JoinPass.objects.get_or_create(
            engagement_id=participant.engagement_id,
            person_id=participant.person_id,
            defaults={"device": device},
        )
        if created:
            return join_pass
        if version is not None and join_pass.version != version:
            raise PassRefused(PassReason.REPLACED)
        if join_pass.device and join_pass.device != device:
            raise PassRefused(PassReason.ELSEWHERE)
    if join_pass.device != device:
        join_pass.device = device
        join_pass.save(update_fields=["device"])
    return join_pass


@transaction.atomic
def do_open_room(engagement: Engagement) -> Room:
    """The engagement's room, created on first use with its own Janus id, secret and pin."""
    room, created = Room.objects.select_for_update().get_or_create(engagement=engagement)
    if created or not room.server:
        room.server = pick_server(engagement.pk).url
    if room.opened_at is None:
        room.opened_at = timezone.now()
    room.save()
    return room


@transaction.atomic
def do_knock(seat: Seat) -> AdmissionState:
    """A lobby seat asks to come in. Side effects: an Admission row; keepers see the new list."""
    if not seat.in_lobby or seat.person_id is None:
        return AdmissionState.ADMITTED
    admission, created = Admission.objects.get_or_create(
        engagement_id=seat.engagement_id, person_id=seat.person_id
    )
    if created:
        _lobby_changed(seat.engagement_id)
    return AdmissionState(admission.state)


def check_decide_admission(seat: Seat, person_id: int, admit: bool) -> Admission:
    if not seat.can.keeps_lobby:
        raise RoomActionRefused(_("Only a host, a moderator or the principal's staff admit people."))
    admission = Admission.objects.filter(engagement_id=seat.engagement_id, person_id=person_id).first()
    if admission is None:
        raise RoomActionRefused(
            _("Nobody with id %(person)s is waiting in this room's lobby.") % {"person": person_id},
            ErrorCode.NOT_FOUND,
        )
    return do_decide_admission(admission, admit, acting=seat.display)


@transaction.atomic
def do_decide_admission(admission: Admission, admit: bool, *, acting: str) -> Admission:
    """Admit or refuse one waiting person. Side effects: tells that person, and updates keepers' lists."""
    admission.state = AdmissionState.ADMITTED if admit else AdmissionState.REFUSED
    admission.decided_at = timezone.now()
    admission.decided_by = acting
    admission.save(update_fields=["state", "decided_at", "decided_by"])
    _admission_changed(admission)
    return admission


def _admission_changed(admission: Admission) -> None:
    event = protocol.AdmissionDecided(person=admission.person_id, state=admission.state)
    send_event_on_commit(
        protocol.seat_group(admission.engagement_id, person_seat_key(admission.person_id)), event
    )
    _lobby_changed(admission.engagement_id)


def check_end_room(seat: Seat) -> Room:
    if not seat.can.keeps_lobby:
        raise RoomActionRefused(_("Only a host, a moderator or the principal's staff end the meeting."))
    room = Room.objects.filter(engagement_id=seat.engagement_id).first()
    if room is None:
        raise RoomActionRefused(
            _("Nobody has entered this room yet: there is no meeting to end."), ErrorCode.CONFLICT
        )
    return do_end_room(room, acting=seat.display)


@transaction.atomic
def do_end_room(room: Room, *, acting: str) -> Room:
    """End the meeting for everyone. Side effects: every browser in it is told and disconnected;
    the Janus room is destroyed by the connection that carries the command (see consumers)."""
    if room.ended_at is None:
        room.ended_at = timezone.now()
        room.ended_by = acting
        if room.engagement.record and room.recording == RecordingState.NOT_RECORDED:
            room.recording = RecordingState.PENDING
        room.save(update_fields=["ended_at", "ended_by", "recording"])
        ChannelShift.objects.filter(room=room, ended_at__isnull=True).update(ended_at=room.ended_at)
    send_event_on_commit(protocol.room_group(room.engagement_id), protocol.RoomEnded(by=acting))
    return room


def do_claim_recording(room_id: int) -> bool:
    """Take a recording waiting to be processed; False when another process took it first."""
    return bool(
        Room.objects.filter(pk=room_id, recording=RecordingState.PENDING).update(
            recording=RecordingState.PROCESSING
        )
    )


@transaction.atomic
def do_store_recording(room: Room, tracks: list[TrackFile]) -> None:
    """The recording's audio files are made: list them, in place of any listed before.

    Side effects: once committed, sends `signals.recording_stored`."""
    RecordingTrack.objects.filter(room=room).delete()
    folder = room_folder(room.engagement_id)
    for track in tracks:
        who = speaker(room.engagement_id, track.seat_key) if track.seat_key else None
        RecordingTrack.objects.create(
            room=room,
            person_id=who.person_id if who else None,
            speaker=who.label if who else "",
            language=track.language,
            file=str(track.path.relative_to(folder.parent)),
            starts_at=track.starts_at,
            duration_seconds=track.duration_seconds,
            size_bytes=track.size_bytes,
        )
    room.recording, room.recording_error = RecordingState.READY, ""
    room.save(update_fields=["recording", "recording_error"])
    engagement_id = room.engagement_id
    transaction.on_commit(
        lambda: signals.recording_stored.send(sender=Room, engagement_id=engagement_id), robust=True
    )


def do_remake_recording(room: Room) -> None:
    """Staff ask for a failed (or made) recording to be made again from Janus's files."""
    if room.recording in {RecordingState.FAILED, RecordingState.READY}:
        room.recording, room.recording_error = RecordingState.PENDING, ""
        room.save(update_fields=["recording", "recording_error"])


def do_fail_recording(room: Room, problem: str) -> None:
    room.recording, room.recording_error = RecordingState.FAILED, problem
    room.save(update_fields=["recording", "recording_error"])


def do_revoke_participant(engagement_id: int, person_id: int) -> None:
    """A person was taken off an engagement: their browser leaves the room at once, and their link is
    retired, so that putting them back on the list later does not make it work again (they get a
    new one). The pass is bumped once the removal commits: the person may be going too."""
    _revoke(engagement_id, person_id, gettext_noop("You are no longer on the list for this engagement."))
    transaction.on_commit(lambda: _retire_pass(engagement_id, person_id))


@transaction.atomic
def _retire_pass(engagement_id: int, person_id: int) -> None:
    if Participant.objects.filter(engagement_id=engagement_id, person_id=person_id).exists():
        return  # back on the list in the same transaction: the link stands
    gone = not Person.objects.filter(pk=person_id).exists()
    if gone or not Engagement.objects.filter(pk=engagement_id).exists():
        return  # gone with its person or engagement: no link can name them again
    join_pass, created = JoinPass.objects.select_for_update().get_or_create(
        engagement_id=engagement_id, person_id=person_id, defaults={"version": FIRST_VERSION + 1}
    )
    if not created:
        _bump(join_pass)


SEAT_CHANGED = gettext_noop("Your place in this meeting changed: open your link again to rejoin.")


def do_recheck_seats(engagement_id: int, person_ids: list[int]) -> None:
    """These people's seats may have changed (their role, or the room's lobby): each of their
    sockets checks its seat again, and leaves only if it is no longer the seat it took."""
    for person_id in person_ids:
        _revoke(engagement_id, person_id, SEAT_CHANGED)


@transaction.atomic
def do_change_lobby_roles(room: Room, roles: list[str]) -> Room:
    """Set which roles wait in the room's lobby. Side effects: the people whose roles joined or
    left the lobby take their seat anew."""
    before = Room.objects.filter(pk=room.pk).values_list("lobby_roles", flat=True).first() or []
    changed = set(before) ^ set(roles)
    room.lobby_roles = roles
    room.save(update_fields=["lobby_roles"])
    affected = Participant.objects.filter(engagement_id=room.engagement_id, role__in=changed)
    do_recheck_seats(room.engagement_id, list(affected.values_list("person_id", flat=True)))
    return room


def _revoke(engagement_id: int, person_id: int, reason: str) -> None:
    """Tell the person's browser it lost its seat. `reason` stays in English: the person's browser
    translates it (room.js), since the request that revokes is someone else's, in their language."""
    event = protocol.SeatRevoked(person=person_id, reason=reason)
    send_event_on_commit(protocol.seat_group(engagement_id, person_seat_key(person_id)), event)


def _lobby_changed(engagement_id: int) -> None:
    waiting = [
        protocol.WaitingBody(person=w.person_id, display=w.display) for w in waiting_list(engagement_id)
    ]
    send_event_on_commit(protocol.keepers_group(engagement_id), protocol.LobbyChanged(waiting=waiting))


def _acting(acting_user: Any) -> str:
    """Who did it, as a grant records it: the account's name, or the process (the sweep, a command)."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return ""
    return str(acting_user.get_username())


@transaction.atomic
def do_grant_publishing(
    engagement_id: int,
    person_id: int,
    *,
    audio: bool = True,
    video: bool = True,
    until: datetime | None = None,
    acting_user: Any,
) -> None:
    """Let a participant publish `audio` and/or `video` (until `until`, or until withdrawn), beyond
    what their role gives. Granting what is granted changes nothing and sends nothing.

    Side effect: a `publishing.changed` to the person's seat; their page starts publishing, and their
    proxy lets the offer through (it reads the rights on every offer)."""
    if not (audio or video):
        raise RoomActionRefused(_("A grant lets someone publish audio, video or both."))
    participant = Participant.objects.filter(engagement_id=engagement_id, person_id=person_id).first()
    if participant is None:
        raise RoomActionRefused(
            _("Nobody with id %(person)s takes part in this engagement.") % {"person": person_id}
        )
    now = timezone.now()
    if until is not None and until <= now:
        raise RoomActionRefused(_("A grant must last until a time still to come."))
    grant = PublishingGrant.objects.select_for_update().filter(
        engagement_id=engagement_id, person_id=person_id
    )
    current = grant.first()
    unchanged = (
        current is not None
        and live_grants(now).filter(pk=current.pk).exists()
        and (current.audio, current.video, current.until) == (audio, video, until)
    )
    if unchanged:
        return
    PublishingGrant.objects.update_or_create(
        engagement_id=engagement_id,
        person_id=person_id,
        defaults={
            "audio": audio,
            "video": video,
            "until": until,
            "granted_at": now,
            "granted_by": _acting(acting_user),
            "withdrawn_at": None,
            "withdrawn_by": "",
            "withdrawn_reason": "",
        },
    )
    _publishing_changed(engagement_id, person_id, participant.role, now, until)


@transaction.atomic
def do_withdraw_publishing(engagement_id: int, person_id: int, *, acting_user: Any, reason: str = "") -> None:
    """Take back a grant (expired or not). Withdrawing what is not granted changes nothing and sends
    nothing.

    Side effect: a `publishing.changed` to the person's seat; every proxy socket of that seat stops
    the person's publication on Janus itself (an `unpublish` on their publisher handle), whatever the
    page does, and refuses their next offer of what the role does not allow."""
    grant = (
        PublishingGrant.objects.select_for_update()
        .filter(engagement_id=engagement_id, person_id=person_id, withdrawn_at__isnull=True)
        .first()
    )
    if grant is None:
        return
    now = timezone.now()
    grant.withdrawn_at = now
    grant.withdrawn_by = _acting(acting_user)
    grant.withdrawn_reason = reason[:200]
    grant.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    role = Participant.objects.filter(engagement_id=engagement_id, person_id=person_id).values_list(
        "role", flat=True
    )
    _publishing_changed(engagement_id, person_id, role.first() or "", now, None)


def _publishing_changed(
    engagement_id: int, person_id: int, role: str, now: datetime, until: datetime | None
) -> None:
    audio, video = publishing_rights(engagement_id, person_id, role, now)
    event = protocol.PublishingChanged(person=person_id, audio=audio, video=video, until=until)
    send_event_on_commit(protocol.seat_group(engagement_id, person_seat_key(person_id)), event)


EXPIRED = "expired"


def do_withdraw_expired_grants(now: datetime) -> list[tuple[int, int]]:
    """The sweep's part: withdraw every grant past its `until`, with the reason "expired"."""
    expired = expired_grants(now)
    for engagement_id, person_id in expired:
        do_withdraw_publishing(engagement_id, person_id, acting_user=None, reason=EXPIRED)
    return expired


@transaction.atomic
def do_note_talking(
    engagement_id: int, person_id: int, talking: bool, at: datetime, feed: int | None = None
) -> None:
    """Janus says this person started or stopped talking (their proxy saw it on their own publisher
    handle). Side effects: the `talking_changed` signal (the floor keeps the spans) and a
    `talking.changed` to the whole room, so every page highlights who is talking. An interpreter's
    feed is a channel, not the floor: nothing is noted (their name stays off the floor's page)."""
    if feed is not None and _speaks_into_a_channel(engagement_id, feed):
        return
    signals.talking_changed.send(
        sender=None, engagement_id=engagement_id, person_id=person_id, talking=talking, at=at
    )
    event = protocol.TalkingChanged(person=person_id, talking=talking, feed=feed)
    send_event_on_commit(protocol.room_group(engagement_id), event)


def _speaks_into_a_channel(engagement_id: int, feed: int) -> bool:
    rows = LiveFeed.objects.filter(room__engagement_id=engagement_id, feed=feed)
    return rows.exclude(language="").exists()


@transaction.atomic
def do_note_live_feed(room: Room, feed: int, seat: Seat, at: datetime) -> None:
    """A seat joined the room's Janus as publisher `feed`: note whose voice the feed carries. A
    person's display is not kept (their name, to a briefer who goes on background later: who they are
    is their person, labelled as the ground rules then say); a staff account's is, cut to fit."""
    display = seat.display if seat.person_id is None else ""
    channel = None
    if seat.role == Role.INTERPRETER and seat.person_id is not None:
        channel = channels.channel_of(room.engagement, seat.person_id)
    LiveFeed.objects.update_or_create(
        room=room,
        feed=feed,
        defaults={
            "person_id": seat.person_id,
            "display": display[:300],  # LiveFeed.display's length: a staff name may be longer
            "joined_at": at,
            "left_at": None,  # Janus gives an id again only to a new publisher
            "language": channel.language if channel is not None else "",
        },
    )
    if channel is not None and seat.person_id is not None:
        _interpreter_arrived(room, channel.language, seat.person_id, at)


@transaction.atomic
def do_note_feed_left(room: Room, feed: int, at: datetime) -> None:
    """The proxy's connection that carried publisher `feed` closed: its person left the media (a
    booth partner who is gone cannot be handed the channel). Side effects: `channels.changed` when
    the feed was an interpreter's."""
    left = LiveFeed.objects.filter(room=room, feed=feed, left_at__isnull=True).update(left_at=at)
    if left and LiveFeed.objects.filter(room=room, feed=feed).exclude(language="").exists():
        _channels_changed(room)


def _interpreter_arrived(room: Room, language: str, person_id: int, at: datetime) -> None:
    """An interpreter's feed is new: every page learns it, and a channel nobody is live on goes live
    with them (the first of a booth to join speaks first)."""
    locked = Room.objects.select_for_update().filter(pk=room.pk).first()
    if locked is None or locked.ended_at is not None:
        return
    if not ChannelShift.objects.filter(room=room, language=language, ended_at__isnull=True).exists():
        ChannelShift.objects.create(room=room, language=language, person_id=person_id, started_at=at)
    _channels_changed(room)


def _channels_changed(room: Room) -> None:
    event = protocol.ChannelsChanged.model_validate(
        {"channels": channels.channels_part(room.engagement, room)}
    )
    send_event_on_commit(protocol.room_group(room.engagement_id), event)


def check_take_channel(seat: Seat, person_id: int | None = None) -> None:
    """An interpreter takes their channel live (`person_id` None), or the one live hands it over to a
    booth partner. Nobody else speaks into a channel: the pages play only who this says is live."""
    engagement = Engagement.objects.get(pk=seat.engagement_id)
    channel = channels.channel_of(engagement, seat.person_id) if seat.person_id is not None else None
    if seat.role != Role.INTERPRETER or channel is None or seat.person_id is None:
        raise RoomActionRefused(_("Only the interpreters of a channel speak into it."))
    room = Room.objects.filter(engagement_id=seat.engagement_id, ended_at__isnull=True).first()
    if room is None:
        raise RoomActionRefused(_("The meeting is not on: there is no channel to take."), ErrorCode.NOT_OPEN)
    taker = seat.person_id if person_id is None else person_id
    if not any(interpreter.person_id == taker for interpreter in channel.interpreters):
        raise RoomActionRefused(
            _("Hand the channel over to a partner of your booth: this person does not interpret into it."),
            ErrorCode.NOT_FOUND,
        )
    live = channels.live_shifts(room).get(channel.language)
    if person_id is not None and (live is None or live.person_id != seat.person_id):
        refusal = _("Only the interpreter live on the channel hands it over.")
        raise RoomActionRefused(refusal, ErrorCode.CONFLICT)
    if taker not in channels.present_interpreters(room):
        raise RoomActionRefused(_absent(person_id is None), ErrorCode.CONFLICT)
    do_put_on_air(room, channel.language, taker, timezone.now())


def _absent(taking: bool) -> str:
    if taking:
        return _("Your microphone is not connected to the room yet: the channel would go silent.")
    return _("Your partner is not connected to the room: the channel would go silent.")


@transaction.atomic
def do_put_on_air(room: Room, language: str, person_id: int, at: datetime) -> bool:
    """`person_id` is live on the room's `language` channel from `at`: the shift of whoever was ends
    at the same instant, so the channel is never without a voice in between. False (and nothing sent)
    when they already are. Side effects: `channels.changed` to the room."""
    locked = Room.objects.select_for_update().filter(pk=room.pk).first()
    if locked is None or locked.ended_at is not None:
        return False  # the meeting ended while this was on its way: its shifts are closed
    live = ChannelShift.objects.filter(room=room, language=language, ended_at__isnull=True).first()
    if live is not None and live.person_id == person_id:
        return False
    if live is not None:
        live.ended_at = at
        live.save(update_fields=["ended_at"])
    ChannelShift.objects.create(room=room, language=language, person_id=person_id, started_at=at)
    _channels_changed(room)
    return True
