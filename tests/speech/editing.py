"""Transcripts for the editor's tests, in the stored form the pipeline makes (`virtualtrip-transcript/1`),
built by hand so that every word, time and correction is known."""

import shutil
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse

from tests.audio import write_wav
from tests.factories.publishing import desk_user
from virtualtrip.rooms.actions import do_open_room, do_store_recording
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.rooms.recordings import TrackFile, room_folder
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.models import Transcript
from virtualtrip.speech.pipeline import FORMAT
from virtualtrip.speech.speakers import speakers_for
from virtualtrip.trips.models import Engagement


@dataclass(frozen=True)
class Turn:
    speaker: str
    """The trip file's id of who speaks."""
    words: list[str]
    """As the recogniser (and the correction pass) left them: a corrected run is one word."""
    start: float
    end: float


@dataclass(frozen=True)
class Fix:
    """A change of the correction pass: word `word` of turn `turn` was heard as `heard`."""

    turn: int
    word: int
    heard: str
    written: str
    kind: str = "person"
    person: str | None = None
    score: float = 91.5


@dataclass
class Made:
    turns: list[Turn]
    fixes: list[Fix] = field(default_factory=list)


def _words(turn: Turn) -> list[dict[str, Any]]:
    step = (turn.end - turn.start) / len(turn.words)
    return [
        {
            "start": round(turn.start + n * step, 3),
            "end": round(turn.start + (n + 1) * step, 3),
            "text": (" " if n else "") + text,
            "probability": 0.9,
        }
        for n, text in enumerate(turn.words)
    ]


def body_of(engagement: Engagement, made: Made) -> dict[str, Any]:
    """The stored form of a transcript of `engagement` whose paragraphs are `made.turns`."""
    speakers = speakers_for(engagement)
    paragraphs = []
    for turn in made.turns:
        speaker = speakers[turn.speaker]
        words = _words(turn)
        paragraphs.append(
            {
                "start": words[0]["start"],
                "end": words[-1]["end"],
                "speaker": speaker.label,
                "person": speaker.person,
                "text": "".join(w["text"] for w in words).strip(),
                "words": words,
            }
        )
    corrections = []
    for fix in made.fixes:
        word = paragraphs[fix.turn]["words"][fix.word]
        corrections.append(
            {
                "start": word["start"],
                "end": word["end"],
                "heard": fix.heard,
                "written": fix.written,
                "score": fix.score,
                "kind": fix.kind,
                "person": fix.person,
            }
        )
    return {
        "format": FORMAT,
        "trip": engagement.trip.slug,
        "engagement": engagement.key,
        "title": engagement.title,
        "language": "en",
        "ground_rules": {
            "rule": engagement.ground_rules,
            "attribution": engagement.attribution,
            "embargo_until": None,
        },
        "made_at": "2027-03-04T11:05:00+00:00",
        "model": {"name": "tiny.en", "path": "", "device": "cpu", "compute_type": "int8"},
        "names_bias": True,
        "audio": {"file": "room.wav", "duration": made.turns[-1].end + 0.5, "starts_at": None},
        "turns_from": "tracks",
        "paragraphs": paragraphs,
        "corrections": corrections,
    }


def stored(engagement: Engagement, made: Made) -> Transcript:
    return do_store_transcript(engagement, body_of(engagement, made))


def editor_user(username: str = "editor") -> User:
    """A member of the Editors group, as publishing's desks have them."""
    return desk_user("editor", username)


def recorded(engagement: Engagement, audio: Path) -> RecordingTrack:
    """`audio` (a WAV file) stored as the engagement's recorded room: its mix, as rooms lists it."""
    room = do_open_room(engagement)
    folder = room_folder(engagement.pk)
    folder.mkdir(parents=True, exist_ok=True)
    mix = folder / "room.wav"
    shutil.copyfile(audio, mix)
    with wave.open(str(mix)) as read:
        seconds = read.getnframes() / read.getframerate()
    track = TrackFile(None, mix, engagement.starts_at, seconds, mix.stat().st_size)
    do_store_recording(room, [track])
    return RecordingTrack.objects.get(room=room, speaker="")


def counting_wav(path: Path, seconds: float = 1.0, rate: int = 16_000) -> Path:
    """A WAV file whose sample bytes count up (modulo 251), so that one range of it can be told
    from another."""
    return write_wav(path, bytes(n % 251 for n in range(int(seconds * rate) * 2)), rate)


SHORT_TURNS = Made(
    turns=[
        Turn(
            "marcus-adeyemi",
            [
                "Good",
                "afternoon.",
                "Envoy",
                "Brandt",
                "will",
                "take",
                "a",
                "few",
                "questions,",
                "on",
                "the",
                "record.",
            ],
            0.0,
            4.8,
        ),
        Turn(
            "helena-brandt",
            [
                *["Thank", "you,", "Marcus.", "We", "spent", "the", "morning", "in"],
                "Ciudad Juárez",
                "with",
                "the",
                "port",
                "staff.",
            ],
            5.6,
            10.8,
        ),
        Turn("marcus-adeyemi", ["Go", "ahead,", "Lucía González", "of", "El Diario del Norte."], 11.5, 15.0),
        Turn(
            "lucia-gonzalez", ["Thank", "you.", "When", "will", "the", "new", "crossing", "open?"], 15.7, 18.7
        ),
        Turn("helena-brandt", ["We", "expect", "it", "to", "open", "next", "spring."], 19.4, 21.9),
    ],
    fixes=[
        Fix(0, 3, "Brant", "Brandt", person="helena-brandt"),
        Fix(1, 8, "Sudad Juarez", "Ciudad Juárez", kind="place"),
        Fix(2, 2, "Lucia Gonzales", "Lucía González", person="lucia-gonzalez"),
        Fix(2, 4, "Diario del Norte", "El Diario del Norte", kind="outlet"),
    ],
)
"""The short press availability of tests.speech.scripts, as the recogniser might have heard it."""


def url(name: str, engagement: Engagement, *args: object) -> str:
    return reverse(f"speech:{name}", args=[engagement.pk, *args])
