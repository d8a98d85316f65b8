"""Live caption latency, measured by `benchmarks/transcribe.py` (see its docstring).

Each speaker's own recording of the rehearsed briefing is sent, in real time and all at once, as
Opus over SRTP (ffmpeg `-re`, keyed as Janus's forwarders are), to a caption worker's voice of its
own: the worker's code from the listener on (ffmpeg decoding, the caption stream, the recogniser,
the update budget, publishing to the room's group and keeping finished cues), as `virtualtrip
caption-worker` runs it, without Janus in front (Janus only relays the packets). A word's latency
is the time from its end in the audio (the recogniser's word time, on the clock of the sending) to
the first caption update that shows it as it is finally captioned (a later reading may hear it a
little earlier or later: `NEAR_S`)."""

import asyncio
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from virtualtrip.speech.captions.listening import Listener
from virtualtrip.speech.captions.stream import CaptionUpdate
from virtualtrip.speech.captions.worker import RoomCaptions, Voice
from virtualtrip.speech.corrections import plain

FIRST_PORT = 47000
"""Voices take every other port: ffmpeg binds the one after a voice's for RTCP."""


@dataclass
class Heard:
    sent_at: float
    updates: list[tuple[float, CaptionUpdate]] = field(default_factory=list)


class TimedVoice(Voice):
    def __init__(self, heard: Heard, *args: Any) -> None:
        super().__init__(*args)
        self.heard = heard

    async def _send(self, updates: list[CaptionUpdate]) -> None:
        now = time.time()
        self.heard.updates += [(now, update) for update in updates]
        await super()._send(updates)


async def _sender(audio: Path, port: int, key: str) -> asyncio.subprocess.Process:
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    srtp = ["-srtp_out_suite", "AES_CM_128_HMAC_SHA1_80", "-srtp_out_params", key]
    rtp = ["-c:a", "libopus", "-payload_type", "111", "-f", "rtp", *srtp, f"srtp://127.0.0.1:{port}"]
    command = [ffmpeg, "-nostdin", "-loglevel", "error", "-re", "-i", str(audio), *rtp]
    return await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)


async def _caption_track(voice: TimedVoice, audio: Path, seconds: float) -> None:
    async with Listener(voice.host, voice.port) as listener:
        sender = await _sender(audio, voice.port, listener.srtp_key)
        voice.heard.sent_at = time.time()
        captioning = asyncio.create_task(voice._caption(listener))
        try:
            await asyncio.wait_for(sender.wait(), seconds + 10)
            await asyncio.sleep(2)  # the last words' readings
        finally:
            captioning.cancel()
            for outcome in await asyncio.gather(captioning, return_exceptions=True):
                if isinstance(outcome, Exception):
                    raise outcome
            if sender.returncode is None:
                sender.kill()
                await sender.wait()


NEAR_S = 1.0
"""How far (in seconds of audio) an earlier update may have put a word and still be showing the same
word: a later reading hears it a little earlier or later, or in the next cue, once a long stretch is
cut in two."""


def latencies(heard: Heard) -> list[float]:
    """Each finally captioned word's latency, in seconds: from its end in the audio to the first
    update that showed it, spelled as finally, within `NEAR_S` of its final time."""
    shown: dict[str, list[tuple[float, float]]] = {}
    for at, update in heard.updates:
        for word in update.words:
            shown.setdefault(plain(word.text), []).append((word.end, at))
    found: list[float] = []
    for _, update in heard.updates:
        if not update.final:
            continue
        for word in update.words:
            times = shown[plain(word.text)]
            seen = min(at for end, at in times if abs(end - word.end) <= NEAR_S)
            found.append(seen - (heard.sent_at + word.end))
    return found


def updates_per_second(heard: list[Heard]) -> int:
    """The most caption updates any one second of the run carried, all voices together."""
    seconds: dict[int, int] = {}
    for one in heard:
        for at, _ in one.updates:
            seconds[int(at)] = seconds.get(int(at), 0) + 1
    return max(seconds.values(), default=0)


@dataclass(frozen=True)
class CaptionFigures:
    p50: float
    p95: float
    most_per_second: int
    cues: int
    text: str
    """Every finished cue, in order of time."""


def measure(captions: RoomCaptions, tracks: dict[int, tuple[str, Path]], seconds: float) -> CaptionFigures:
    """The figures of a room whose voices (feed -> label and audio file) all speak at once."""
    heard = {feed: Heard(0.0) for feed in tracks}
    voices = []
    for number, (feed, (label, _)) in enumerate(tracks.items()):
        voice = TimedVoice(heard[feed], captions, feed, "127.0.0.1", FIRST_PORT + 2 * number)
        voice.label = label
        voices.append(voice)

    async def everyone() -> None:
        await asyncio.gather(*(_caption_track(v, tracks[v.feed][1], seconds) for v in voices))

    asyncio.run(everyone())
    found = [lag for one in heard.values() for lag in latencies(one)]
    finals = sorted(
        ((one.sent_at + u.start, u.text) for one in heard.values() for _, u in one.updates if u.final)
    )
    most = updates_per_second(list(heard.values()))
    text = " ".join(t for _, t in finals)
    if len(found) < 2:
        return CaptionFigures(float("nan"), float("nan"), most, len(finals), text)
    cut = statistics.quantiles(found, n=20)
    return CaptionFigures(statistics.median(found), cut[18], most, len(finals), text)
