"""After a meeting: ending rooms that were left empty past their end, and making recorded rooms' audio;
during one: withdrawing publishing grants whose time ran out.

`virtualtrip serve` sweeps in the background (`sweep_forever` on its event loop, or `Sweeper`'s thread
beside several workers); "End the meeting" asks for the recording to be
made at once (`process_soon`). Both go through `do_claim_recording`, so a recording is made once even
when several processes look at it.
"""

import asyncio
import contextlib
import logging
import threading
from datetime import datetime, timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from virtualtrip.realtime.relay import repeat
from virtualtrip.rooms import actions, channels, live, queries
from virtualtrip.rooms.janus.client import JanusError
from virtualtrip.rooms.models import Room
from virtualtrip.rooms.recordings import RecordingProblem, make_tracks

logger = logging.getLogger(__name__)

ENDED_BY_SCHEDULE = "the schedule (the room was empty)"
SWEEP_EVERY_S = 30.0
RECORDERS_SETTLE_S = 2.0
"""Janus closes a destroyed room's recorders as it hangs up each participant: a moment after."""

_background: set[asyncio.Task[None]] = set()


def process_recording(room_id: int) -> bool:
    """Make the audio of one ended, recorded room, if nobody else is making it; True when made."""
    if not actions.do_claim_recording(room_id):
        return False
    room = Room.objects.get(pk=room_id)
    try:
        tracks = make_tracks(room.engagement_id, channels.recording_plan(room))
    except (RecordingProblem, OSError) as problem:
        logger.warning("recording of engagement %s failed: %s", room.engagement_id, problem)
        actions.do_fail_recording(room, str(problem))
        return False
    actions.do_store_recording(room, tracks)
    return True


def _process_in_thread(room_id: int) -> bool:
    close_old_connections()
    try:
        return process_recording(room_id)
    finally:
        close_old_connections()


def process_soon(room_id: int) -> None:
    """Make the recording in the background once Janus has closed its files."""

    async def later() -> None:
        await asyncio.sleep(RECORDERS_SETTLE_S)
        await asyncio.to_thread(_process_in_thread, room_id)

    task = asyncio.get_running_loop().create_task(later())
    _background.add(task)
    task.add_done_callback(_background.discard)


async def end_empty_rooms(now: datetime, seen_empty: set[int]) -> list[int]:
    """End the rooms still open well past their end that the media server finds empty twice in a row
    (once could be a Janus restart: its rooms come back when their people rejoin). Returns the rooms
    ended."""
    ended: list[int] = []
    grace = timedelta(minutes=settings.ROOM_SWEEP_GRACE_MINUTES)
    for room in await database_sync_to_async(queries.rooms_past_their_end)(now - grace):
        try:
            occupied = await live.room_is_occupied(room)
        except (JanusError, OSError) as error:
            logger.info("sweep: cannot see room of engagement %s: %s", room.engagement_id, error)
            continue
        if occupied:
            seen_empty.discard(room.pk)
            continue
        if room.pk not in seen_empty:
            seen_empty.add(room.pk)
            continue
        seen_empty.discard(room.pk)
        await database_sync_to_async(actions.do_end_room)(room, acting=ENDED_BY_SCHEDULE)
        with contextlib.suppress(JanusError):  # already gone with a Janus restart: nothing to destroy
            await live.destroy_janus_room(room)
        ended.append(room.engagement_id)
    return ended


async def sweep_once(seen_empty: set[int]) -> None:
    await database_sync_to_async(actions.do_withdraw_expired_grants)(timezone.now())
    await end_empty_rooms(timezone.now(), seen_empty)
    settled = timezone.now() - timedelta(seconds=RECORDERS_SETTLE_S)
    for room_id in await database_sync_to_async(queries.recordings_waiting)(settled):
        await asyncio.to_thread(_process_in_thread, room_id)


async def sweep_forever(every: float = SWEEP_EVERY_S) -> None:
    """Sweep every `every` seconds until cancelled, on the serving event loop: with the in-memory
    channel layer an event must be sent from the loop its sockets wait on (from another thread's
    loop it is delivered only when that loop next wakes, and not safely)."""
    seen_empty: set[int] = set()
    await repeat(every, lambda: sweep_once(seen_empty), "room sweep")


class Sweeper:
    """A thread that sweeps every `every` seconds until stopped (with Redis, whose layer any thread
    may use)."""

    def __init__(self, every: float = SWEEP_EVERY_S) -> None:
        self.every = every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="room-sweeper", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        seen_empty: set[int] = set()
        while not self.stopping.wait(self.every):
            try:
                asyncio.run(sweep_once(seen_empty))
            except Exception:  # a failed sweep must not stop the next one
                logger.exception("room sweep failed")
