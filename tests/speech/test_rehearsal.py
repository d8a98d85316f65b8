"""Rehearsals: scripted briefings spoken by espeak-ng and stitched by sox, measured with sox itself."""

import re
import shutil
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from tests.conftest import as_yaml
from tests.speech.scripts import BACKGROUND, LONG, SCRIPTS, SHORT, Script, trip_document
from virtualtrip.speech.rehearsal import (
    SAMPLE_RATE,
    VOICES,
    Line,
    Rehearsal,
    RehearsalProblem,
    Span,
    rehearse,
    spoken_text,
    turns_tsv,
    voices_for,
)
from virtualtrip.trips.tripfile.check import check_trip_file

ESPEAK = shutil.which("espeak-ng")
SOX = shutil.which("sox")
INSTALL = "scripts/install-system-packages.sh installs it"
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason=f"espeak-ng is not installed ({INSTALL})")
needs_tools = pytest.mark.skipif(
    ESPEAK is None or SOX is None, reason=f"espeak-ng or sox is not installed ({INSTALL})"
)
GAP = 0.7
HEARD_RMS = 0.01  # espeak-ng's speech is far louder than this over any whole line


def soxi(path: Path, flag: str) -> str:
    """What `soxi FLAG PATH` tells (`sox --i` is soxi)."""
    assert SOX is not None
    return subprocess.run(
        [SOX, "--i", flag, str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


def loudness(path: Path, start: int, length: int) -> tuple[float, float]:
    """RMS and maximum amplitude of `length` samples from `start`, by sox's stat on the trimmed piece."""
    assert SOX is not None
    command = [SOX, str(path), "-n", "trim", f"{start}s", f"{length}s", "stat"]
    said = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    rms = re.search(r"RMS\s+amplitude:\s+([\d.]+)", said)
    peak = re.search(r"Maximum amplitude:\s+([\d.]+)", said)
    assert rms is not None, said
    assert peak is not None, said
    return float(rms.group(1)), float(peak.group(1))


def samples(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def pcm(path: Path) -> "array[int]":
    with wave.open(str(path)) as audio:
        return array("h", audio.readframes(audio.getnframes()))


def speak(script: Script, folder: Path) -> Rehearsal:
    return rehearse(script.lines, voices_for([line.speaker for line in script.lines]), folder, gap=GAP)


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Rehearsal:
    if ESPEAK is None or SOX is None:
        pytest.skip(f"espeak-ng or sox is not installed ({INSTALL})")
    return speak(SHORT, tmp_path_factory.mktemp("short"))


def silences(spans: list[Span], duration: float) -> list[tuple[int, int]]:
    """(start, length) in samples of every stretch outside `spans`."""
    stretches, at = [], 0
    for span in spans:
        if samples(span.start) > at:
            stretches.append((at, samples(span.start) - at))
        at = samples(span.end)
    if samples(duration) > at:
        stretches.append((at, samples(duration) - at))
    return stretches


@needs_tools
def test_spans_follow_the_script_one_after_another_a_gap_apart(short: Rehearsal) -> None:
    assert [(span.speaker, span.text) for span in short.spans] == [
        (line.speaker, line.text) for line in SHORT.lines
    ]
    assert short.spans[0].start == 0
    assert all(span.end > span.start for span in short.spans)
    gaps = [
        samples(after.start) - samples(before.end)
        for before, after in zip(short.spans, short.spans[1:], strict=False)
    ]
    assert gaps == [samples(GAP)] * (len(short.spans) - 1)


@needs_tools
def test_the_mix_lasts_its_lines_and_gaps_as_soxi_measures_it(short: Rehearsal) -> None:
    lines = sum(samples(span.end) - samples(span.start) for span in short.spans)
    assert int(soxi(short.mix, "-s")) == lines + samples(GAP) * (len(SHORT.lines) - 1)
    assert float(soxi(short.mix, "-D")) == pytest.approx(short.duration, abs=1e-6)
    assert samples(short.spans[-1].end) == int(soxi(short.mix, "-s"))


@needs_tools
def test_every_track_is_as_long_as_the_mix_mono_16_bit_at_16_khz(short: Rehearsal) -> None:
    files = [short.mix, *short.tracks.values()]
    measured = {(soxi(path, "-s"), soxi(path, "-r"), soxi(path, "-c"), soxi(path, "-b")) for path in files}
    assert measured == {(soxi(short.mix, "-s"), "16000", "1", "16")}


@needs_tools
def test_a_track_is_heard_in_its_speakers_lines_and_silent_everywhere_else(short: Rehearsal) -> None:
    assert list(short.tracks) == ["marcus-adeyemi", "helena-brandt", "lucia-gonzalez"]
    for speaker, track in short.tracks.items():
        own = [span for span in short.spans if span.speaker == speaker]
        heard = [
            loudness(track, samples(span.start), samples(span.end) - samples(span.start))[0] for span in own
        ]
        assert min(heard) > HEARD_RMS, (speaker, heard)
        elsewhere = [loudness(track, start, length)[1] for start, length in silences(own, short.duration)]
        assert elsewhere == [0.0] * len(elsewhere), speaker


@needs_tools
def test_the_mix_is_heard_in_every_line_and_silent_in_the_gaps(short: Rehearsal) -> None:
    heard = [loudness(short.mix, samples(s.start), samples(s.end) - samples(s.start))[0] for s in short.spans]
    assert min(heard) > HEARD_RMS, heard
    gaps = [loudness(short.mix, start, length)[1] for start, length in silences(short.spans, short.duration)]
    assert gaps == [0.0] * (len(short.spans) - 1)


@needs_tools
def test_the_tracks_add_up_to_the_mix_sample_for_sample(short: Rehearsal) -> None:
    tracks = [pcm(path) for path in short.tracks.values()]
    assert array("h", map(sum, zip(*tracks, strict=True))) == pcm(short.mix)


@needs_tools
def test_the_same_script_makes_the_same_files_and_spans(short: Rehearsal, tmp_path: Path) -> None:
    again = speak(SHORT, tmp_path)
    assert again.spans == short.spans
    assert again.duration == short.duration
    assert again.mix.read_bytes() == short.mix.read_bytes()
    assert {s: p.read_bytes() for s, p in again.tracks.items()} == {
        s: p.read_bytes() for s, p in short.tracks.items()
    }


@needs_tools
def test_any_unicode_text_is_spoken_and_kept_as_written(tmp_path: Path) -> None:
    lines = [
        Line("józef/../x", "-40 degrees in Łódź and Gdańsk."),
        Line("nguyen", "Nguyễn Thu Hà asks Trần Văn Quang about Hải Phòng."),
        Line("li", "李雷 of Ciudad Juárez: 'quoted' \"twice\" $(no shell) `here`; -v --help"),
    ]
    made = rehearse(lines, voices_for([line.speaker for line in lines]), tmp_path)
    assert [span.text for span in made.spans] == [line.text for line in lines]
    heard = [loudness(made.mix, samples(s.start), samples(s.end) - samples(s.start))[0] for s in made.spans]
    assert min(heard) > HEARD_RMS, heard
    assert {path.parent for path in made.tracks.values()} == {tmp_path.absolute() / "tracks"}
    assert sorted(path.name for path in made.tracks.values()) == ["józef-x.wav", "li.wav", "nguyen.wav"]


def test_accents_come_off_latin_letters_only_before_espeak_ng_reads_them() -> None:
    assert spoken_text("Nguyễn Thu Hà of Cảng Biển, Łódź, Gdańsk, Ciudad Juárez, Straße") == (
        "Nguyen Thu Ha of Cang Bien, Lodz, Gdansk, Ciudad Juarez, Strasse"
    )
    assert spoken_text("李雷 and Пётр -40") == "李雷 and Пётр -40"


@needs_tools
def test_a_line_is_spoken_as_its_letters_without_accents_would_be(tmp_path: Path) -> None:
    written = rehearse([Line("a", "Nguyễn Thu Hà of Hải Phòng.")], {"a": "en-us"}, tmp_path / "written")
    plain = rehearse([Line("a", "Nguyen Thu Ha of Hai Phong.")], {"a": "en-us"}, tmp_path / "plain")
    assert written.mix.read_bytes() == plain.mix.read_bytes()


@needs_tools
def test_a_second_rehearsal_in_a_folder_replaces_the_first_and_leaves_no_scratch(tmp_path: Path) -> None:
    rehearse([Line("a", "First take."), Line("b", "Second voice.")], {"a": "en-us", "b": "en-029"}, tmp_path)
    made = rehearse([Line("c", "Another take.")], {"c": "en-gb-x-rp"}, tmp_path)
    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")) == [
        "mix.wav",
        "tracks",
        "tracks/c.wav",
    ]
    assert made.spans == [Span(0.0, made.duration, "c", "Another take.")]


def test_turns_file_lists_start_end_and_speaker_of_each_span() -> None:
    spans = [Span(0.0, 1.5, "marcus-adeyemi", "Hello."), Span(2.2, 3.0625, "helena-brandt", "Thanks.")]
    assert turns_tsv(spans) == "0.000000\t1.500000\tmarcus-adeyemi\n2.200000\t3.062500\thelena-brandt\n"


def test_each_speaker_gets_a_distinct_voice_in_the_order_they_first_speak() -> None:
    assert voices_for(["b", "a", "b", "c"]) == {"b": VOICES[0], "a": VOICES[1], "c": VOICES[2]}
    with pytest.raises(RehearsalProblem, match=f"{len(VOICES) + 1} speakers but only {len(VOICES)} distinct"):
        voices_for([str(number) for number in range(len(VOICES) + 1)])


@needs_espeak
@pytest.mark.parametrize("voice", VOICES)
def test_every_voice_is_one_espeak_ng_has(voice: str) -> None:
    assert ESPEAK is not None
    subprocess.run([ESPEAK, "-q", "-v", voice, "--stdin"], input=b"Test.", capture_output=True, check=True)


@pytest.mark.parametrize(
    ("lines", "voices", "gap", "words_per_minute", "message"),
    [
        ([], {}, 0.7, 160, "the script has no lines"),
        ([Line("a", "Hello.")], {}, 0.7, 160, "line 1 \\(a: 'Hello.'\\): no voice for speaker 'a'"),
        (
            [Line("a", "Hello."), Line("a", " ... ")],
            {"a": "en-us"},
            0.7,
            160,
            "line 2 .* has no words to speak",
        ),
        ([Line("a", "Hello.")], {"a": "-w /tmp/x"}, 0.7, 160, "'-w /tmp/x' is not an espeak-ng voice name"),
        ([Line("a", "Hello.")], {"a": "en-us"}, -1.0, 160, "gap must be a number of seconds, 0 or more"),
        ([Line("a", "Hello.")], {"a": "en-us"}, float("nan"), 160, "gap must be a number of seconds"),
        ([Line("a", "Hello.")], {"a": "en-us"}, 0.7, 20, "words_per_minute must be 80 to 450, not 20"),
    ],
)
def test_a_script_that_cannot_be_spoken_is_refused_before_anything_is_made(
    tmp_path: Path, lines: list[Line], voices: dict[str, str], gap: float, words_per_minute: int, message: str
) -> None:
    folder = tmp_path / "rehearsal"
    with pytest.raises(RehearsalProblem, match=message):
        rehearse(lines, voices, folder, gap=gap, words_per_minute=words_per_minute)
    assert not folder.exists()


def test_without_espeak_ng_the_problem_names_it_and_nothing_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(RehearsalProblem, match="espeak-ng is not installed") as refused:
        rehearse([Line("a", "Hello.")], {"a": "en-us"}, tmp_path / "rehearsal")
    assert refused.value.tool == "espeak-ng"
    assert not (tmp_path / "rehearsal").exists()


@needs_espeak
def test_without_sox_the_problem_names_it_and_nothing_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ESPEAK is not None
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "espeak-ng").symlink_to(ESPEAK)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(RehearsalProblem, match="sox is not installed") as refused:
        rehearse([Line("a", "Hello.")], {"a": "en-us"}, tmp_path / "rehearsal")
    assert refused.value.tool == "sox"
    assert not (tmp_path / "rehearsal").exists()


@needs_espeak
def test_sox_failing_is_named_with_the_line_and_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ESPEAK is not None
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "espeak-ng").symlink_to(ESPEAK)
    (tools / "sox").write_text("#!/bin/sh\necho 'sox FAIL formats: cannot write here' >&2\nexit 2\n")
    (tools / "sox").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    folder = tmp_path / "rehearsal"
    folder.mkdir()
    (folder / "notes.txt").write_text("kept")
    with pytest.raises(RehearsalProblem) as refused:
        rehearse([Line("host", "Welcome, everyone.")], {"host": "en-us"}, folder)
    assert str(refused.value) == (
        "sox failed on line 1 (host: 'Welcome, everyone.') (exit status 2):"
        " sox FAIL formats: cannot write here"
    )
    assert (refused.value.tool, refused.value.line) == ("sox", 1)
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


@needs_tools
def test_espeak_ng_failing_on_a_later_line_leaves_the_last_rehearsal_untouched(tmp_path: Path) -> None:
    first = rehearse([Line("a", "The first take.")], {"a": "en-us"}, tmp_path)
    before = {path: path.read_bytes() for path in tmp_path.rglob("*.wav")}
    lines = [Line("a", "Good morning."), Line("b", "This voice does not exist.")]
    with pytest.raises(
        RehearsalProblem, match=r"espeak-ng failed on line 2 \(b: .*voice does not exist"
    ) as refused:
        rehearse(lines, {"a": "en-us", "b": "xx-nowhere"}, tmp_path)
    assert (refused.value.tool, refused.value.line) == ("espeak-ng", 2)
    assert {path: path.read_bytes() for path in tmp_path.rglob("*.wav")} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mix.wav", "tracks"]
    assert first.mix.exists()


@needs_tools
def test_a_folder_made_for_a_rehearsal_that_fails_is_taken_away(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    with pytest.raises(RehearsalProblem, match="espeak-ng failed on line 1"):
        rehearse([Line("a", "Hello.")], {"a": "xx-nowhere"}, folder)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.slug)
def test_each_script_is_spoken_by_people_of_a_trip_file_that_checks(script: Script) -> None:
    planned = check_trip_file(as_yaml(trip_document(script)))
    assert [person.id for person in planned.spec.people] == [person.id for person in script.people]
    assert {line.speaker for line in script.lines} <= {person.id for person in script.people}
    assert [person.role for person in script.speakers()][:2] == ["moderator", "briefer"]


def test_the_background_script_never_says_its_briefers_name() -> None:
    briefer = next(person for person in BACKGROUND.people if person.role == "briefer")
    words = " ".join(line.text for line in BACKGROUND.lines)
    assert [part for part in briefer.name.split() if part in words] == []
    assert trip_document(BACKGROUND)["destinations"][0]["engagements"][0]["ground_rules"] == {
        "rule": "background",
        "attribution": "A SENIOR STATE DEPARTMENT OFFICIAL",
    }


def test_the_long_script_names_at_least_15_people_and_places_with_several_voices() -> None:
    words = " ".join(line.text for line in LONG.lines)
    assert len([name for name in LONG.names() if name in words]) >= 15
    assert len(LONG.speakers()) >= 5


@needs_tools
def test_the_long_script_lasts_at_least_a_minute(tmp_path: Path) -> None:
    assert speak(LONG, tmp_path).duration >= 60
