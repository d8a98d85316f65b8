"""Listening to audio files in tests, with ffmpeg."""

import re
import subprocess
from pathlib import Path

FFMPEG = "/usr/bin/ffmpeg"


def loudest_db(path: Path) -> float:
    """The loudest sample of an audio file in dBFS, by ffmpeg's volumedetect (-91 is silence)."""
    done = subprocess.run(
        [FFMPEG, "-nostdin", "-i", str(path), "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"max_volume: (-?[\d.]+) dB", done.stderr)
    assert found is not None, done.stderr
    return float(found.group(1))
