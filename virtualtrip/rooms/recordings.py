"""A recorded room's audio, made when the meeting ends.

Janus writes one `.mjr` file per stream of each publication into the room's `raw/` folder, named by
the signaling proxy `<seat>-<ms>-audio-0.mjr` (see `signaling.recording_base`), so the file says whose
voice it holds. After the end, `janus-pp-rec` turns each audio file into Ogg Opus, and ffmpeg puts every
piece at its place on the clock (from the time Janus wrote its first packet) and mixes them: one file
for the whole room and one per speaker, all starting at the same instant so that they line up.
Someone who dropped and rejoined has several pieces; they land in the same speaker's file.
"""

import json
import logging
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

logger = logging.getLogger(__name__)


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


def _run(command: list[str], what: str, cwd: Path | None = None) -> str:
    try:
        # The commands are built here from file names the app chose; no shell is involved.
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False, cwd=cwd
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


def merged(gate: Gate) -> Gate:
    """The spans of `gate` in order, those that overlap or touch made one (an open end swallows
    every span after it) and empty ones left out: no two commands fall on one instant, whose order
    asendcmd does not keep."""
    spans: Gate = []
    for start, end in sorted(gate, key=lambda span: span[0]):
        if end is not None and end <= start:
            continue
        last = spans[-1] if spans else None
        if last is not None and (last[1] is None or start <= last[1]):
            spans[-1] = (last[0], None if end is None or last[1] is None else max(last[1], end))
        else:
            spans.append((start, end))
    return spans


def gate_commands(gate: Gate, number: int = 0) -> str:
    """The commands ffmpeg's `asendcmd` reads to open input `number`'s `volume` during its spans and
    close it after. They sit in a file, not in the filter graph: an interpreter on air a hundred
    times in a day is a hundred spans, past what one filter expression holds. Each input's volume
    is named (`volume@g<number>`): a command to plain `volume` reaches the graph's first one only."""
    target = _gate_name(number)
    spans = merged(gate)
    lines = [] if spans else [f"0.000 {target} volume 0;"]  # never on air; asendcmd needs a command
    for start, end in spans:
        lines.append(f"{start:.3f} {target} volume 1;")
        if end is not None:
            lines.append(f"{end:.3f} {target} volume 0;")
    return "\n".join(lines) + "\n"


def _gate_name(number: int) -> str:
    return f"volume@g{number}"


def mix_command(
    inputs: Iterable[tuple[Path, int]], out: Path, gates: list[Path | None] | None = None
) -> list[str]:
    """ffmpeg's command line that delays each input by its offset (ms), silences it outside the
    spans its gate file opens (a channel's interpreter off air; see `gate_commands`), and mixes them,
    unscaled, into one mono Ogg Opus file. A gate file is named relative to the folder ffmpeg runs
    in, so that no path needs escaping inside the filter graph."""
    placed = list(inputs)
    gated = gates or [None] * len(placed)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for path, _ in placed:
        command += ["-i", str(path)]
    delays = ";".join(
        f"[{i}:a]adelay={offset}:all=1{_gate_filter(gated[i], i)}[d{i}]"
        for i, (_, offset) in enumerate(placed)
    )
    joined = "".join(f"[d{i}]" for i in range(len(placed)))
    mixed = f"{joined}amix=inputs={len(placed)}:normalize=0:dropout_transition=0[mix]"
    command += ["-filter_complex", f"{delays};{mixed}", "-map", "[mix]"]
    return [*command, "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "48k", str(out)]


def _gate_filter(gate_file: Path | None, number: int) -> str:
    return "" if gate_file is None else f",asendcmd=f={gate_file.name},{_gate_name(number)}=0"


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
    room without its interpreters), one per speaker, and one per interpretation channel. The floor and
    the speakers land together or not at all: they are made in a scratch folder and moved in at the
    end; a channel that cannot be mixed is left out (`_channel_mixed`)."""
    plan = plan or ChannelPlan({}, {})
    folder = room_folder(engagement_id)
    pieces = find_pieces(folder / RAW)
    if not pieces:
        raise RecordingProblem(f"{folder / RAW}: no audio was recorded")
    start_us = pieces[0].first_packet_us
    starts_at = datetime.fromtimestamp(start_us / 1_000_000, tz=UTC)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".making-") as scratch:
        work = Path(scratch).resolve()  # ffmpeg runs in it: no path may be relative to elsewhere
        placed = [(p, _decode(p, work), (p.first_packet_us - start_us) // 1000) for p in pieces]
        floor = [(opus, offset) for piece, opus, offset in placed if piece.seat_key not in plan.languages]
        made = [_Mix(None, work / ROOM_MIX, floor)] if floor else []  # only interpreters: no floor
        for seat_key in sorted({p.seat_key for p in pieces}):
            mine = [(opus, offset) for piece, opus, offset in placed if piece.seat_key == seat_key]
            made.append(
                _Mix(seat_key, work / f"speaker-{seat_key}.ogg", mine, plan.languages.get(seat_key, ""))
            )
        for mix in made:
            _mix(mix, work)
        made += [mix for mix in _channel_mixes(placed, plan, starts_at, work) if _channel_mixed(mix, work)]
        for old in folder.glob("*.ogg"):
            old.unlink()
        return [_track(mix, Path(shutil.move(mix.out, folder / mix.out.name)), starts_at) for mix in made]


def _mix(mix: _Mix, work: Path) -> None:
    gate_files: list[Path | None] = []
    for number, gate in enumerate(mix.gates or [None] * len(mix.inputs)):
        if gate is None:
            gate_files.append(None)
            continue
        gate_file = work / f"{mix.out.stem}-{number}.gate"
        gate_file.write_text(gate_commands(gate, number), encoding="utf-8")
        gate_files.append(gate_file)
    _run(mix_command(mix.inputs, mix.out, gate_files), f"mixing {mix.out.name}", cwd=work)


def _channel_mixed(mix: _Mix, work: Path) -> bool:
    """A channel's file, made; one that cannot be is left out and logged, never the floor with it:
    the floor and its speakers are the record, a channel is what its listeners heard of it."""
    try:
        _mix(mix, work)
    except RecordingProblem as problem:
        logger.error("channel %s left out of the recording: %s", mix.language, problem)
        return False
    return True
