"""The caption worker: every open room's publishers, heard and captioned live.

Every second it looks at the open rooms and their publishers on Janus. For each publisher it has
Janus forward the audio (RTP, `rooms.live.forward_audio`) to a port of its own where ffmpeg listens,
and runs a `CaptionStream` on it with the room's names. Updates go to the room's control channel, at
most `UPDATES_PER_SECOND` partial ones a second for the whole room (finished cues always go); each
finished cue is kept (`actions.do_keep_caption`). A voice that stops sending still gets its silence,
on the clock, so that its last cue ends.

Who speaks, and the room's names, are looked up anew as the room changes: each update is labelled as
the room stands when it goes (a briefer gone on background is the attribution from then on, and their
name heard, even in words settled before, is written as it), and the reader is told the new names.
Whatever fails for a moment (Janus, the database, the channel layer) is logged and tried again: the
worker itself never stops for it."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections

from virtualtrip.realtime import send_event_on_commit
from virtualtrip.rooms import protocol as room_protocol
from virtualtrip.rooms import queries as room_queries
from virtualtrip.rooms.channels import channel_feeds
from virtualtrip.rooms.janus.client import JanusError
from virtualtrip.rooms.live import forward_audio, list_participants, stop_forward
from virtualtrip.rooms.models import Room
from virtualtrip.speech import actions
from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.captions.events import CaptionChanged
from virtualtrip.speech.captions.listening import Listener
from virtualtrip.speech.captions.reading import readers_on
from virtualtrip.speech.captions.stream import CaptionStream, CaptionUpdate, Reader
from virtualtrip.speech.captions.voices import caption_label, without_withheld
from virtualtrip.speech.engine import load_model, model_info
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.vocabulary import Vocabulary, vocabulary_for

logger = logging.getLogger(__name__)

UPDATES_PER_SECOND = 4
LOOK_EVERY_S = 1.0
RETRY_AFTER_S = 5.0
"""A publisher Janus would not forward (no audio yet: a journalist before the floor) is asked again."""
LAG_PADDED_S = 0.5
"""A voice silent on the wire this long gets that much silence, so its cue ends on time."""


class UpdateBudget:
    """At most `per_second` partial updates a second for a room; a finished cue always goes."""

    def __init__(self, per_second: float = UPDATES_PER_SECOND) -> None:
        self._gap = 1.0 / per_second
        self._next = 0.0

    def allows(self, final: bool, now: float) -> bool:
        if final:
            return True
        if now < self._next:
            return False
        self._next = now + self._gap
        return True


ReaderFor = Callable[[Vocabulary], Reader]
"""The room's model, told a vocabulary."""


@dataclass
class RoomCaptions:
    room: Room
    """As the last look found it: its engagement's ground rules are the ones in force."""
    read: Reader
    """Reads with the room's names (`vocabulary`) as they are now."""
    reader_for: ReaderFor | None = None
    """Makes `read` anew when the names change; None: they never do."""
    vocabulary: Vocabulary | None = None
    budget: UpdateBudget = field(default_factory=UpdateBudget)
    voices: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    refused: dict[int, float] = field(default_factory=dict)
    """Feeds Janus would not forward, with when it said so."""

    def renew(self, room: Room, vocabulary: Vocabulary) -> None:
        """The room as a later look found it, and its names now."""
        self.room = room
        if vocabulary != self.vocabulary and self.reader_for is not None:
            self.vocabulary = vocabulary
            self.read = self.reader_for(vocabulary)


def _room_reader(room: Room) -> ReaderFor:
    """Readers on the model, loaded once for the room."""
    info = model_info()
    return readers_on(load_model(info), info.english_only)


def _vocabulary(room: Room) -> Vocabulary:
    return vocabulary_for(room.engagement)


def _label(room: Room, feed: int) -> str:
    voice = room_queries.feed_voices(room, [feed]).get(feed)
    return caption_label(room.engagement, voice)


def _publish(
    captions: RoomCaptions, feed: int, update: CaptionUpdate, origin: float, label: str | None = None
) -> None:
    """Send the update to the room and keep it when finished, labelled (unless `label` is given) and
    worded as the room stands now: the ground rules may have changed since the cue began."""
    room = captions.room
    label = _label(room, feed) if label is None else label
    vocabulary = captions.vocabulary
    text = without_withheld(update.words, vocabulary) if vocabulary and update.words else update.text
    engagement_id = room.engagement_id
    event = CaptionChanged(voice=feed, cue=update.cue, speaker=label, text=text, final=update.final)
    send_event_on_commit(room_protocol.room_group(engagement_id), event)
    if update.final:
        actions.do_keep_caption(
            engagement_id,
            label,
            text,
            datetime.fromtimestamp(origin + update.start, UTC),
            datetime.fromtimestamp(origin + update.end, UTC),
        )


class Voice:
    """One publisher, captioned until its task is cancelled or its audio ends."""

    def __init__(self, captions: RoomCaptions, feed: int, host: str, port: int) -> None:
        self.captions = captions
        self.feed = feed
        self.host = host
        self.port = port
        self.stream = CaptionStream(lambda samples, before: captions.read(samples, before))
        self.label: str | None = None
        """The label to caption the voice with; None: looked up for each update (ground rules change)."""
        self.origin = 0.0
        """Wall time (epoch seconds) of the stream's first sample."""

    async def run(self) -> None:
        room = self.captions.room
        async with Listener(self.host, self.port) as listener:
            stream_id = await forward_audio(room, self.feed, self.host, self.port, listener.srtp_key)
            try:
                await self._caption(listener)
                if listener.failed:  # ffmpeg stopped on its own: logged, and the voice tried again
                    said = await listener.problem()
                    raise SpeechProblem(f"captions: listening on UDP {self.port} stopped: {said}")
            finally:
                with contextlib.suppress(JanusError):
                    await asyncio.shield(stop_forward(room, self.feed, stream_id))

    async def _caption(self, listener: Listener) -> None:
        chunks: asyncio.Queue[Samples | None] = asyncio.Queue()

        async def hear() -> None:
            async for chunk in listener.chunks():
                chunks.put_nowait(chunk)
            chunks.put_nowait(None)

        hearing = asyncio.create_task(hear())
        try:
            await self._step_while_heard(chunks)
        finally:
            hearing.cancel()
            updates = await asyncio.to_thread(self.stream.finish)
            await self._send(updates)

    async def _step_while_heard(self, chunks: "asyncio.Queue[Samples | None]") -> None:
        """Step the stream on what is heard, a step's worth at a time, reading in a thread while the
        next chunks queue up. Silence on the wire (a muted or gone publisher sends nothing) is silence
        in the stream, on the clock; chunks that queued while a step read are not (they came)."""
        pending: list[Samples] = []
        received = 0
        last_heard = time.monotonic()
        self.origin = time.time()
        while True:
            try:
                chunk = await asyncio.wait_for(chunks.get(), LAG_PADDED_S / 5)
            except TimeoutError:
                quiet = time.monotonic() - last_heard
                if not received or quiet < LAG_PADDED_S:
                    continue
                chunk = np.zeros(int(quiet * SAMPLE_RATE), dtype=np.float32)
            if chunk is None:
                return
            last_heard = time.monotonic()
            if received == 0:
                self.origin = time.time() - len(chunk) / SAMPLE_RATE
            pending.append(chunk)
            received += len(chunk)
            if sum(len(p) for p in pending) >= self.stream.step_samples:
                updates = await asyncio.to_thread(self._step, pending)
                pending = []
                await self._send(updates)

    def _step(self, pending: Iterable[Samples]) -> list[CaptionUpdate]:
        for piece in pending:
            self.stream.add(piece)
        return self.stream.step()

    async def _send(self, updates: list[CaptionUpdate]) -> None:
        for update in updates:
            if not self.captions.budget.allows(update.final, time.monotonic()):
                continue
            try:
                await sync_to_async(_publish)(self.captions, self.feed, update, self.origin, self.label)
            except Exception:  # the database or the channel layer, for a moment: the voice goes on
                logger.exception("captions: feed %s: an update was not sent", self.feed)


class CaptionWorker:
    def __init__(self, host: str, ports: Iterable[int]) -> None:
        self.host = host
        self._free = list(ports)
        self.rooms: dict[int, RoomCaptions] = {}

    async def run(self, every: float = LOOK_EVERY_S) -> None:
        try:
            while True:
                try:
                    await self.look()
                except Exception:  # the database, for a moment: look again
                    logger.exception("captions: the open rooms could not be looked at")
                await asyncio.sleep(every)
        finally:
            for room_id in list(self.rooms):
                await self._stop_room(room_id)

    async def look(self) -> None:
        """Start captioning new publishers of open rooms; stop for those gone, and rooms ended."""
        rooms = {room.pk: room for room in await sync_to_async(_open_rooms)()}
        for room_id in set(self.rooms) - set(rooms):
            await self._stop_room(room_id)
        for room in rooms.values():
            try:
                participants = await list_participants(room)
            except (JanusError, OSError) as error:
                logger.warning("captions: room %s unreachable on Janus: %s", room.pk, error)
                continue
            try:
                floor = publishers(participants) - await sync_to_async(channel_feeds)(room)
                await self._follow(room, floor)
            except Exception:  # one room's trouble (the database, for a moment) is not the others'
                logger.exception("captions: room %s not followed", room.pk)

    async def _follow(self, room: Room, feeds: set[int]) -> None:
        captions = self.rooms.get(room.pk)
        if captions is None and not feeds:
            return
        vocabulary = await sync_to_async(_vocabulary)(room)
        if captions is None:
            try:
                reader_for = await sync_to_async(_room_reader)(room)
            except SpeechProblem as problem:
                logger.error("captions: %s", problem)
                return
            read = await sync_to_async(reader_for)(vocabulary)
            captions = self.rooms[room.pk] = RoomCaptions(room, read, reader_for, vocabulary)
        else:
            await sync_to_async(captions.renew)(room, vocabulary)
        for feed in set(captions.voices) - feeds:
            captions.voices.pop(feed).cancel()
        now = time.monotonic()
        for feed in feeds - set(captions.voices):
            if now - captions.refused.get(feed, -RETRY_AFTER_S) < RETRY_AFTER_S or not self._free:
                continue
            self._start_voice(captions, feed)

    def _start_voice(self, captions: RoomCaptions, feed: int) -> None:
        port = self._free.pop(0)
        task = asyncio.create_task(Voice(captions, feed, self.host, port).run())
        captions.voices[feed] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._free.append(port)
            if captions.voices.get(feed) is finished:
                del captions.voices[feed]
            if not finished.cancelled() and finished.exception() is not None:
                logger.warning("captions: feed %s not captioned: %s", feed, finished.exception())
                captions.refused[feed] = time.monotonic()

        task.add_done_callback(done)

    async def _stop_room(self, room_id: int) -> None:
        captions = self.rooms.pop(room_id)
        tasks = list(captions.voices.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _open_rooms() -> list[Room]:
    close_old_connections()  # a connection the database dropped is made again, not used broken
    return room_queries.open_rooms()


def publishers(participants: object) -> set[int]:
    """The publisher ids Janus listed, whatever else the list holds (a participant with no id, or
    a string one, or one that is not a participant at all, is no publisher to caption)."""
    if not isinstance(participants, list):
        return set()
    return {
        p["id"]
        for p in participants
        if isinstance(p, dict) and p.get("publisher") is True and type(p.get("id")) is int and p["id"] > 0
    }


def caption_ports(ports: object) -> range:
    """The voice ports of `SPEECH_CAPTION_PORTS` (first, last): the range's even ports, each with the
    odd one after it, as ffmpeg binds the port after a voice's for its RTCP. Voices on two
    ports side by side would not both be heard: the second one's ffmpeg could not bind its port."""
    if (
        not isinstance(ports, tuple | list)
        or len(ports) != 2
        or not all(type(port) is int for port in ports)
        or not 1024 <= ports[0] + ports[0] % 2 < ports[1] <= 65535
    ):
        raise ImproperlyConfigured(
            f"SPEECH_CAPTION_PORTS (VIRTUALTRIP_CAPTION_PORTS) is {ports!r}: it must be two UDP ports "
            "from 1024 to 65535 holding an even port and the one after it (each voice takes two), "
            "as in 22000-22199"
        )
    return range(ports[0] + ports[0] % 2, ports[1], 2)


def configured_worker() -> CaptionWorker:
    return CaptionWorker(settings.SPEECH_CAPTION_HOST, caption_ports(settings.SPEECH_CAPTION_PORTS))
