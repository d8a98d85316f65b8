"""The in-memory channel layer, made to fan one event out to thousands of sockets in one process.

Channels' `InMemoryChannelLayer` sweeps every channel and group for expired messages on each
`receive` and `group_send`, and a socket calls `receive` again after every message: one event to N
sockets costs N² steps (731 ms for 1,000 sockets, 1.5 s for 2,000; see docs/benchmarks.md). It also
copies the message once for each member, and builds a new `asyncio.Queue` on every `receive` and for
every member of every `group_send` (its `setdefault` makes the default before looking), then drops a
channel's queue each time it is read empty: two queues made and one dropped per socket per event.

This one sweeps at most every SWEEP_EVERY_S, puts one copy of a group's message in every member's
queue (the consumers only read it) and makes a queue only where none is. As Channels does, it drops
a channel's queue once read empty: a queue belongs to the event loop it was first used in, and a
process's tests run one loop after another on the same layer.
"""

import asyncio
import contextlib
import time
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_EVERY_S = 10.0
"""Messages expire after a minute (Channels' default) and memberships after a day: a sweep every ten
seconds keeps to that closely enough, and a sweep (65 ms with 5,000 sockets) lands in one event's
fan-out in ten at most instead of in every one."""

Queue = asyncio.Queue[tuple[float, dict[str, Any]]]


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):  # type: ignore[misc]
    swept_at = 0.0

    def _queue(self, channel: str) -> Queue:
        queue: Queue | None = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self.swept_at < SWEEP_EVERY_S:
            return
        self.swept_at = now
        super()._clean_expired()

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, deepcopy(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def receive(self, channel: str) -> dict[str, Any]:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        shared = (time.time() + self.expiry, deepcopy(message))
        for channel in list(self.groups.get(group, {})):
            # As Channels does, a member too far behind misses the message (the journal has it).
            with contextlib.suppress(asyncio.QueueFull):
                self._queue(channel).put_nowait(shared)
