"""`virtualtrip transcribe` given odd arguments: each is refused with what is wrong, before any audio
is read or the model is loaded, and nothing is stored."""

import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from tests.speech.conftest import import_script_trip
from tests.speech.editing import counting_wav
from tests.speech.scripts import SHORT
from virtualtrip.speech.models import Transcript
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement() -> Engagement:
    return import_script_trip(SHORT)


def refused(engagement: Engagement, *args: object) -> str:
    with pytest.raises(CommandError) as raised:
        call_command(
            "transcribe", engagement.trip.slug, engagement.key, *map(str, args), "--save", verbosity=0
        )
    assert Transcript.objects.count() == 0
    return str(raised.value)


def test_a_folder_as_audio_is_refused_as_a_folder(engagement: Engagement, tmp_path: Path) -> None:
    assert refused(engagement, tmp_path) == f"{tmp_path} is a folder, not an audio file"


def test_a_fifo_as_audio_is_refused_without_waiting_on_it(engagement: Engagement, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    assert refused(engagement, fifo) == f"{fifo} is not a regular file (a pipe, a socket or a device)"


def test_a_missing_audio_file_is_refused(engagement: Engagement, tmp_path: Path) -> None:
    assert refused(engagement, tmp_path / "none.wav") == f"{tmp_path / 'none.wav'}: no such audio file"


def test_a_fifo_or_a_folder_as_turns_file_is_refused(engagement: Engagement, tmp_path: Path) -> None:
    audio = counting_wav(tmp_path / "a.wav")
    fifo = tmp_path / "turns.tsv"
    os.mkfifo(fifo)
    answers = [refused(engagement, audio, "--turns", fifo), refused(engagement, audio, "--turns", tmp_path)]
    assert answers == [
        f"{fifo} is not a regular file (a pipe, a socket or a device)",
        f"{tmp_path} is a folder, not a turns file",
    ]


def test_a_turns_file_in_latin_1_is_refused_as_not_utf_8(engagement: Engagement, tmp_path: Path) -> None:
    audio = counting_wav(tmp_path / "a.wav")
    turns = tmp_path / "turns.tsv"
    turns.write_bytes("0\t1\tlucia-gonzalez # Lucía\n".encode("latin-1"))
    assert refused(engagement, audio, "--turns", turns).startswith(f"{turns}: cannot be read as UTF-8 text")


def test_a_turns_file_of_10_mb_is_refused_unread(engagement: Engagement, tmp_path: Path) -> None:
    audio = counting_wav(tmp_path / "a.wav")
    turns = tmp_path / "turns.tsv"
    turns.write_bytes(b"# padding\n" * 1_048_576)
    assert refused(engagement, audio, "--turns", turns) == (
        f"{turns} is 10.5 MB: a turns file has at most 1 MB (a line a turn)"
    )


def test_an_unknown_trip_or_engagement_is_refused(engagement: Engagement) -> None:
    with pytest.raises(CommandError) as trip:
        call_command("transcribe", "no-such-trip", engagement.key, verbosity=0)
    with pytest.raises(CommandError) as key:
        call_command("transcribe", engagement.trip.slug, "no-such-engagement", verbosity=0)
    assert [str(trip.value), str(key.value)] == [
        f"no engagement '{engagement.key}' in trip 'no-such-trip'",
        f"no engagement 'no-such-engagement' in trip '{engagement.trip.slug}'",
    ]


def test_the_command_exits_non_zero_with_the_message_on_stderr(
    engagement: Engagement,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connections, "close_all", lambda: None)  # the test's database stays open
    argv = ["virtualtrip", "transcribe", engagement.trip.slug, engagement.key, str(tmp_path), "--save"]
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(argv)
    out, err = capsys.readouterr()
    assert (exited.value.code, out, err) == (
        1,
        "",
        f"CommandError: {tmp_path} is a folder, not an audio file\n",
    )
    assert Transcript.objects.count() == 0
