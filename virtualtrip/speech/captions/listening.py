"""A forwarded voice, heard: ffmpeg reads the SRTP that Janus sends to a UDP port (Opus, described by
a small SDP file with the stream's key) and writes 16 kHz mono samples to a pipe, a tenth of a
second at a time. Each listener makes its own key; a packet not signed with it is dropped, so no one
else on the network can put words in a speaker's mouth."""

import asyncio
import base64
import contextlib
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from virtualtrip.rooms.live import OPUS_PAYLOAD_TYPE, SRTP_SUITE
from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.problems import SpeechProblem

CHUNK_S = 0.1
CHUNK_BYTES = int(CHUNK_S * SAMPLE_RATE) * 2  # 16-bit samples


def new_srtp_key() -> str:
    """A fresh SRTP master key and salt (30 bytes), base64, as SDES and Janus's `srtp_crypto` write it."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def sdp_for(host: str, port: int, srtp_key: str) -> str:
    """The session ffmpeg listens for: one Opus stream on `port`, as Janus forwards it."""
    return "\n".join(
        [
            "v=0",
            f"o=- 0 0 IN IP4 {host}",
            "s=virtualtrip captions",
            f"c=IN IP4 {host}",
            "t=0 0",
            f"m=audio {port} RTP/AVP {OPUS_PAYLOAD_TYPE}",
            f"a=rtpmap:{OPUS_PAYLOAD_TYPE} opus/48000/2",
            f"a=crypto:1 AES_CM_128_HMAC_SHA1_{SRTP_SUITE} inline:{srtp_key}",
            "",
        ]
    )


def listen_command(sdp: Path) -> list[str]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SpeechProblem("live captions need ffmpeg, which is not installed (apt-get install ffmpeg)")
    return [
        ffmpeg,
        *("-nostdin", "-hide_banner", "-loglevel", "error"),
        *("-protocol_whitelist", "file,udp,rtp,srtp"),
        # Start at once: the SDP says all there is to know, and every probe or buffer is delay.
        *("-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0"),
        *("-i", str(sdp)),
        *("-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1"),
    ]


class Listener:
    """ffmpeg listening on one UDP port. Use as an async context manager: the port is bound (and
    Janus may send to it) once it is entered."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.srtp_key = new_srtp_key()
        self._folder = Path(tempfile.mkdtemp(prefix="captions-"))
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> "Listener":
        sdp = self._folder / "voice.sdp"
        sdp.write_text(sdp_for(self.host, self.port, self.srtp_key))
        sdp.chmod(0o600)
        self._process = await asyncio.create_subprocess_exec(
            *listen_command(sdp),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        await asyncio.sleep(0.2)  # ffmpeg binds the port as it opens the SDP
        if not self.running:
            said = await self.problem()
            await self.__aexit__()
            raise SpeechProblem(f"captions could not listen on UDP {self.host}:{self.port}: {said}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            with contextlib.suppress(ProcessLookupError):
                await self._process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    @property
    def running(self) -> bool:
        """Whether ffmpeg is still listening (it stops at once when its port cannot be bound)."""
        return self._process is not None and self._process.returncode is None

    @property
    def failed(self) -> bool:
        """Whether ffmpeg stopped on its own, with an error."""
        return self._process is not None and self._process.returncode not in (None, 0)

    async def chunks(self) -> AsyncIterator[Samples]:
        """The voice's samples as ffmpeg decodes them; ends when ffmpeg does."""
        if self._process is None or self._process.stdout is None:
            raise RuntimeError("the listener is not started")
        out = self._process.stdout
        while True:
            try:
                data = await out.readexactly(CHUNK_BYTES)
            except asyncio.IncompleteReadError as end:
                data = end.partial
                if data:
                    yield _samples(data)
                return
            yield _samples(data)

    async def problem(self) -> str:
        """What ffmpeg said when it stopped, if it did."""
        if self._process is None or self._process.stderr is None or self._process.returncode is None:
            return ""
        return (await self._process.stderr.read()).decode(errors="replace").strip()


def _samples(data: bytes) -> Samples:
    usable = len(data) - len(data) % 2
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
