"""Audio speech cannot use gets a message that says what and where; silence gives no words; a missing
or broken model is named in the error; a failed transcription leaves the draft before it untouched."""

import subprocess
from pathlib import Path

import pytest

from tests.speech.conftest import import_script_trip
from tests.speech.scripts import SHORT
from virtualtrip.speech import actions, pipeline
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.queries import transcript_of

pytestmark = pytest.mark.django_db


def sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True, timeout=60)  # noqa: S607 (Debian's sox, on PATH)


def transcribe(audio: Path) -> dict:
    engagement = import_script_trip(SHORT)
    return pipeline.transcribe(engagement, pipeline.file_source(engagement, audio))


def test_a_file_that_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(SpeechProblem, match=r"nothing\.ogg: no such audio file"):
        transcribe(tmp_path / "nothing.ogg")


def test_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(SpeechProblem, match=r"empty\.wav is empty \(0 bytes\)"):
        transcribe(tmp_path / "empty.wav")


def test_a_file_that_is_not_audio(tmp_path: Path) -> None:
    (tmp_path / "notes.wav").write_text("Minutes of the meeting, not its audio.\n" * 20)
    with pytest.raises(SpeechProblem, match=r"notes\.wav is not audio: "):
        transcribe(tmp_path / "notes.wav")


def test_audio_longer_than_speech_takes_is_refused_before_the_model_runs(tmp_path: Path, settings) -> None:
    settings.SPEECH_MAX_SECONDS = 60
    sox("-n", "-r", "8000", "-c", "1", str(tmp_path / "long.wav"), "trim", "0", "90")
    with pytest.raises(SpeechProblem, match=r"long\.wav lasts 1 min 30 s, longer than the 1 min 00 s"):
        transcribe(tmp_path / "long.wav")


def test_silence_gives_an_empty_transcript_never_invented_words(tmp_path: Path) -> None:
    sox("-n", "-r", "16000", "-c", "1", str(tmp_path / "quiet.wav"), "trim", "0", "20")
    sox(
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        str(tmp_path / "hiss.wav"),
        "synth",
        "20",
        "whitenoise",
        "vol",
        "0.002",
    )
    for audio in ("quiet.wav", "hiss.wav"):
        body = transcribe(tmp_path / audio)
        assert body["paragraphs"] == [], audio
        assert body["audio"]["duration"] == pytest.approx(20, abs=0.1)


def test_a_missing_model_is_named_with_the_setting(tmp_path: Path, settings, rehearsed) -> None:
    settings.SPEECH_MODEL = tmp_path / "no-model"
    with pytest.raises(
        SpeechProblem, match=r"speech model not found: .*no-model holds no model\.bin .*SPEECH_MODEL"
    ):
        transcribe(rehearsed(SHORT).mix)


def test_a_broken_model_is_named(tmp_path: Path, settings, rehearsed) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")
    (broken / "config.json").write_text("{}")
    settings.SPEECH_MODEL = broken
    with pytest.raises(SpeechProblem, match=r"speech model at .*broken could not be loaded: "):
        transcribe(rehearsed(SHORT).mix)


def test_a_transcription_that_fails_leaves_the_draft_before_it(tmp_path: Path) -> None:
    engagement = import_script_trip(SHORT)
    before = {"format": "virtualtrip-transcript/1", "paragraphs": [{"speaker": "MODERATOR", "text": "Kept."}]}
    actions.do_store_transcript(engagement, before)
    (tmp_path / "bad.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    with pytest.raises(SpeechProblem):
        pipeline.transcribe(engagement, pipeline.file_source(engagement, tmp_path / "bad.wav"))
    kept = transcript_of(engagement)
    assert kept is not None
    assert kept.body == before
