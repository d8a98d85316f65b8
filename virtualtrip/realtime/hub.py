"""A room's events reach this process once, and its sockets from here.

Channels gives every socket a channel of its own and a task that waits on it: one event to a room
of 5,000 sockets was 5,000 layer receives (with Redis, 5,000 decodes of the same bytes), each waking
its socket's task, which then waited on the layer again (docs/benchmarks.md). Here each stream (a
room's floor) has one `StreamHub` per process and event loop: one layer channel in the stream's
group, one receive, one decode, and the event handed to each socket of the stream that this process
serves, in the order the layer delivered it. What a socket does with it (the seq check, the journal
for a gap, what its viewer may see) is the socket's own (`Member.hand`).

A hub is made by the first socket of its stream and ends with the last one: its channel leaves the
group, so an ended room costs nothing.
"""

import asyncio
import contextlib
import logging
import weakref
from typing import Any, Protocol

from virtualtrip.realtime.journal import EVENT_MESSAGE, Event

logger = logging.getLogger(__name__)

RETRY_S = 1.0
"""How long a hub waits after its layer failed to receive before it tries again."""


class Member(Protocol):
    """A socket following a stream."""

    def hand(self, event: Event) -> None:
        """Take the stream's next event as the layer delivered it. Runs on the hub's loop for every
        socket of the stream: it must not wait, nor raise."""


class StreamHub:
    """The sockets of one stream in this process, and the layer channel that receives for them."""

    def __init__(self, layer: Any, group: str) -> None:
        self.layer = layer
        self.group = group
        self.members: dict[Member, None] = {}
        """In the order they joined (a dict as an ordered set)."""
        self.channel = ""
        self.subscribed: asyncio.Task[None] = asyncio.ensure_future(self._subscribe())
        self.listening: asyncio.Task[None] | None = None

    async def _subscribe(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.listening = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        try:
            while True:
                try:
                    message = await self.layer.receive(self.channel)
                except Exception:  # the layer's own trouble (Redis away): the room goes on after it
                    logger.exception("receiving the events of %s failed", self.group)
                    await asyncio.sleep(RETRY_S)
                    continue
                if message.get("type") == EVENT_MESSAGE:
                    self.hand_out(message)
        finally:
            with contextlib.suppress(Exception):  # the layer may be gone with its loop
                await self.layer.group_discard(self.group, self.channel)

    def hand_out(self, message: dict[str, Any]) -> None:
        try:
            event = Event.from_message(message["event"])
        except (KeyError, TypeError, ValueError):
            logger.exception("an unreadable event for %s was dropped", self.group)
            return
        for member in list(self.members):
            try:
                member.hand(event)
            except Exception:  # one socket's fault is not the room's
                logger.exception("a socket of %s failed to take event %s", self.group, event.seq)

    async def close(self) -> None:
        """Stop receiving, and wait until the channel has left the group (`_listen`'s last step)."""
        tasks = [self.subscribed, *([self.listening] if self.listening is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


HUBS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, str], StreamHub]]" = (
    weakref.WeakKeyDictionary()
)
"""The hubs of each event loop by layer and stream: a process's tests run one loop after another,
and a hub's channel and tasks belong to the loop it was made in."""


def _hubs() -> dict[tuple[Any, str], StreamHub]:
    return HUBS.setdefault(asyncio.get_running_loop(), {})


async def join(layer: Any, group: str, member: Member) -> None:
    """Hand `member` every event sent to `group` from now on: once this returns, the hub's channel is
    in the group, so an event committed after it is not missed."""
    hubs = _hubs()
    hub = hubs.get((layer, group))
    if hub is None:
        hub = hubs[(layer, group)] = StreamHub(layer, group)
    hub.members[member] = None
    try:
        await asyncio.shield(hub.subscribed)
    except BaseException:
        await leave(layer, group, member)  # the last to give up ends the hub: the next tries afresh
        raise


async def leave(layer: Any, group: str, member: Member) -> None:
    """Hand `member` nothing more; the last member to leave ends the hub. Nothing happens for a
    member that is not in it (a socket that ends twice)."""
    hubs = _hubs()
    hub = hubs.get((layer, group))
    if hub is None or member not in hub.members:
        return
    del hub.members[member]
    if not hub.members:
        del hubs[(layer, group)]  # a socket that joins meanwhile starts a hub of its own
        await hub.close()


def hub_of(layer: Any, group: str) -> StreamHub | None:
    """This loop's hub for `group`, if a socket follows it."""
    return _hubs().get((layer, group))
