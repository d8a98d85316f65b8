"""Passing on room events that other processes wrote to `RelayedEvent` (no shared channel layer).

`virtualtrip serve` runs a `Relay` on its event loop, beside the sockets: every `RELAY_EVERY_S` it
reads the recent events made by any process but itself and sends those it has not sent yet to the
groups they name, so a revocation made by a command reaches an open room within a second or two.
Events are picked by time and remembered by id, rather than "every id above the last one seen": ids
are handed out when a row is written, so a long transaction (a re-import) can commit a lower id after
a short one committed a higher id.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from virtualtrip.realtime import ORIGIN
from virtualtrip.realtime.models import RelayedEvent

logger = logging.getLogger(__name__)

RELAY_EVERY_S = 1.0
WINDOW = timedelta(minutes=5)
"""How far back each look reaches: longer than any transaction that makes events."""
KEEP = timedelta(minutes=15)
"""How long an event stays in the table."""


async def repeat(every: float, step: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `step` every `every` seconds until cancelled; a failed step (the database restarting,
    the media server away) is logged as `what` failed and does not stop the next one."""
    while True:
        await asyncio.sleep(every)
        try:
            await step()
        except Exception:
            logger.exception("%s failed", what)


def recent_events(since: datetime) -> list[RelayedEvent]:
    """Events made by other processes since `since`, oldest first."""
    return list(RelayedEvent.objects.filter(created_at__gte=since).exclude(origin=ORIGIN).order_by("id"))


def forget_old_events(now: datetime) -> None:
    RelayedEvent.objects.filter(created_at__lt=now - KEEP).delete()


class Relay:
    """Sends each event made elsewhere once; events from before it started are old news."""

    def __init__(self) -> None:
        self.started = timezone.now()
        self.sent: dict[int, datetime] = {}

    async def once(self) -> int:
        """One look: the number of events sent."""
        now = timezone.now()
        layer = get_channel_layer()
        fresh = [
            event
            for event in await database_sync_to_async(recent_events)(max(self.started, now - WINDOW))
            if event.pk not in self.sent
        ]
        for event in fresh:
            self.sent[event.pk] = event.created_at
            if layer is not None:
                await layer.group_send(event.group, event.payload)
        self.sent = {pk: made for pk, made in self.sent.items() if made >= now - WINDOW}
        return len(fresh)

    async def forever(self, every: float = RELAY_EVERY_S) -> None:
        """Relay until cancelled, clearing out old rows now and then."""
        looks = 0

        async def look() -> None:
            nonlocal looks
            await self.once()
            looks += 1
            if looks % 60 == 0:
                await database_sync_to_async(forget_old_events)(timezone.now())

        await repeat(every, look, "relaying room events")
