"""A recorded room's audio, made when the meeting ends.

Janus writes one `.mjr` file per stream of each publication into the room's `raw/` folder, named by
the signaling proxy `<seat>-<ms>-audio-0.mjr` (see `signaling.recording_base`), so the file says whose
voice it holds. After the end, `janus-pp-rec` turns each audio file into Ogg Opus, and ffmpeg puts every
piece at its place on the clock (from the time Janus wrote its first packet) and mixes them: one file
for the whole room and one per speaker, all starting at the same instant so that they line up.
Someone who dropped and rejoined has several pieces; they land in the same speaker's file.
"""

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

RAW = "raw"
AUDIO_FILE = re.compile(r"^(?P<seat>[pu]\d+)-(?P<ms>\d+)-audio-\d+\.mjr$")
ROOM_MIX = "room.ogg"
TOOL_TIMEOUT_S = 600


class RecordingProblem(Exception):
    """The recording could not be turned into audio files; the message says which file and why."""


@dataclass(frozen=True)
class Piece:
    """One audio stream of one publication, as Janus wrote it."""

    seat_key: str
    mjr: Path
    first_packet_us: int


@dataclass(frozen=True)
class TrackFile:
    """An audio file made from the recording; `seat_key` is None for the whole room's mix and for a
    channel's; `language` is the channel's, for a channel and its interpreters' own files."""

    seat_key: str | None
    path: Path
    starts_at: datetime
    duration_seconds: float
    size_bytes: int
    language: str = ""


@dataclass(frozen=True)
class ChannelPlan:
    """The interpretation channels of a recording: the language each interpreter's seat speaks
    into, and the spans (wall times) each was live. The room's mix is the floor without them; each
    channel's mix is what its listeners heard: each interpreter only while live."""

    languages: dict[str, str]
    live: dict[str, list[tuple[datetime, datetime | None]]]


def room_folder(engagement_id: int) -> Path:
    folder: Path = settings.RECORDINGS_DIR / f"engagement-{engagement_id}"
    return folder


def raw_folder(engagement_id: int) -> Path:
    return room_folder(engagement_id) / RAW


def _run(command: list[str], what: str) -> str:
    try:
        # The commands are built here from file names the app chose; no shell is involved.
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
        )
    except FileNotFoundError as error:
        raise RecordingProblem(f"{command[0]} is not installed ({what})") from error
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RecordingProblem(f"{what}: {command[0]} failed: {detail[0]}")
    return done.stdout


def read_piece(mjr: Path) -> Piece | None:
    """The piece in `mjr`, or None when it is not an audio piece or holds no packet at all (Janus
    writes the header with the first packet)."""
    match = AUDIO_FILE.match(mjr.name)
    if match is None or mjr.stat().st_size == 0:
        return None
    try:
        output = _run(["janus-pp-rec", "-j", str(mjr)], f"reading {mjr.name}")
    except RecordingProblem:
        return None
    header = next((json.loads(line) for line in output.splitlines() if line.startswith("{")), None)
    if not isinstance(header, dict) or header.get("t") != "a" or not (header.get("u") or header.get("s")):
        return None
    return Piece(match["seat"], mjr, int(header.get("u") or header["s"]))


def find_pieces(raw: Path) -> list[Piece]:
    pieces = (read_piece(path) for path in sorted(raw.glob("*.mjr")))
    return sorted((p for p in pieces if p is not None), key=lambda p: p.first_packet_us)


def _decode(piece: Piece, workdir: Path) -> Path:
    opus = workdir / f"{piece.mjr.stem}.opus"
    _run(["janus-pp-rec", str(piece.mjr), str(opus)], f"converting {piece.mjr.name}")
    if not opus.exists() or opus.stat().st_size == 0:
        raise RecordingProblem(f"converting {piece.mjr.name}: janus-pp-rec wrote no audio")
    return opus


Gate = list[tuple[float, float | None]]
"""Seconds on the mix's clock during which an input is heard; None: all along."""


def _gated(gate: Gate | None) -> str:
    """ffmpeg's filter that silences an input outside its live spans (nothing when always heard)."""
    if gate is None:
        return ""
    spans = "+".join(
        f"between(t,{start:.3f},{end:.3f})" if end is not None else f"gte(t,{start:.3f})"
        for start, end in gate
    )
    return f",volume=0:enable='not({spans or 0})'"


def mix_command(
    inputs: Iterable[tuple[Path, int]], out: Path, gates: list[Gate | None] | None = None
) -> list[str]:
    """ffmpeg's command line that delays each input by its offset (ms), silences it outside its gate
    (a channel's interpreter off air), and mixes them, unscaled, into one mono Ogg Opus file."""
    placed = list(inputs)
    gated = gates or [None] * len(placed)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for path, _ in placed:
        command += ["-i", str(path)]
    delays = ";".join(
        f"[{i}:a]adelay={offset}:all=1{_gated(gated[i])}[d{i}]" for i, (_, offset) in enumerate(placed)
    )
    joined = "".join(f"[d{i}]" for i in range(len(placed)))
    mixed = f"{joined}amix=inputs={len(placed)}:normalize=0:dropout_transition=0[mix]"
    command += ["-filter_complex", f"{delays};{mixed}", "-map", "[mix]"]
    return [*command, "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "48k", str(out)]


def duration_seconds(path: Path) -> float:
    output = _run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        f"measuring {path.name}",
    )
    return float(output.strip() or 0)


@dataclass(frozen=True)
class _Mix:
    seat_key: str | None
    out: Path
    inputs: list[tuple[Path, int]]
    language: str = ""
    gates: list[Gate | None] | None = None


def _track(mix: _Mix, path: Path, starts_at: datetime) -> TrackFile:
    size = path.stat().st_size
    return TrackFile(mix.seat_key, path, starts_at, duration_seconds(path), size, mix.language)


def _channel_mixes(
    placed: list[tuple[Piece, Path, int]], plan: ChannelPlan, starts_at: datetime, work: Path
) -> list[_Mix]:
    def seconds(moment: datetime | None) -> float | None:
        return None if moment is None else max(0.0, (moment - starts_at).total_seconds())

    mixes = []
    for language in sorted(set(plan.languages.values())):
        mine = [
            (piece, opus, offset)
            for piece, opus, offset in placed
            if plan.languages.get(piece.seat_key) == language
        ]
        if not mine:
            continue
        gates: list[Gate | None] = [
            [(seconds(start) or 0.0, seconds(end)) for start, end in plan.live.get(piece.seat_key, [])]
            for piece, _, _ in mine
        ]
        inputs = [(opus, offset) for _, opus, offset in mine]
        mixes.append(_Mix(None, work / f"channel-{language}.ogg", inputs, language, gates))
    return mixes


def make_tracks(engagement_id: int, plan: ChannelPlan | None = None) -> list[TrackFile]:
    """Turn the room's raw recording into its audio files, replacing any made before: the floor (the
    room without its interpreters), one per speaker, and one per interpretation channel. Either every
    file lands or none does: they are made in a scratch folder and moved in at the end."""
    plan = plan or ChannelPlan({}, {})
    folder = room_folder(engagement_id)
    pieces = find_pieces(folder / RAW)
    if not pieces:
        raise RecordingProblem(f"{folder / RAW}: no audio was recorded")
    start_us = pieces[0].first_packet_us
    starts_at = datetime.fromtimestamp(start_us / 1_000_000, tz=UTC)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".making-") as scratch:
        work = Path(scratch)
        placed = [(p, _decode(p, work), (p.first_packet_us - start_us) // 1000) for p in pieces]
        floor = [(opus, offset) for piece, opus, offset in placed if piece.seat_key not in plan.languages]
        made = [_Mix(None, work / ROOM_MIX, floor)] if floor else []  # only interpreters: no floor
        for seat_key in sorted({p.seat_key for p in pieces}):
            mine = [(opus, offset) for piece, opus, offset in placed if piece.seat_key == seat_key]
            made.append(
                _Mix(seat_key, work / f"speaker-{seat_key}.ogg", mine, plan.languages.get(seat_key, ""))
            )
        made += _channel_mixes(placed, plan, starts_at, work)
        for mix in made:
            _run(mix_command(mix.inputs, mix.out, mix.gates), f"mixing {mix.out.name}")
        for old in folder.glob("*.ogg"):
            old.unlink()
        return [_track(mix, Path(shutil.move(mix.out, folder / mix.out.name)), starts_at) for mix in made]
