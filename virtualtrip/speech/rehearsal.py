"""The audio of a scripted briefing, spoken by espeak-ng and stitched by sox.

Tests and the transcription benchmark need audio whose words, speakers and times are known exactly.
A rehearsal reads each line of a script in its speaker's voice and lays the lines one after another,
`gap` seconds apart, on one timeline: the room's mix, and one track per speaker that holds only that
speaker's lines (silence where the others speak), as the room records them. Accents are taken off
Latin letters before espeak-ng reads them (`spoken_text`); the spans keep the text as written. The
times of the lines are measured on the files made, in samples, so they are exact; the same script
always gives the same bytes.

Layout in the folder: `mix.wav` and `tracks/<speaker>.wav`, mono 16-bit WAV at 16 kHz. They are built
in a scratch folder inside the folder and moved into place only when all are made, replacing a
previous rehearsal's; a failure leaves the folder as it was.
"""

import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from virtualtrip.speech.spelling import without_marks

SAMPLE_RATE = 16_000
MIX_NAME = "mix.wav"
TRACKS_NAME = "tracks"
TOOL_TIMEOUT_S = 120
WORDS_PER_MINUTE_RANGE = (80, 450)  # what espeak-ng's -s accepts
QUOTE_LENGTH = 40

VOICES: tuple[str, ...] = (
    "en-us",
    "en-gb-x-rp",
    "en-gb-scotland",
    "en-029",
    "en-gb-x-gbclan",
    "en-us-nyc",
    "en-gb-x-gbcwmd",
    "en-us+f3",
    "en-gb-x-rp+f4",
    "en-gb-scotland+m3",
)
"""espeak-ng English voices that sound unlike one another: accents first, then other pitches."""

_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+_-]*")
_UNSAFE_IN_NAME = re.compile(r"[^\w-]+")
# Latin letters that Unicode does not split into a base letter and marks.
_WAV = ("-t", "wav", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer")


@dataclass(frozen=True)
class Line:
    speaker: str
    """A key: the trip file's person id (`jon-piechowski`), or any key the caller chooses."""
    text: str


@dataclass(frozen=True)
class Span:
    start: float
    """Seconds from the start of the mix."""
    end: float
    speaker: str
    text: str


@dataclass(frozen=True)
class Rehearsal:
    mix: Path
    """Every line, one after another, `gap` seconds apart."""
    tracks: dict[str, Path]
    """Speaker -> that speaker's own recording: as long as the mix, silent where the others speak."""
    spans: list[Span]
    """When each line is heard, in the script's order."""
    duration: float


class RehearsalProblem(Exception):
    """A rehearsal could not be made; the message names the tool and the line where one is at fault."""

    def __init__(self, message: str, *, tool: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.tool = tool
        self.line = line


@dataclass(frozen=True)
class _Tools:
    espeak: str
    sox: str


def voices_for(speakers: Sequence[str]) -> dict[str, str]:
    """One distinct voice of `VOICES` per speaker, in the order they first appear."""
    distinct = list(dict.fromkeys(speakers))
    if len(distinct) > len(VOICES):
        raise RehearsalProblem(f"{len(distinct)} speakers but only {len(VOICES)} distinct voices")
    return dict(zip(distinct, VOICES, strict=False))


def rehearse(
    lines: Sequence[Line],
    voices: Mapping[str, str],
    folder: Path,
    *,
    gap: float = 0.7,
    words_per_minute: int = 160,
) -> Rehearsal:
    """Speak `lines` in `voices` (speaker -> espeak-ng voice) into `folder`; see the module's docstring.

    Raises RehearsalProblem, leaving the folder as it was, when the script cannot be spoken or a tool
    is missing or fails.
    """
    gap_samples = _check_script(lines, voices, gap, words_per_minute)
    tools = _find_tools()
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".rehearsal-", dir=folder))
    try:
        lengths, names = _make(tools, lines, voices, words_per_minute, gap_samples, scratch)
        _move_into_place(scratch, folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if created and not any(folder.iterdir()):
            folder.rmdir()
    return Rehearsal(
        mix=(folder / MIX_NAME).absolute(),
        tracks={speaker: (folder / TRACKS_NAME / name).absolute() for speaker, name in names.items()},
        spans=_spans(lines, lengths, gap_samples),
        duration=(sum(lengths) + gap_samples * (len(lines) - 1)) / SAMPLE_RATE,
    )


def _make(
    tools: _Tools,
    lines: Sequence[Line],
    voices: Mapping[str, str],
    words_per_minute: int,
    gap_samples: int,
    scratch: Path,
) -> tuple[list[int], dict[str, str]]:
    """Every file of the rehearsal in `scratch`: each line's length in samples, each speaker's track name."""
    lengths = [
        _speak(tools, number, line, voices[line.speaker], words_per_minute, scratch)
        for number, line in enumerate(lines, start=1)
    ]
    pieces = _pad(tools, lines, gap_samples, scratch)
    _concatenate(tools, pieces, [1] * len(pieces), scratch / MIX_NAME)
    names = _track_names(lines)
    (scratch / TRACKS_NAME).mkdir()
    for speaker, name in names.items():
        volumes = [int(line.speaker == speaker) for line in lines]
        _concatenate(tools, pieces, volumes, scratch / TRACKS_NAME / name)
    _check_lengths(tools, scratch, names, sum(lengths) + gap_samples * (len(lines) - 1))
    return lengths, names


def spoken_text(text: str) -> str:
    """What espeak-ng is given to say for `text`: Latin letters without their accents.

    espeak-ng's English voices spell out letters they do not know as their names ("Hải" becomes
    "h, letter one, a, three, i"), which no speaker would say; without the marks they read a name as an
    English speaker would ("Hai"). Letters of other scripts are left as they are.
    """
    return without_marks(text)


def turns_tsv(spans: Sequence[Span]) -> str:
    """The spans as the turns file of `virtualtrip transcribe --turns`: start, end, person id."""
    return "".join(f"{span.start:.6f}\t{span.end:.6f}\t{span.speaker}\n" for span in spans)


def _check_script(lines: Sequence[Line], voices: Mapping[str, str], gap: float, words_per_minute: int) -> int:
    """The gap in samples, once every line can be spoken; RehearsalProblem naming the first that cannot."""
    if not lines:
        raise RehearsalProblem("the script has no lines")
    if not math.isfinite(gap) or gap < 0:
        raise RehearsalProblem(f"gap must be a number of seconds, 0 or more, not {gap}")
    low, high = WORDS_PER_MINUTE_RANGE
    if not low <= words_per_minute <= high:
        raise RehearsalProblem(f"words_per_minute must be {low} to {high}, not {words_per_minute}")
    for number, line in enumerate(lines, start=1):
        if not any(character.isalnum() for character in line.text):
            raise RehearsalProblem(f"{_where(number, line)} has no words to speak", line=number)
        voice = voices.get(line.speaker)
        if voice is None:
            raise RehearsalProblem(
                f"{_where(number, line)}: no voice for speaker {line.speaker!r}", line=number
            )
        if not _VOICE.fullmatch(voice):
            raise RehearsalProblem(
                f"{_where(number, line)}: {voice!r} is not an espeak-ng voice name", line=number
            )
    return round(gap * SAMPLE_RATE)


def _find_tools() -> _Tools:
    """The tools' paths on PATH, or RehearsalProblem naming the one missing and its Debian package."""
    found = {name: shutil.which(name) for name in ("espeak-ng", "sox")}
    for name, path in found.items():
        if path is None:
            raise RehearsalProblem(
                f"{name} is not installed (Debian package {name}, see scripts/install-system-packages.sh):"
                " it is needed to speak a rehearsal",
                tool=name,
            )
    return _Tools(espeak=str(found["espeak-ng"]), sox=str(found["sox"]))


def _where(number: int, line: Line) -> str:
    quote = line.text if len(line.text) <= QUOTE_LENGTH else line.text[: QUOTE_LENGTH - 1] + "…"
    return f"line {number} ({line.speaker}: {quote!r})"


def _run(command: list[str], *, tool: str, what: str, line: int | None, given: bytes = b"") -> bytes:
    """Run a tool without a shell; its failure becomes a RehearsalProblem naming the tool and `what`."""
    try:
        done = subprocess.run(  # noqa: S603 (our own tools, found on PATH, with arguments built here)
            command, input=given, capture_output=True, timeout=TOOL_TIMEOUT_S, check=False
        )
    except FileNotFoundError as error:
        raise RehearsalProblem(f"{tool} is not installed: needed for {what}", tool=tool, line=line) from error
    except subprocess.TimeoutExpired as error:
        message = f"{tool} took longer than {TOOL_TIMEOUT_S} s on {what}"
        raise RehearsalProblem(message, tool=tool, line=line) from error
    if done.returncode != 0:
        said = (
            done.stderr.decode("utf-8", "replace").strip() or done.stdout.decode("utf-8", "replace").strip()
        )
        reason = said.splitlines()[-1] if said else "no message"
        message = f"{tool} failed on {what} (exit status {done.returncode}): {reason}"
        raise RehearsalProblem(message, tool=tool, line=line)
    return done.stdout


def _speak(tools: _Tools, number: int, line: Line, voice: str, words_per_minute: int, scratch: Path) -> int:
    """Speak one line into `line-N.wav` at the mix's format; its length in samples.

    The text (as `spoken_text` makes it) goes in on standard input as UTF-8, so no character of it (a
    leading "-", quotes, any script) can be read as an option or by a shell.
    """
    where = _where(number, line)
    spoken = scratch / f"spoken-{number}.wav"
    espeak = [tools.espeak, "-v", voice, "-s", str(words_per_minute), "-b", "1", "-w", str(spoken), "--stdin"]
    _run(espeak, tool="espeak-ng", what=where, line=number, given=spoken_text(line.text).encode())
    # -D: no dither, which would add noise of its own (and different bytes) to every conversion.
    converted = scratch / f"line-{number}.wav"
    _run([tools.sox, "-D", str(spoken), *_WAV, str(converted)], tool="sox", what=where, line=number)
    length = _samples(tools, converted, what=where, line=number)
    if length == 0:
        raise RehearsalProblem(f"espeak-ng made no sound for {where}", tool="espeak-ng", line=number)
    return length


def _samples(tools: _Tools, path: Path, *, what: str, line: int | None) -> int:
    """The length of a WAV file in samples, as `soxi -s` tells it."""
    told = _run([tools.sox, "--i", "-s", str(path)], tool="sox", what=what, line=line)
    try:
        return int(told.decode().strip())
    except ValueError as error:
        raise RehearsalProblem(f"sox gave no length for {what}: {told!r}", tool="sox", line=line) from error


def _pad(tools: _Tools, lines: Sequence[Line], gap_samples: int, scratch: Path) -> list[Path]:
    """Each line followed by the gap, but the last: the pieces every file of the rehearsal is made of."""
    pieces = []
    for number, line in enumerate(lines, start=1):
        converted = scratch / f"line-{number}.wav"
        if number == len(lines) or gap_samples == 0:
            pieces.append(converted)
            continue
        padded = scratch / f"piece-{number}.wav"
        command = [tools.sox, "-D", str(converted), str(padded), "pad", "0", f"{gap_samples}s"]
        _run(command, tool="sox", what=_where(number, line), line=number)
        pieces.append(padded)
    return pieces


def _concatenate(tools: _Tools, pieces: Sequence[Path], volumes: Sequence[int], output: Path) -> None:
    """The pieces one after another, each at volume 1 or 0 (0: silence exactly as long as the piece)."""
    inputs = [
        part
        for piece, volume in zip(pieces, volumes, strict=True)
        for part in ("-v", str(volume), str(piece))
    ]
    command = [tools.sox, "-D", *inputs, *_WAV, str(output)]
    _run(command, tool="sox", what=f"making {output.name}", line=None)


def _track_names(lines: Sequence[Line]) -> dict[str, str]:
    """Speaker -> file name of their track, safe on any file system and distinct for distinct speakers."""
    names: dict[str, str] = {}
    for speaker in dict.fromkeys(line.speaker for line in lines):
        stem = _UNSAFE_IN_NAME.sub("-", speaker).strip("-") or "speaker"
        name, count = f"{stem}.wav", 1
        while name in names.values():
            count += 1
            name = f"{stem}-{count}.wav"
        names[speaker] = name
    return names


def _check_lengths(tools: _Tools, scratch: Path, names: Mapping[str, str], expected: int) -> None:
    """RehearsalProblem unless the mix and every track measure what the lines and gaps add up to."""
    for path in [scratch / MIX_NAME, *(scratch / TRACKS_NAME / name for name in names.values())]:
        measured = _samples(tools, path, what=path.name, line=None)
        if measured != expected:
            message = (
                f"sox made {path.name} {measured} samples long, not the {expected} of the lines and gaps"
            )
            raise RehearsalProblem(message, tool="sox")


def _move_into_place(scratch: Path, folder: Path) -> None:
    """Replace the folder's mix and tracks with the scratch folder's, all made by now."""
    tracks = folder / TRACKS_NAME
    if tracks.is_dir() and not tracks.is_symlink():
        shutil.rmtree(tracks)
    else:
        tracks.unlink(missing_ok=True)
    (scratch / TRACKS_NAME).rename(tracks)
    (scratch / MIX_NAME).replace(folder / MIX_NAME)


def _spans(lines: Sequence[Line], lengths: Sequence[int], gap_samples: int) -> list[Span]:
    spans, at = [], 0
    for line, length in zip(lines, lengths, strict=True):
        spans.append(Span(at / SAMPLE_RATE, (at + length) / SAMPLE_RATE, line.speaker, line.text))
        at += length + gap_samples
    return spans
