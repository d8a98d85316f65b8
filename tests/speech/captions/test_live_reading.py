"""A voice captioned live the way the worker hears it: sent as Opus over RTP (ffmpeg, in real time)
to a `Listener`, read by the real recogniser with the trip's names."""

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.janus import free_port
from tests.speech.conftest import import_script_trip
from tests.speech.scripts import BRANDT, SHORT
from virtualtrip.speech.audio import Samples
from virtualtrip.speech.captions.listening import Listener, new_srtp_key
from virtualtrip.speech.captions.reading import window_reader
from virtualtrip.speech.captions.stream import CaptionStream, CaptionUpdate
from virtualtrip.speech.engine import model_info
from virtualtrip.speech.vocabulary import vocabulary_for
from virtualtrip.speech.words import Word

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg"),
]


def send_rtp(audio: Path, port: int, key: str, start: float, seconds: float) -> subprocess.Popen[bytes]:
    """Send the audio as Janus forwards a voice: Opus over SRTP, keyed with `key`."""
    sending = ["-re", "-ss", str(start), "-t", str(seconds), "-i", str(audio)]
    srtp = ["-srtp_out_suite", "AES_CM_128_HMAC_SHA1_80", "-srtp_out_params", key]
    rtp = ["-c:a", "libopus", "-payload_type", "111", "-f", "rtp", *srtp, f"srtp://127.0.0.1:{port}"]
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    return subprocess.Popen(
        [ffmpeg, "-nostdin", "-loglevel", "error", *sending, *rtp], stdout=subprocess.DEVNULL
    )


async def caption_over_rtp(
    stream: CaptionStream, audio: Path, start: float, seconds: float, key: str | None = None
) -> list[CaptionUpdate]:
    """The caption updates of `seconds` of `audio` from `start`, sent with the listener's key (or `key`)."""
    port = free_port()
    updates: list[CaptionUpdate] = []
    async with Listener("127.0.0.1", port) as listener:
        sender = send_rtp(audio, port, key or listener.srtp_key, start, seconds)
        try:

            async def hear() -> None:
                async for chunk in listener.chunks():
                    updates.extend(stream.feed(chunk))

            with pytest.raises(TimeoutError):
                await asyncio.wait_for(hear(), seconds + 3)  # ffmpeg listens on: the end is ours
        finally:
            sender.wait(timeout=10)
    return updates + stream.finish()


def test_a_voice_over_rtp_is_captioned_with_the_trips_names(rehearsed) -> None:  # type: ignore[no-untyped-def]
    engagement = import_script_trip(SHORT)
    made = rehearsed(SHORT)
    line = made.spans[1]  # Brandt: "Thank you, Marcus. We spent the morning in Ciudad Juárez..."
    assert line.speaker == BRANDT.id
    stream = CaptionStream(window_reader(vocabulary_for(engagement), model_info()))
    updates = asyncio.run(
        caption_over_rtp(stream, made.tracks[BRANDT.id], line.start - 0.3, line.end - line.start + 1.5)
    )
    finals = [u for u in updates if u.final]
    assert finals
    text = " ".join(u.text for u in finals)
    assert "Ciudad Juárez" in text
    assert "morning" in text
    assert any(not u.final for u in updates)  # words showed before the cue ended


def test_a_voice_sent_without_the_listeners_key_is_not_heard(rehearsed) -> None:  # type: ignore[no-untyped-def]
    """Anyone who can reach the port can send packets to it: only the forwarder's are taken."""
    made = rehearsed(SHORT)
    line = made.spans[1]
    heard: list[int] = []

    def read(samples: Samples, before: str) -> list[Word]:
        heard.append(len(samples))
        return [Word(0.0, 0.5, " forged")]

    updates = asyncio.run(
        caption_over_rtp(CaptionStream(read), made.tracks[BRANDT.id], line.start, 3.0, key=new_srtp_key())
    )
    assert updates == []
    assert heard == []
