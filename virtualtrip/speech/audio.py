"""Reading the audio speech is given: a recording of the product's own, or a file from elsewhere.

Everything that is not usable audio is refused before the model sees it, with what is wrong: a file
that does not exist, is empty, holds no audio stream, holds no sound or lasts longer than speech takes.
Silence inside usable audio is not refused: it gives an empty transcript (the recogniser's voice
activity filter keeps the model from inventing words on it)."""

import json
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.conf import settings

from virtualtrip.speech.problems import SpeechProblem

SAMPLE_RATE = 16_000
PROBE_TIMEOUT_S = 60
Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    duration: float
    """Seconds."""


def max_seconds() -> float:
    return float(settings.SPEECH_MAX_SECONDS)


def _length(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min {rest % 60:02d} s"


def _probe(path: Path) -> dict[str, object]:
    command = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        done = subprocess.run(  # noqa: S603 (a fixed command on a path the caller named)
            command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except FileNotFoundError as error:
        raise SpeechProblem("ffprobe is not installed (Debian package ffmpeg): it reads the audio") from error
    except subprocess.TimeoutExpired as error:
        raise SpeechProblem(f"{path}: ffprobe took longer than {PROBE_TIMEOUT_S} s to read it") from error
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["ffprobe could not read it"])[-1]
        raise SpeechProblem(f"{path} is not audio: {reason}")
    found: dict[str, object] = json.loads(done.stdout or "{}")
    return found


def _duration(probed: dict[str, object]) -> float:
    for source in (probed.get("format"), *_audio_streams(probed)):
        if isinstance(source, dict):
            try:
                return float(source.get("duration") or 0)
            except (TypeError, ValueError):
                continue
    return 0.0


def _audio_streams(probed: dict[str, object]) -> list[dict[str, object]]:
    streams = probed.get("streams")
    if not isinstance(streams, list):
        return []
    return [s for s in streams if isinstance(s, dict) and s.get("codec_type") == "audio"]


def file_problem(path: Path, what: str) -> str | None:
    """Why `path` cannot be read as `what` (“an audio file”): absent, a folder, or not a regular file
    (a pipe, which would wait for a writer for ever, a socket, a device); None when it is a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"{path}: no such {what.removeprefix('an ').removeprefix('a ')}"
    except OSError as error:
        return f"{path} cannot be read: {error.strerror}"
    if stat.S_ISDIR(mode):
        return f"{path} is a folder, not {what}"
    if not stat.S_ISREG(mode):
        return f"{path} is not a regular file (a pipe, a socket or a device)"
    return None


def check_audio(path: Path) -> AudioInfo:
    """The audio at `path`, or SpeechProblem saying why speech cannot use it."""
    problem = file_problem(path, "an audio file")
    if problem is not None:
        raise SpeechProblem(problem)
    if path.stat().st_size == 0:
        raise SpeechProblem(f"{path} is empty (0 bytes)")
    probed = _probe(path)
    if not _audio_streams(probed):
        raise SpeechProblem(f"{path} is not audio: it holds no audio stream")
    duration = _duration(probed)
    if duration <= 0:
        raise SpeechProblem(f"{path} holds no sound (it lasts 0 seconds)")
    check_length(duration, str(path))
    return AudioInfo(path, duration)


def check_length(duration: float, what: str) -> None:
    """Refuse audio longer than one transcript takes, before it is decoded (an hour is 230 MB)."""
    if duration > max_seconds():
        raise SpeechProblem(
            f"{what} lasts {_length(duration)}, longer than the {_length(max_seconds())} speech takes "
            "in one transcript (settings.SPEECH_MAX_SECONDS); cut it into parts"
        )


def decode(path: Path) -> Samples:
    """The audio as 16 kHz mono samples in [-1, 1]."""
    from faster_whisper.audio import decode_audio  # the model's own decoder (PyAV), loaded when needed

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as error:  # PyAV raises its own error types for every broken file
        raise SpeechProblem(f"{path} could not be decoded: {error}") from error
    return np.asarray(samples, dtype=np.float32)


LEVEL_RATE = 8_000
"""Per-speaker tracks are read at this rate for their levels: enough for loudness, half the memory."""
CHUNK_SAMPLES = LEVEL_RATE * 60


def stream_samples(path: Path, rate: int = LEVEL_RATE) -> Iterator[Samples]:
    """The audio as mono samples at `rate`, a minute at a time (ffmpeg through a pipe): an hour-long
    track is read without holding it whole."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate)]
    command += ["-f", "s16le", "-"]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    except FileNotFoundError as error:
        raise SpeechProblem("ffmpeg is not installed (Debian package ffmpeg): it reads the audio") from error
    assert process.stdout is not None  # asked for above
    with process:
        while chunk := process.stdout.read(CHUNK_SAMPLES * 2):
            yield np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
        complaint = (process.stderr.read() if process.stderr else b"").decode(errors="replace").strip()
    if process.returncode != 0:
        reason = complaint.splitlines()[-1] if complaint else "ffmpeg failed"
        raise SpeechProblem(f"{path} could not be decoded: {reason}")
