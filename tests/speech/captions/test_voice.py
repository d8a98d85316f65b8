"""How a captioned voice feeds its stream: what queued while a step read is audio as it came, and
only a wire gone quiet becomes silence on the clock."""

import asyncio
from typing import Any

import numpy as np

from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.captions import worker
from virtualtrip.speech.captions.stream import CaptionUpdate
from virtualtrip.speech.captions.worker import RoomCaptions, Voice

CHUNK = SAMPLE_RATE // 10


class Recorded(Voice):
    """A voice whose steps record what they were given, slowly, as a reading on two cores does."""

    def __init__(self, step_seconds: float) -> None:
        super().__init__(RoomCaptions(room=None, read=lambda samples, before: []), 1, "127.0.0.1", 1)  # type: ignore[arg-type]
        self.step_seconds = step_seconds
        self.given: list[Samples] = []

    def _step(self, pending: Any) -> list[CaptionUpdate]:
        import time

        self.given += list(pending)
        time.sleep(self.step_seconds)
        return []

    async def _send(self, updates: list[CaptionUpdate]) -> None:
        return None


async def feed(voice: Recorded, plan: list[tuple[float, int]]) -> None:
    """(wait seconds, chunks) in turn: wait, then that many chunks of sound at once; then the end."""
    chunks: asyncio.Queue[Samples | None] = asyncio.Queue()

    async def wire() -> None:
        for wait, count in plan:
            await asyncio.sleep(wait)
            for _ in range(count):
                chunks.put_nowait(np.full(CHUNK, 0.1, dtype=np.float32))
        await asyncio.sleep(0.05)
        chunks.put_nowait(None)

    await asyncio.gather(wire(), voice._step_while_heard(chunks))


def silence_given(voice: Recorded) -> float:
    return sum(len(p) for p in voice.given if len(p) and not p.any()) / SAMPLE_RATE


def test_chunks_that_queued_during_a_slow_step_are_not_taken_for_silence() -> None:
    voice = Recorded(step_seconds=0.9)
    # Steady chunks every 0.1 s for 3 s, while each step takes 0.9 s to read.
    asyncio.run(feed(voice, [(0.1, 1)] * 30))
    assert silence_given(voice) == 0.0
    assert sum(len(p) for p in voice.given) >= 20 * CHUNK


def test_a_wire_gone_quiet_is_silence_on_the_clock() -> None:
    voice = Recorded(step_seconds=0.0)
    asyncio.run(feed(voice, [(0.0, 10), (1.6, 10), (0.0, 10)]))
    assert 1.0 <= silence_given(voice) <= 1.8
    assert worker.LAG_PADDED_S <= 1.0
