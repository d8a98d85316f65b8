"""Transcripts of an interpreted meeting, one per language, on real audio: espeak-ng speaks a
principal in English and a minister in Spanish on the floor, and an interpreter into English on the
English channel two and a half seconds behind the minister; the real recogniser (tiny.en) hears
them. The English transcript has the floor's turns and labels, the principal's own words and the
minister's in the interpreter's English; a language no shipped model hears fails saying so."""

import subprocess
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from tests.audio import write_wav
from tests.factories.rooms import live_engagement, seat
from virtualtrip.rooms import actions
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.rooms.recordings import TrackFile, room_folder
from virtualtrip.rooms.seats import person_seat_key
from virtualtrip.speech import engine, interpreted, pipeline
from virtualtrip.speech.audio import SAMPLE_RATE, decode
from virtualtrip.speech.models import TranscriptionJob
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Person

pytestmark = pytest.mark.django_db
LAG_S = 2.5
PRINCIPAL_SAYS = [(0.5, "Thank you for joining us today from Mexico City.")]
MINISTER_SAYS = [(6.0, "Gracias, señora secretaria. Hablemos del agua y de la frontera.")]
INTERPRETER_SAYS = [(6.0 + LAG_S, "Thank you, Madam Secretary. Let us talk about water and the border.")]
CLOSING = [(17.0, "We will work together on water.")]
LENGTH_S = 21.0


def spoken(text: str, voice: str, folder: Path) -> np.ndarray:
    wav = folder / f"said-{abs(hash((text, voice)))}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), text], check=True)  # noqa: S607
    return decode(wav)


def track_file(lines: list[tuple[float, str]], voice: str, path: Path) -> Path:
    samples = np.zeros(round(LENGTH_S * SAMPLE_RATE), dtype=np.float32)
    for at, text in lines:
        said = spoken(text, voice, path.parent)
        start = round(at * SAMPLE_RATE)
        samples[start : start + len(said)] += said[: len(samples) - start]
    frames = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return write_wav(path, frames, SAMPLE_RATE)


@pytest.fixture
def meeting(settings, tmp_path: Path, django_capture_on_commit_callbacks) -> Engagement:
    """An engagement in Mexico City: a principal, a minister who speaks Spanish, an interpreter into
    English and one into French, its room recorded and stored as the rooms store it."""
    settings.RECORDINGS_DIR = tmp_path
    engagement = live_engagement(title="Reunión bilateral", languages=["es", "en", "fr"])
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone", languages=["en"])
    minister = seat(engagement, Role.COUNTERPART, name="Ximena Núñez-Ibáñez", languages=["es"])
    english = seat(engagement, Role.INTERPRETER, name="Ngozi Ọkafọr", languages=["es", "en"])
    french = seat(engagement, Role.INTERPRETER, name="Jean-Loïc d'Arcy", languages=["es", "fr"])
    folder = room_folder(engagement.pk)
    folder.mkdir(parents=True)
    files = {
        principal: track_file(PRINCIPAL_SAYS + CLOSING, "en-us", folder / "speaker-a.wav"),
        minister: track_file(MINISTER_SAYS, "es", folder / "speaker-b.wav"),
        english: track_file(INTERPRETER_SAYS, "en-gb", folder / "speaker-c.wav"),
        french: track_file([], "fr", folder / "speaker-d.wav"),
    }
    at = timezone.now() - timedelta(minutes=5)

    def listed(seat_key: str | None, path: Path, language: str = "") -> TrackFile:
        return TrackFile(seat_key, path, at, LENGTH_S, path.stat().st_size, language)

    floor = track_file(PRINCIPAL_SAYS + MINISTER_SAYS + CLOSING, "en-us", folder / "room.wav")
    tracks = [
        listed(None, floor),
        listed(None, files[english], "en"),
        listed(None, files[french], "fr"),
        listed(person_seat_key(principal.person_id), files[principal]),
        listed(person_seat_key(minister.person_id), files[minister]),
        listed(person_seat_key(english.person_id), files[english], "en"),
        listed(person_seat_key(french.person_id), files[french], "fr"),
    ]
    room = actions.do_end_room(actions.do_open_room(engagement), acting="Host")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_store_recording(room, tracks)
    return engagement


def test_the_english_transcript_is_the_floor_in_english_and_the_channel_for_the_rest(meeting) -> None:
    source = pipeline.recorded_source(meeting, "en")
    assert source.made_from is not None
    assert [name.split(" — ")[0] for name in source.made_from["floor"]] == ["Avery Stone"]
    assert source.made_from["channel"] == "speaker-c.wav"
    assert source.made_from["lag_seconds"] == pytest.approx(LAG_S, abs=0.4)
    body = pipeline.transcribe(meeting, source)
    assert body["language"] == "en"
    assert body["interpreted"] == source.made_from
    said = [(p["speaker"], p["text"].lower()) for p in body["paragraphs"]]
    assert [speaker for speaker, _ in said] == ["AVERY STONE", "XIMENA NÚÑEZ-IBÁÑEZ", "AVERY STONE"], said
    assert "mexico" in said[0][1]
    assert "border" in said[1][1]
    assert "water" in said[1][1]
    assert "gracias" not in said[1][1]
    assert "frontera" not in said[1][1]
    assert "together" in said[2][1]
    assert all(
        p["start"] < 16.5 for p in body["paragraphs"][:2]
    )  # the channel moved back onto the floor's turn


def test_every_language_heard_gets_its_transcription_queued_when_the_recording_is_stored(meeting) -> None:
    queued = sorted(TranscriptionJob.objects.filter(engagement=meeting).values_list("language", flat=True))
    assert queued == ["en", "es", "fr"]
    tracks = list(RecordingTrack.objects.filter(room__engagement=meeting))
    assert interpreted.transcript_languages(meeting, tracks) == ["es", "en", "fr"]


def test_only_languages_the_trip_page_publishes_in_get_a_transcript(meeting) -> None:
    """A Yoruba minister and a Yoruba channel: no transcript the page could never publish."""
    yoruba = Person(key="ade", name="Adéwálé Ọlábísí", languages=["yo"])
    tracks = [
        RecordingTrack(speaker="Adéwálé Ọlábísí", language="", person=yoruba),
        RecordingTrack(speaker="", language="yo"),
        RecordingTrack(speaker="", language="fr"),
    ]
    assert interpreted.transcript_languages(meeting, tracks) == ["fr"]


def test_a_language_no_shipped_model_hears_fails_saying_which_and_what_to_set(meeting) -> None:
    source = pipeline.recorded_source(meeting, "fr")
    assert source.made_from == {"floor": [], "channel": "speaker-d.wav", "lag_seconds": pytest.approx(2.5)}
    with pytest.raises(
        SpeechProblem, match=r"no speech model for French \(fr\).*VIRTUALTRIP_SPEECH_MULTILINGUAL"
    ):
        pipeline.transcribe(meeting, source)


def test_a_language_longer_than_one_transcript_takes_is_refused_before_it_is_decoded(
    meeting, settings, monkeypatch
) -> None:
    settings.SPEECH_MAX_SECONDS = 10  # the meeting lasts about 25 s

    def decoded(path: Path) -> np.ndarray:
        raise AssertionError(f"{path} decoded")

    monkeypatch.setattr(interpreted, "decode", decoded)
    with pytest.raises(
        SpeechProblem, match=r"the en audio of .+ lasts 0 min 2\d s, longer than the 0 min 10 s"
    ):
        pipeline.recorded_source(meeting, "en")


def test_a_language_nobody_spoke_or_interpreted_into_is_refused(meeting) -> None:
    with pytest.raises(SpeechProblem, match="nobody spoke de and no channel interpreted into it"):
        pipeline.recorded_source(meeting, "de")


def test_a_multilingual_model_set_by_path_hears_the_other_languages(settings, tmp_path: Path) -> None:
    settings.SPEECH_MULTILINGUAL_MODEL = tmp_path / "whisper-small"
    info = engine.model_for("es")
    assert (info.path, info.language, info.name) == (str(tmp_path / "whisper-small"), "es", "multilingual")
    assert engine.model_for("en").language == "en"
    assert engine.model_for("en").name == "tiny.en"
    with pytest.raises(SpeechProblem, match=r"holds no model\.bin"):
        engine.load_model(info)  # named, not downloaded: an empty folder is a clear problem


def test_a_room_without_channels_keeps_its_one_english_transcript(settings, tmp_path: Path) -> None:
    settings.RECORDINGS_DIR = tmp_path
    engagement = live_engagement()
    assert interpreted.transcript_languages(engagement, []) == ["en"]
