"""The two sockets of a room page: the Janus signaling proxy and the room's control channel.

Both authenticate on connect from the session (join link grant or staff login) and re-check the seat
each time, so a removed person or a replaced link is refused on the next connection and thrown out of
the current one by a `seat.revoked` event.
"""

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.utils import timezone
from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from virtualtrip.realtime.protocol import ErrorCode, first_problem
from virtualtrip.rooms import actions, channels, ending, live, protocol, queries
from virtualtrip.rooms.access import Arrival, arrive
from virtualtrip.rooms.enums import AdmissionState, RecordingState, RoomStatus
from virtualtrip.rooms.janus.client import JanusError
from virtualtrip.rooms.janus.servers import server_at
from virtualtrip.rooms.janus.tokens import sign_token
from virtualtrip.rooms.models import Room
from virtualtrip.rooms.recordings import raw_folder
from virtualtrip.rooms.seats import Seat
from virtualtrip.rooms.signaling import Refusal, SignalingPolicy
from virtualtrip.trips.models import Engagement

logger = logging.getLogger(__name__)

CLOSE_DENIED = 4403
CLOSE_CLOSED = 4409
CLOSE_MEDIA_GONE = 4502
MEDIA_UNAVAILABLE = "media_unavailable: media server unavailable"
TURNED_AWAY = {
    CLOSE_DENIED: Refusal(403, "no_seat: you have no seat in this room"),
    CLOSE_CLOSED: Refusal(409, "not_open: this room is not open"),
}
"""What the proxy answers a turned-away page's first request with, before closing: janus.js shows
its pages neither a close code nor a close before it has a session, but it passes the reason on,
so the reason starts with a stable code the page branches on (`no_seat`, `not_open`)."""
TURN_AWAY_WAIT_S = 10
TALKING = {"talking", "stopped-talking"}
"""Janus's audio-level events (the room is created with `audiolevel_event`)."""


async def _arrive(scope: dict[str, Any]) -> Arrival | None:
    try:
        arrival: Arrival = await database_sync_to_async(arrive)(
            scope, int(scope["url_route"]["kwargs"]["engagement_id"])
        )
    except (queries.RoomAccessDenied, Engagement.DoesNotExist):
        return None
    return arrival


async def _still_seated(scope: dict[str, Any], seat: Seat) -> bool:
    """Whether the browser behind `scope` still holds `seat`, checked again from the database when
    a `seat.revoked` arrives. The event names a person, not a link: it may come (relayed from another
    process) after the person opened their new link, whose sockets must stay; and a seat whose role,
    lobby or label (a briefer going on background) changed is a different seat, which the page must
    take anew."""
    arrival = await _arrive(scope)
    if arrival is None:
        return False
    now = arrival.seat
    return (now.person_id, now.user_id, now.role, now.in_lobby, now.display) == (
        seat.person_id,
        seat.user_id,
        seat.role,
        seat.in_lobby,
        seat.display,
    )


def _refused_after_admission(event: dict[str, Any], seat: Seat) -> bool:
    """A person admitted from the lobby, then refused: their media leaves the room too."""
    return (
        event["type"] == "admission.decided"
        and seat.in_lobby
        and event.get("state") != AdmissionState.ADMITTED
    )


async def _may_enter(arrival: Arrival) -> bool:
    """Open by the clock, or past its end with people still in it (a meeting that runs over)."""
    if arrival.status == RoomStatus.OPEN:
        return True
    if arrival.status == RoomStatus.OVER and arrival.room is not None:
        with contextlib.suppress(JanusError):
            return await live.room_is_occupied(arrival.room)
    return False


class JanusProxyConsumer(AsyncWebsocketConsumer):
    """Speaks the Janus WebSocket protocol to janus.js and forwards what the seat's role allows."""

    backend: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None
    policy: SignalingPolicy
    room: Room
    my_janus_id: int | None = None  # the publisher this connection joined as last
    own_feeds: set[int]  # every publisher it joined as: each has left when it closes
    record_to: Path | None = None
    turned_away: int | None = None
    closer: asyncio.Task[None] | None = None
    budget: protocol.MessageBudget
    shut = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = protocol.JANUS_LIMITS.budget()
        self.own_feeds = set()

    async def connect(self) -> None:
        arrival = await _arrive(self.scope)
        if arrival is None:
            await self._turn_away(CLOSE_DENIED)
            return
        if not await _may_enter(arrival):
            await self._turn_away(CLOSE_CLOSED)
            return
        self.room = await database_sync_to_async(actions.do_open_room)(arrival.engagement)
        server = server_at(self.room.server)
        self.policy = SignalingPolicy(
            seat=arrival.seat,
            janus_room=self.room.janus_room,
            pin=self.room.pin,
            token=sign_token(server.token_secret),
            admitted=arrival.admission == AdmissionState.ADMITTED,
            recorded=arrival.engagement.record,
        )
        self.description = arrival.engagement.title
        if arrival.engagement.record:
            self.record_to = raw_folder(arrival.engagement.pk)
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(subprotocol="janus-protocol")

    async def _turn_away(self, code: int) -> None:
        """Accept, answer the first request with the reason, then close with `code`. A socket
        refused during the handshake reaches the page as a bare HTTP 403 that says nothing."""
        await self.accept(subprotocol="janus-protocol")
        self.turned_away = code
        self.closer = asyncio.create_task(self._close_after(TURN_AWAY_WAIT_S, code))

    async def _close_after(self, seconds: float, code: int) -> None:
        await asyncio.sleep(seconds)
        if not self.shut:
            await self._shut(code)

    def _groups(self) -> list[str]:
        seat = self.policy.seat
        return [protocol.room_group(seat.engagement_id), protocol.seat_group(seat.engagement_id, seat.key)]

    async def _ensure_backend(self) -> bool:
        if self.backend is not None:
            return True
        server = server_at(self.room.server)
        try:
            await live.ensure_janus_room(self.room, self.description, self.record_to)
            self.backend = await connect(server.url, subprotocols=["janus-protocol"])  # type: ignore[list-item]
        except (OSError, WebSocketException, JanusError) as error:
            logger.warning("media server %s unavailable: %s", server.url, error)
            return False
        self.reader = asyncio.create_task(self._relay_from_janus(self.backend))
        return True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.shut:
            return  # messages already on their way when the proxy closed for too much
        try:
            message = protocol.read_message(protocol.JANUS_LIMITS, self.budget, text_data, bytes_data)
        except protocol.TooMuch as too_much:
            await self._refuse({}, Refusal(too_much.code, str(too_much)))
            await self._shut(too_much.close)
            return
        except protocol.Unreadable as unreadable:
            await self._refuse({}, Refusal(400, str(unreadable)))
            return
        if not isinstance(message, dict):
            await self._refuse({}, Refusal(400, "not a Janus message"))
            return
        if self.turned_away is not None:
            await self._refuse(message, TURNED_AWAY[self.turned_away])
            await self._shut(self.turned_away)
            return
        await self._forward(message)

    async def _forward(self, message: dict[str, Any]) -> None:
        if message.get("janus") == "create" and not await self._ensure_backend():
            await self._refuse(message, Refusal(503, MEDIA_UNAVAILABLE))
            return
        body = message.get("body")
        if message.get("janus") == "message" and isinstance(body, dict) and body.get("request") == "join":
            self.policy.admitted = await self._admitted()
        if SignalingPolicy.wants_rights(message):
            self.policy.rights = await self._rights()  # fresh on every offer: a grant may have changed
        verdict = self.policy.inbound(message)
        if isinstance(verdict, Refusal):
            logger.info("refused a message from %s: %s", self.policy.seat.display, verdict.reason)
            await self._refuse(message, verdict)
            if verdict.close is not None:
                await self._shut(verdict.close)
            return
        if self.backend is None:
            await self._refuse(message, Refusal(503, MEDIA_UNAVAILABLE))
            return
        await self.backend.send(json.dumps(verdict))

    async def _shut(self, code: int) -> None:
        """Stop relaying either way and close with `code`: after a close, nothing may be sent."""
        self.shut = True
        if self.reader is not None:
            self.reader.cancel()
        await self.close(code)

    async def _rights(self) -> tuple[bool, bool]:
        seat = self.policy.seat
        rights: tuple[bool, bool] = await database_sync_to_async(queries.publishing_rights)(
            seat.engagement_id, seat.person_id, seat.role, timezone.now()
        )
        return rights

    async def _enforce_rights(self) -> None:
        """Stop on Janus, from here, every publication of this connection that sends more than the
        seat may send now (a withdrawn or expired grant): the page need not cooperate."""
        if not self.policy.published or self.backend is None:
            return
        self.policy.rights = await self._rights()
        for handle in self.policy.over_rights():
            logger.info("stopping the publication of %s: no longer allowed", self.policy.seat.display)
            with contextlib.suppress(WebSocketException):
                await self.backend.send(json.dumps(self.policy.unpublish(handle)))

    async def _admitted(self) -> bool:
        seat = self.policy.seat
        if not seat.in_lobby:
            return True
        state: AdmissionState | None = await database_sync_to_async(queries.admission_state)(seat)
        return state == AdmissionState.ADMITTED

    async def _refuse(self, message: dict[str, Any], refusal: Refusal) -> None:
        transaction, session = message.get("transaction"), message.get("session_id")
        answer: dict[str, Any] = {
            "janus": "error",
            "transaction": transaction if isinstance(transaction, str) else None,
            "error": {"code": refusal.code, "reason": refusal.reason},
        }
        if isinstance(session, int):
            answer["session_id"] = session
        await self.send(json.dumps(answer))

    async def _relay_from_janus(self, backend: ClientConnection) -> None:
        try:
            async for raw in backend:
                message = json.loads(raw)
                if self.policy.is_own(message):
                    continue  # the answer to the proxy's own unpublish: not the page's business
                message = self.policy.outbound(message)
                await self._note_own_id(message)
                await self._watch(message)
                await self.send(self.policy.scrub(json.dumps(message)))
        except WebSocketException:
            pass
        # Janus went away (crash or restart): the page reconnects and rejoins by itself.
        self.backend = None
        with contextlib.suppress(Exception):
            await self.close(CLOSE_MEDIA_GONE)

    async def _watch(self, message: dict[str, Any]) -> None:
        """React to what Janus says about this connection's own publisher: media that starts when
        the seat may no longer publish it is stopped (a withdrawal that came before the media was
        up), and its talking and stopped-talking events are noted for the room."""
        if message.get("janus") == "webrtcup" and message.get("sender") in self.policy.published:
            await self._enforce_rights()
            return
        data = message.get("plugindata", {}).get("data", {})
        if not isinstance(data, dict) or data.get("videoroom") not in TALKING:
            return
        person = self.policy.seat.person_id
        if person is None or self.my_janus_id is None or data.get("id") != self.my_janus_id:
            return  # someone else's: their own proxy notes it
        await database_sync_to_async(actions.do_note_talking)(
            self.policy.seat.engagement_id,
            person,
            data["videoroom"] == "talking",
            timezone.now(),
            feed=self.my_janus_id,
        )

    async def _note_own_id(self, message: dict[str, Any]) -> None:
        """Janus says this connection joined as a publisher: keep its id, and note for the room whose
        voice that publisher carries."""
        data = message.get("plugindata", {}).get("data", {})
        if not isinstance(data, dict) or data.get("videoroom") != "joined":
            return
        feed = data.get("id")
        self.my_janus_id = feed if isinstance(feed, int) else None
        if self.my_janus_id is not None:
            self.own_feeds.add(self.my_janus_id)
            await database_sync_to_async(actions.do_note_live_feed)(
                self.room, self.my_janus_id, self.policy.seat, timezone.now()
            )

    async def room_event(self, payload: dict[str, Any]) -> None:
        if self.shut:
            return
        event = payload["event"]
        if event["type"] == "room.ended":
            await self._shut(CLOSE_CLOSED)
            return
        if event["type"] == "publishing.changed":
            await self._enforce_rights()
            return
        withdrawn = _refused_after_admission(event, self.policy.seat) or (
            event["type"] == "seat.revoked" and not await _still_seated(self.scope, self.policy.seat)
        )
        if withdrawn:
            self.shut = True  # nothing more to the page while Janus lets the person go
            for feed in sorted(self.own_feeds):
                with contextlib.suppress(JanusError):  # one gone already
                    await live.kick(self.room, feed)
            await self._shut(CLOSE_DENIED)

    async def disconnect(self, code: int) -> None:
        # Closing our socket to Janus ends the Janus session: the participant leaves the room.
        if self.closer is not None:
            self.closer.cancel()
        if self.backend is not None:
            await self.backend.close()
        if self.reader is not None:
            self.reader.cancel()
        left = database_sync_to_async(actions.do_note_feed_left)
        for feed in sorted(self.own_feeds):
            await left(self.room, feed, timezone.now())
        if hasattr(self, "policy"):
            for group in self._groups():
                await self.channel_layer.group_discard(group, self.channel_name)


class RoomControlConsumer(AsyncJsonWebsocketConsumer):
    """The room's control channel: its state, the lobby, and ending the meeting."""

    arrival: Arrival
    seq = 0
    budget: protocol.MessageBudget
    shut = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = protocol.CONTROL_LIMITS.budget()

    async def connect(self) -> None:
        arrival = await _arrive(self.scope)
        if arrival is None:
            # Accepted, then closed with the code that says why: refused during the handshake, a
            # socket reaches the page as a bare HTTP 403.
            await self.accept()
            await self.close(CLOSE_DENIED)
            return
        self.arrival = arrival
        # Past its end a room is still open while people are in it: tell the page as the proxy will.
        status = RoomStatus.OPEN if await _may_enter(arrival) else arrival.status
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self._send("room.state", await database_sync_to_async(self._snapshot)(status))

    def _groups(self) -> list[str]:
        seat = self.arrival.seat
        groups = [protocol.room_group(seat.engagement_id), protocol.seat_group(seat.engagement_id, seat.key)]
        if seat.can.keeps_lobby:
            groups.append(protocol.keepers_group(seat.engagement_id))
        return groups

    def _snapshot(self, status: RoomStatus) -> dict[str, Any]:
        seat = self.arrival.seat
        waiting = queries.waiting_list(seat.engagement_id) if seat.can.keeps_lobby else []
        audio, video = queries.publishing_rights(
            seat.engagement_id, seat.person_id, seat.role, timezone.now()
        )
        return {
            "status": status,
            "admission": self.arrival.admission,
            "waiting": [{"person": w.person_id, "display": w.display} for w in waiting],
            "publishing": {"audio": audio, "video": video},
            **channels.seat_part(seat),
        }

    async def _send(
        self, type_: str, body: dict[str, Any], in_response: str | None = None, **extra: Any
    ) -> None:
        self.seq += 1
        envelope: dict[str, Any] = {
            "type": type_,
            "id": f"s{self.seq}",
            "seq": self.seq,
            "body": body,
            **extra,
        }
        if in_response is not None:
            envelope["in_response"] = in_response
        await self.send_json(envelope)

    async def _error(self, code: ErrorCode, reason: str, in_response: str | None = None) -> None:
        """`{type: "error", code, reason, in_response}`, the reason in the body too (version 4's place)."""
        await self._send("error", {"reason": reason}, in_response, code=code.value, reason=reason)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """Read one message within the socket's limits; what is not a command gets an `error`."""
        if self.shut:
            return  # messages already on their way when the channel closed for too much
        try:
            content = protocol.read_message(protocol.CONTROL_LIMITS, self.budget, text_data, bytes_data)
        except protocol.TooMuch as too_much:
            code = ErrorCode.TOO_FAST if too_much.close == protocol.CLOSE_TOO_FAST else ErrorCode.TOO_LARGE
            await self._error(code, str(too_much))
            self.shut = True
            await self.close(too_much.close)
            return
        except protocol.Unreadable as unreadable:
            await self._error(ErrorCode(unreadable.kind), str(unreadable))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        try:
            command = protocol.Command.model_validate(content)
        except ValidationError as error:
            sent_id = content.get("id") if isinstance(content, dict) else None
            in_response = sent_id if isinstance(sent_id, str) else None
            await self._error(ErrorCode.NOT_A_COMMAND, f"not a command: {first_problem(error)}", in_response)
            return
        handler = COMMANDS.get(command.type)
        if handler is None:
            await self._error(ErrorCode.UNKNOWN_COMMAND, f"unknown command '{command.type}'", command.id)
            return
        try:
            body = await handler(self, command)
        except actions.RoomActionRefused as error:
            await self._error(error.code, str(error), command.id)
            return
        except ValidationError as error:
            reason = f"not a command: {first_problem(error, 'body')}"
            await self._error(ErrorCode.INVALID, reason, command.id)
            return
        await self._send("ok", body, command.id)

    async def knock(self, command: protocol.Command) -> dict[str, Any]:
        state = await database_sync_to_async(actions.do_knock)(self.arrival.seat)
        return {"admission": state}

    async def decide(self, command: protocol.Command) -> dict[str, Any]:
        person = protocol.PersonBody.model_validate(command.body).person
        admit = command.type == "lobby.admit"
        await database_sync_to_async(actions.check_decide_admission)(self.arrival.seat, person, admit)
        return {}

    async def end(self, command: protocol.Command) -> dict[str, Any]:
        room = await database_sync_to_async(actions.check_end_room)(self.arrival.seat)
        with contextlib.suppress(JanusError):
            await live.destroy_janus_room(room)
        if room.recording == RecordingState.PENDING:
            ending.process_soon(room.pk)
        return {}

    async def take_channel(self, command: protocol.Command) -> dict[str, Any]:
        person = None
        if command.type == "channel.hand_over":
            person = protocol.PersonBody.model_validate(command.body).person
        else:
            protocol.NoBody.model_validate(command.body)
        await database_sync_to_async(actions.check_take_channel)(self.arrival.seat, person)
        return {}

    async def room_event(self, payload: dict[str, Any]) -> None:
        if self.shut:
            return
        event = dict(payload["event"])
        kind = event.pop("type")
        if kind == "seat.revoked" and await _still_seated(self.scope, self.arrival.seat):
            return  # meant for the person's older link, or a change that leaves this seat as it was
        await self._send(kind, event)
        if kind in {"seat.revoked", "room.ended"}:
            self.shut = True  # after the close, nothing may be sent
            await self.close(CLOSE_DENIED if kind == "seat.revoked" else CLOSE_CLOSED)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "arrival"):
            for group in self._groups():
                await self.channel_layer.group_discard(group, self.channel_name)


COMMANDS = {
    "lobby.knock": RoomControlConsumer.knock,
    "lobby.admit": RoomControlConsumer.decide,
    "lobby.refuse": RoomControlConsumer.decide,
    "room.end": RoomControlConsumer.end,
    "channel.take": RoomControlConsumer.take_channel,
    "channel.hand_over": RoomControlConsumer.take_channel,
}
