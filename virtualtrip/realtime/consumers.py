"""A socket that resumes: it opens with the last `seq` its page saw and is sent what it missed.

Subclasses say who the browser is (`authenticate`), which stream it follows, what the state looks
like to that viewer (`snapshot`, the app's `initial_state`) and what of each event it may see
(`view`), and name their commands. Events are delivered once each and in seq order: a gap (events
committed by two processes arrive out of order) is filled from the journal, a repeat is dropped.

Contract with the page: an event's body replaces the parts of the state it names, so applying an
event twice changes nothing. That is why the state can be read after the head: an event that lands
in between is in the state and is also sent, harmlessly.

The stream's events come from the room's hub (`hub`), which receives each once for all of this
process's sockets and hands it to each (`hand`); the socket's own channel carries the rest (its
seat's revocations). A socket sends an event there and then unless it is busy (catching up,
answering a command, filling a gap from the journal, or waiting for its write buffer to drain):
then the event waits its turn in `backlog`, so each socket still sends in seq order, after the
answer to the command that made the event, and one slow socket holds up only itself.
"""

import asyncio
import contextlib
import json
import logging
import re
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from pydantic import ValidationError

from virtualtrip.realtime import hub, journal
from virtualtrip.realtime.eager import start_eagerly
from virtualtrip.realtime.limits import (
    CLOSE_TOO_FAST,
    MessageBudget,
    SocketLimits,
    TooMuch,
    Unreadable,
    read_message,
)
from virtualtrip.realtime.protocol import Command, ErrorCode, Refused, envelope, error, first_problem

logger = logging.getLogger(__name__)

CLOSE_DENIED = 4403
CLOSE_FAILED = 1011
"""The server could not send the socket its events (the journal unreadable): the page reconnects
and resumes from the last seq it saw."""
CLOSE_TOO_MANY_SOCKETS = 4431
COMMAND_LIMITS = SocketLimits(max_chars=16 * 1024, burst=30, per_second=3)
"""A command is a click: a few a second at most. Past the budget a command is answered `too_fast`
and dropped; a socket that goes on sending that fast after `burst` such answers is closed."""
Handler = Any
"""A command handler: `(viewer, body) -> dict`, run in a worker thread; raises Refused."""


class Unseated(Exception):
    """The socket's browser no longer holds the seat it connected with."""


Made = TypeVar("Made")


class PerEvent(Generic[Made]):
    """What this process worked out once for an event (by stream, seq and whatever else the key
    holds), for every socket of the room: the last `size` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.made: OrderedDict[Hashable, Made] = OrderedDict()

    def get_or_make(self, key: Hashable, make: Callable[[], Made]) -> Made:
        if key not in self.made:
            self.made[key] = make()
            while len(self.made) > self.size:
                self.made.popitem(last=False)
        return self.made[key]


class OpenSockets:
    """How many sockets each key (a seat) holds open in this process, each up to a limit. Used on
    the event loop only, so taking a place needs no lock."""

    def __init__(self) -> None:
        self.open: Counter[Hashable] = Counter()

    def take(self, key: Hashable, limit: int) -> bool:
        """One more socket for `key`; False, and nothing taken, when it already holds `limit`."""
        if self.open[key] >= limit:
            return False
        self.open[key] += 1
        return True

    def give_back(self, key: Hashable) -> None:
        self.open[key] -= 1
        if self.open[key] <= 0:
            del self.open[key]


ENCODED: PerEvent[str] = PerEvent(size=256)
"""Events as JSON text by stream, seq and view name: one event to 5,000 sockets is encoded a few
times, not 5,000."""


SEQ = re.compile(r"[0-9]{1,18}")
"""A seq as a page sends it: ASCII digits only (`"²".isdigit()` is true, and `int("²")` fails)."""


def since_from(scope: dict[str, Any]) -> int | None:
    """The `since` the page opened the socket with (`?since=41`); None for a first connection or a
    value that is not a seq."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("since", [])
    if not values or not SEQ.fullmatch(values[0]):
        return None
    return int(values[0])


class ResumableConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    commands: ClassVar[dict[str, Handler]] = {}
    limits: ClassVar[SocketLimits] = COMMAND_LIMITS
    state_type: ClassVar[str] = "state"
    viewer: Any
    stream: str
    last_seq = 0
    refused_in_a_row = 0
    budget: MessageBudget
    shut = False
    occupied = False
    following = False
    """In the stream's hub."""
    backlog: deque[journal.Event]
    """The stream's events handed to the socket and not sent yet (it is busy), oldest first."""
    holds = 0
    """Connecting or answering a command: events wait (`_holding`)."""
    draining = False
    sending: "asyncio.Task[None] | None" = None
    """A turn through the backlog that had to wait (a full write buffer, a gap read from the journal)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = self.limits.budget()
        self.answers = 0
        self.backlog = deque()

    # What a subclass provides: called in a worker thread, so they may read the database.
    def authenticate(self) -> Any | None:
        raise NotImplementedError

    def stream_of(self, viewer: Any) -> str:
        raise NotImplementedError

    def groups_of(self, viewer: Any) -> list[str]:
        """Other groups the socket listens to (a seat's own, for its revocation)."""
        return []

    def snapshot(self, viewer: Any) -> dict[str, Any]:
        raise NotImplementedError

    def view(self, event: journal.Event, viewer: Any) -> dict[str, Any] | None:
        """What `viewer` sees of `event`: its body, part of it, or None (nothing). Runs on the event
        loop for every socket of the room, so it must not touch the database."""
        raise NotImplementedError

    def occupy(self, viewer: Any) -> str | None:
        """Take this socket's place among its viewer's (a cap on sockets per seat): None when taken,
        else why not, which the socket is answered with (`too_many_sockets`) before it closes with
        4431. Runs on the event loop. A place taken is given back by `vacate`, once."""
        return None

    def vacate(self) -> None:
        """Give back the place `occupy` took, however the socket ends."""

    def view_key(self, event: journal.Event, viewer: Any) -> Hashable | None:
        """A name for what `viewer` sees of `event`, the same for every viewer who sees the same
        (`console`, `public`): the event is then encoded once per name in this process, not once
        per socket. None: this viewer's view is their own."""
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """The socket's whole life: its place is given back however it ends (a disconnect, an error
        in a handler, the server cancelling it)."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._unfollow()
            self._vacate()

    def _vacate(self) -> None:
        if self.occupied:
            self.occupied = False
            self.vacate()

    async def connect(self) -> None:
        viewer = await database_sync_to_async(self.authenticate)()
        if viewer is None:
            await self.accept()  # then closed with the code that says why (see docs/protocol.md)
            await self.close(CLOSE_DENIED)
            return
        refused = self.occupy(viewer)
        if refused is not None:
            await self.accept()
            await self._answer_error(None, ErrorCode.TOO_MANY_SOCKETS, refused)
            self.shut = True
            await self.close(CLOSE_TOO_MANY_SOCKETS)
            return
        self.viewer, self.stream = viewer, self.stream_of(viewer)
        self.occupied = True
        # Followed before reading, so nothing committed after the read is missed: it waits in the
        # backlog until the catch-up is sent, and what the read already covered is dropped by its seq.
        async with self._holding():
            self.following = True
            await hub.join(self.channel_layer, self.stream, self)
            for group in self.groups_of(viewer):
                await self.channel_layer.group_add(group, self.channel_name)
            await self.accept()
            await self._catch_up(since_from(self.scope))

    async def _catch_up(self, since: int | None) -> None:
        caught = await database_sync_to_async(journal.catch_up)(self.stream, since)
        if caught.missed is None:
            state = await database_sync_to_async(self.snapshot)(self.viewer)
            self.last_seq = caught.head
            await self.send_json(envelope(self.state_type, f"s{caught.head}", caught.head, state))
            return
        self.last_seq = since or 0
        for event in caught.missed:
            await self._send_event(event)
        self.last_seq = caught.head
        await self.send_json(
            envelope("resumed", f"r{caught.head}", caught.head, {"missed": len(caught.missed)})
        )

    def hand(self, event: journal.Event) -> None:
        """The stream's next event, from its hub: sent now, or after what the socket is busy with."""
        if self.shut:
            return
        self.backlog.append(event)
        if not self.holds and not self.draining:
            self.sending = start_eagerly(self._drain())

    async def _drain(self) -> None:
        """Send the backlog's events in turn, until it is empty or held."""
        self.draining = True
        try:
            while self.backlog and not self.holds and not self.shut:
                await self._send_in_order(self.backlog.popleft())
        except OSError:
            self.shut = True  # the socket closed under the send: its disconnect comes next
        except Exception:
            logger.exception("sending %s's events failed: the socket closes to resume", self.stream)
            self.shut = True
            with contextlib.suppress(Exception):
                await self.close(CLOSE_FAILED)
        finally:
            self.draining = False
            self.sending = None

    @contextlib.asynccontextmanager
    async def _holding(self) -> AsyncIterator[None]:
        """Events wait in the backlog meanwhile: those committed while the socket catches up are
        sent after the catch-up (dropped by seq where it covered them), and those a command made
        after its answer, as when each socket read its own channel one message at a time."""
        self.holds += 1
        try:
            yield
        finally:
            self.holds -= 1
        if not self.holds and not self.draining:
            await self._drain()

    async def _send_in_order(self, event: journal.Event) -> None:
        if event.seq <= self.last_seq:
            return  # already sent: in the snapshot, or in the catch-up
        if event.seq > self.last_seq + 1:
            gap = await database_sync_to_async(journal.events_between)(
                self.stream, self.last_seq, event.seq - 1
            )
            for missing in gap:
                await self._send_event(missing)
        await self._send_event(event)

    async def _unfollow(self) -> None:
        """Leave the stream's hub, once, however the socket ends."""
        if self.sending is not None:
            self.sending.cancel()
        if self.following:
            self.following = False
            await hub.leave(self.channel_layer, self.stream, self)

    async def _send_event(self, event: journal.Event) -> None:
        self.last_seq = max(self.last_seq, event.seq)
        name = self.view_key(event, self.viewer)
        if name is None:
            text = self._encoded(event)
        else:
            text = ENCODED.get_or_make((self.stream, event.seq, name), lambda: self._encoded(event))
        if text:
            # What `send(text_data=...)` sends, without its two calls on the way: this runs for
            # every socket of the room.
            await self.base_send({"type": "websocket.send", "text": text})

    def _encoded(self, event: journal.Event) -> str:
        """The event's envelope as this viewer is sent it, as JSON text ("" when they see nothing)."""
        body = self.view(event, self.viewer)
        return "" if body is None else json.dumps(envelope(event.type, f"e{event.seq}", event.seq, body))

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if self.shut:
            return
        try:
            content = read_message(self.limits, self.budget, text_data, bytes_data)
        except TooMuch as too_much:
            await self._too_much(too_much, text_data)
            return
        except Unreadable as unreadable:
            code = ErrorCode(unreadable.kind)
            await self._answer_error(None, code, str(unreadable))
            return
        self.refused_in_a_row = 0
        async with self._holding():
            await self._command(content)

    @staticmethod
    def _id_of(text: str | None) -> str | None:
        """The id of a short command refused unread, so the page knows which one was dropped."""
        if text is None or len(text) > 1024:
            return None
        try:
            sent = json.loads(text)
        except ValueError:
            return None
        sent_id = sent.get("id") if isinstance(sent, dict) else None
        return sent_id if isinstance(sent_id, str) else None

    async def _too_much(self, too_much: TooMuch, text: str | None = None) -> None:
        """Over the size: refused. Over the rate: refused and told to slow down, then closed when it
        does not."""
        if too_much.close != CLOSE_TOO_FAST:
            await self._answer_error(None, ErrorCode.TOO_LARGE, str(too_much))
            self.shut = True
            await self.close(too_much.close)
            return
        self.refused_in_a_row += 1
        if self.refused_in_a_row > self.limits.burst:
            self.shut = True
            await self.close(CLOSE_TOO_FAST)
            return
        reason = f"slow down: at most {self.limits.per_second:g} commands a second"
        await self._answer_error(self._id_of(text), ErrorCode.TOO_FAST, reason)

    async def _command(self, content: Any) -> None:
        sent_id = content.get("id") if isinstance(content, dict) else None
        in_response = sent_id if isinstance(sent_id, str) else None
        try:
            command = Command.model_validate(content)
        except ValidationError as invalid:
            await self._answer_error(
                in_response, ErrorCode.NOT_A_COMMAND, f"not a command: {first_problem(invalid)}"
            )
            return
        handler = self.commands.get(command.type)
        if handler is None:
            if await self._still_seated():
                await self._answer_error(
                    command.id, ErrorCode.UNKNOWN_COMMAND, f"unknown command '{command.type}'"
                )
            return
        try:
            body = await database_sync_to_async(self._seated_handling)(handler, command.body)
        except Unseated:
            await self._unseat()
            return
        except Refused as refused:
            await self._answer_error(command.id, refused.code, refused.reason)
            return
        except ValidationError as invalid:
            await self._answer_error(command.id, ErrorCode.INVALID, first_problem(invalid, "body"))
            return
        self.answers += 1
        await self.send_json({**envelope("ok", f"a{self.answers}", None, body), "in_response": command.id})

    def _seated_handling(self, handler: Handler, body: Any) -> Any:
        """The command's handling, once the seat is looked at again, in the same hop to the worker
        thread: one hop a command, not two, on a loop that may be fanning out to thousands. (The look
        is not in the handler's transaction: a revocation committed between the two lets this one
        command through, as it would a moment earlier.)"""
        if not self._holds_seat():
            raise Unseated
        return handler(self.viewer, body)

    def _holds_seat(self) -> bool:
        viewer = self.authenticate()
        return viewer is not None and viewer == self.viewer

    async def _still_seated(self) -> bool:
        """Whether the browser still holds the seat it connected with (checked again before each
        command and on a revocation): a removed person or a replaced link loses the socket."""
        if await database_sync_to_async(self._holds_seat)():
            return True
        await self._unseat()
        return False

    async def _unseat(self) -> None:
        self.shut = True
        await self.close(CLOSE_DENIED)

    async def room_event(self, payload: dict[str, Any]) -> None:
        """A seat's event from rooms: on a revocation or the room's end, look at the seat again."""
        if not self.shut and payload.get("event", {}).get("type") in {"seat.revoked", "room.ended"}:
            await self._still_seated()

    async def _answer_error(self, in_response: str | None, code: ErrorCode, reason: str) -> None:
        self.answers += 1
        await self.send_json(error(f"a{self.answers}", in_response, code, reason))

    async def disconnect(self, code: int) -> None:
        self._vacate()
        await self._unfollow()
        if hasattr(self, "stream"):
            for group in self.groups_of(self.viewer):
                await self.channel_layer.group_discard(group, self.channel_name)
