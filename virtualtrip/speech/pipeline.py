"""From audio to a transcript: the recogniser told who is in the room, the correction pass, the turns
from the record, one paragraph per turn. The result is the stored form of a transcript
(`virtualtrip-transcript/1`, docs/speech.md), which every export is made from."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from virtualtrip.floor.log import floor_log
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.rooms.queries import recording_tracks, room_mix
from virtualtrip.speech import engine
from virtualtrip.speech.audio import check_audio, decode
from virtualtrip.speech.corrections import Correction, correct
from virtualtrip.speech.paragraphs import Paragraph, paragraphs
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.speakers import speakers_for
from virtualtrip.speech.turns import Turn, levels_of, read_turns_file, turns_from_talking, turns_from_tracks
from virtualtrip.speech.vocabulary import vocabulary_for
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.queries import ground_rules

FORMAT = "virtualtrip-transcript/1"
Progress = Callable[[float, float], None]
"""Called with the seconds of audio done and the seconds in all."""


@dataclass(frozen=True)
class Source:
    audio: Path
    turns: list[Turn]
    turns_from: str
    """Where the turns come from: `tracks` (per-speaker recordings), `talking` (the floor log), `file`
    (a turns file), or `none`."""
    starts_at: datetime | None = None
    """The wall time of the audio's first sample, where the product recorded it."""


def _recorded_turns(
    engagement: Engagement, recorded: list[RecordingTrack], starts_at: datetime
) -> tuple[list[Turn], str]:
    speakers = speakers_for(engagement)
    tracks = [t for t in recorded if t.person_id is not None and not t.language]  # the floor's voices
    if tracks:
        keys = {t.person_id: t.person.key for t in tracks if t.person is not None}
        levels = [
            (
                speakers[keys[t.person_id]],
                levels_of(settings.RECORDINGS_DIR / t.file),
                (t.starts_at - starts_at).total_seconds(),
            )
            for t in tracks
            if keys.get(t.person_id) in speakers
        ]
        return turns_from_tracks(levels), "tracks"
    talking = turns_from_talking(floor_log(engagement), starts_at, speakers)
    return talking, "talking" if talking else "none"


def recorded_source(engagement: Engagement) -> Source:
    """The room's own recording: its mix, and turns from its per-speaker files or the floor log."""
    recorded = recording_tracks(engagement)
    mix = room_mix(recorded)
    if mix is None:
        raise SpeechProblem(
            f"{engagement.trip.slug}/{engagement.key}: the room has no recording to transcribe"
        )
    turns, turns_from = _recorded_turns(engagement, recorded, mix.starts_at)
    return Source(settings.RECORDINGS_DIR / mix.file, turns, turns_from, mix.starts_at)


def file_source(engagement: Engagement, audio: Path, turns_file: Path | None = None) -> Source:
    """Audio from elsewhere: turns from a turns file, or else from the room's record, the file being
    taken to start when the room's recording did."""
    if turns_file is not None:
        try:
            text = turns_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SpeechProblem(f"{turns_file}: cannot be read as UTF-8 text ({error})") from error
        return Source(audio, read_turns_file(text, speakers_for(engagement), str(turns_file)), "file")
    recorded = recording_tracks(engagement)
    mix = room_mix(recorded)
    if mix is None:
        return Source(audio, [], "none")
    turns, turns_from = _recorded_turns(engagement, recorded, mix.starts_at)
    return Source(audio, turns, turns_from, mix.starts_at)


def transcribe(
    engagement: Engagement, source: Source, *, bias: bool = True, progress: Progress | None = None
) -> dict[str, Any]:
    """The transcript of `source`, in its stored form. SpeechProblem for audio or a model it cannot use."""
    info = check_audio(source.audio)
    model = engine.model_info()
    vocabulary = vocabulary_for(engagement)
    samples = decode(source.audio)
    done: Callable[[float], None] | None = None
    if progress is not None:
        done = lambda seconds: progress(min(seconds, info.duration), info.duration)  # noqa: E731
    words = engine.recognise(samples, vocabulary if bias else None, model, done)
    corrections: list[Correction] = []
    if bias:
        words, corrections = correct(words, vocabulary)
    made = paragraphs(words, source.turns)
    if progress is not None:
        progress(info.duration, info.duration)
    return _stored(engagement, source, info.duration, model, bias, made, [c.as_dict() for c in corrections])


def _paragraph(paragraph: Paragraph) -> dict[str, Any]:
    return {
        "start": round(paragraph.start, 3),
        "end": round(paragraph.end, 3),
        "speaker": paragraph.speaker.label,
        "person": paragraph.speaker.person,
        "text": paragraph.text,
        "words": [
            {
                "start": round(w.start, 3),
                "end": round(w.end, 3),
                "text": w.text,
                "probability": round(w.probability, 3),
            }
            for w in paragraph.words
        ],
    }


def _stored(
    engagement: Engagement,
    source: Source,
    duration: float,
    model: engine.ModelInfo,
    bias: bool,
    made: list[Paragraph],
    corrections: list[dict[str, Any]],
) -> dict[str, Any]:
    rules = ground_rules(engagement)
    return {
        "format": FORMAT,
        "trip": engagement.trip.slug,
        "engagement": engagement.key,
        "title": engagement.title,
        "language": "en",
        "ground_rules": {
            "rule": rules.rule.value,
            "attribution": rules.attribution,
            "embargo_until": rules.embargo_until.isoformat() if rules.embargo_until else None,
        },
        "made_at": timezone.now().isoformat(),
        "model": model.as_dict(),
        "names_bias": bias,
        "audio": {
            "file": source.audio.name,
            "duration": round(duration, 3),
            "starts_at": source.starts_at.isoformat() if source.starts_at else None,
        },
        "turns_from": source.turns_from,
        "paragraphs": [_paragraph(p) for p in made],
        "corrections": corrections,
    }
