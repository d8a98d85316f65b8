"""Who spoke when: the turns a transcript's words are given to.

Turns come from the record, never from guessing at voices: the room's per-speaker recordings (the
loudest track that is not silent, frame by frame), or else Janus's talking events in the floor log;
for a recording made elsewhere, a turns file an editor types (`start<TAB>end<TAB>person id`)."""

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from virtualtrip.speech.audio import LEVEL_RATE, SAMPLE_RATE, Samples, stream_samples
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.speakers import Speaker, named_speaker

FRAME_S = 0.05
SILENCE_DB = -45.0
"""A track quieter than this in a frame is not speaking in it."""
BRIDGE_S = 0.6
"""A pause shorter than this inside one speaker's speech does not end their turn."""
SHORTEST_TURN_S = 0.2
"""Less than this from a track is a cough or an echo, not a turn."""


@dataclass(frozen=True)
class Turn:
    start: float
    """Seconds from the start of the audio."""
    end: float
    speaker: Speaker

    def overlap(self, start: float, end: float) -> float:
        return max(0.0, min(self.end, end) - max(self.start, start))


def read_turns_file(text: str, speakers: Mapping[str, Speaker], source: str = "turns file") -> list[Turn]:
    """The turns a TSV file gives, in order. Blank lines and lines starting with # are skipped; any
    other line that is not `start<TAB>end<TAB>person id` with known values refuses the whole file."""
    turns: list[tuple[int, Turn]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            turns.append((number, _turn(line, number, speakers, source)))
    turns.sort(key=lambda item: item[1].start)
    for (_, before), (number, turn) in itertools.pairwise(turns):
        if turn.start < before.end:
            raise SpeechProblem(
                f"{source}, line {number}: this turn starts at {turn.start:g} s, before the turn "
                f"before it ends ({before.end:g} s)"
            )
    return [turn for _, turn in turns]


def _turn(line: str, number: int, speakers: Mapping[str, Speaker], source: str) -> Turn:
    where = f"{source}, line {number}"
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != 3:
        raise SpeechProblem(
            f"{where}: {len(fields)} field(s) where 3 are expected, separated by tabs: "
            "start_seconds, end_seconds, person_id"
        )
    start, end = (
        _seconds(value, where, name) for value, name in zip(fields[:2], ("start", "end"), strict=True)
    )
    if end <= start:
        raise SpeechProblem(f"{where}: the end ({end:g} s) is not after the start ({start:g} s)")
    person = fields[2].strip()
    if person not in speakers:
        raise SpeechProblem(f"{where}: no person with the id {person!r} in this trip")
    return Turn(start, end, speakers[person])


def _seconds(value: str, where: str, name: str) -> float:
    try:
        seconds = float(value.strip())
    except ValueError:
        raise SpeechProblem(f"{where}: the {name} {value.strip()!r} is not a number of seconds") from None
    if not np.isfinite(seconds) or seconds < 0:
        raise SpeechProblem(f"{where}: the {name} {value.strip()!r} is not a number of seconds from 0")
    return seconds


def turns_from_talking(
    log: Mapping[str, Any], audio_starts_at: datetime, speakers: Mapping[str, Speaker]
) -> list[Turn]:
    """The floor log's talking spans (Janus's audio levels), on the audio's clock."""
    turns: list[Turn] = []
    for span in log.get("talking", []):
        if not span.get("to"):
            continue
        start = (datetime.fromisoformat(span["from"]) - audio_starts_at).total_seconds()
        end = (datetime.fromisoformat(span["to"]) - audio_starts_at).total_seconds()
        person = span.get("person")
        speaker = speakers.get(person) if person else None
        if end > max(start, 0):
            turns.append(Turn(max(start, 0.0), end, speaker or named_speaker(span.get("name", ""))))
    return sorted(turns, key=lambda t: t.start)


def loudness(samples: Samples, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Each frame's level in dBFS."""
    frame = int(FRAME_S * rate)
    count = len(samples) // frame
    if count == 0:
        return np.zeros(0)
    framed = samples[: count * frame].reshape(count, frame).astype(np.float64)
    rms = np.sqrt(np.mean(framed**2, axis=1))
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-10)))


Track = tuple[Speaker, np.ndarray, float]
"""A per-speaker recording: whose, its frames' levels (`loudness`), seconds it starts after the mix."""


def turns_from_tracks(tracks: Sequence[Track]) -> list[Turn]:
    """Turns from per-speaker recordings: in each frame the loudest track above silence speaks; short
    pauses are bridged."""
    if not tracks:
        return []
    offsets = [round(offset / FRAME_S) for _, _, offset in tracks]
    levels = [level for _, level, _ in tracks]
    length = max(len(level) + start for level, start in zip(levels, offsets, strict=True))
    grid = np.full((len(tracks), length), -np.inf)
    for row, (level, start) in enumerate(zip(levels, offsets, strict=True)):
        grid[row, start : start + len(level)] = level
    loudest = np.argmax(grid, axis=0)
    speaking = grid[loudest, np.arange(length)] > SILENCE_DB
    return _merge(((int(i), float(i * FRAME_S)) for i in np.flatnonzero(speaking)), loudest, tracks)


def _merge(frames: Iterable[tuple[int, float]], loudest: np.ndarray, tracks: Sequence[Track]) -> list[Turn]:
    turns: list[Turn] = []
    current: tuple[int, float, float] | None = None  # track, start, end
    for index, at in frames:
        track = int(loudest[index])
        if current and current[0] == track and at - current[2] <= BRIDGE_S:
            current = (track, current[1], at + FRAME_S)
            continue
        if current:
            turns.append(Turn(current[1], current[2], tracks[current[0]][0]))
        current = (track, at, at + FRAME_S)
    if current:
        turns.append(Turn(current[1], current[2], tracks[current[0]][0]))
    return [turn for turn in turns if turn.end - turn.start >= SHORTEST_TURN_S]


def levels_of(path: Path) -> np.ndarray:
    """The levels of an audio file's frames, read a minute at a time."""
    frame = int(FRAME_S * LEVEL_RATE)
    levels: list[np.ndarray] = []
    rest = np.zeros(0, dtype=np.float32)
    for chunk in stream_samples(path):
        data = np.concatenate([rest, chunk])
        whole = len(data) // frame * frame
        levels.append(loudness(data[:whole], LEVEL_RATE))
        rest = data[whole:]
    return np.concatenate(levels) if levels else np.zeros(0)
