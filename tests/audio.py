"""Listening to audio files in tests, with ffmpeg."""

import re
import subprocess
import wave
from pathlib import Path

FFMPEG = "/usr/bin/ffmpeg"


def loudest_db(path: Path, start_s: float | None = None, end_s: float | None = None) -> float:
    """The loudest sample of an audio file (or of its stretch from `start_s` to `end_s`) in dBFS, by
    ffmpeg's volumedetect (-91 is silence)."""
    window = []
    if start_s is not None and end_s is not None:
        window = ["-af", f"atrim={start_s}:{end_s},volumedetect"]
    done = subprocess.run(
        [FFMPEG, "-nostdin", "-i", str(path), *(window or ["-af", "volumedetect"]), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"max_volume: (-?[\d.]+) dB", done.stderr)
    assert found is not None, done.stderr
    return float(found.group(1))


def write_wav(path: Path, frames: bytes, rate: int) -> Path:
    """Write 16-bit mono samples (little-endian bytes) as a WAV file at `rate` Hz."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path
