"""The in-memory channel layer, made to fan one event out to thousands of sockets in one process.

Channels' `InMemoryChannelLayer` sweeps every channel and group for expired messages on each
`receive` and `group_send`, and a socket calls `receive` again after every message: one event to N
sockets costs N² steps (731 ms for 1,000 sockets, 1.5 s for 2,000; see docs/benchmarks.md). It also
copies the message once for each member and makes a task per member. This one sweeps at most once a
second, and puts one copy of a group's message in every member's queue: the consumers only read it.
"""

import asyncio
import contextlib
import time
from copy import deepcopy
from typing import Any

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_EVERY_S = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):  # type: ignore[misc]
    swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self.swept_at < SWEEP_EVERY_S:
            return
        self.swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        shared = (time.time() + self.expiry, deepcopy(message))
        for channel in list(self.groups.get(group, {})):
            queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
            # As Channels does, a member too far behind misses the message (the journal has it).
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(shared)
