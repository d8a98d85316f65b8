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
from virtualtrip.rooms.queries import channel_mixes, recording_tracks, room_mix
from virtualtrip.speech import engine, interpreted
from virtualtrip.speech.audio import SAMPLE_RATE, Samples, check_audio, decode
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
    language: str = "en"
    samples: Samples | None = None
    """The audio already made (an interpreted meeting's language, `interpreted`); else `audio` is read."""
    made_from: dict[str, Any] | None = None
    """For a language of an interpreted meeting: the floor voices and the channel it was made from."""


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


def recorded_source(engagement: Engagement, language: str = "en") -> Source:
    """The room's own recording: its mix, and turns from its per-speaker files or the floor log. In
    a room with interpretation channels, the audio of `language` (`interpreted`) in the floor's turns."""
    recorded = recording_tracks(engagement)
    mix = room_mix(recorded)
    where = f"{engagement.trip.slug}/{engagement.key}"
    if mix is None:
        raise SpeechProblem(f"{where}: the room has no recording to transcribe")
    turns, turns_from = _recorded_turns(engagement, recorded, mix.starts_at)
    audio = settings.RECORDINGS_DIR / mix.file
    if not channel_mixes(recorded):
        return Source(audio, turns, turns_from, mix.starts_at, language)
    made = interpreted.language_audio(engagement, language, recorded, mix.starts_at)
    if made is None:
        raise SpeechProblem(f"{where}: nobody spoke {language} and no channel interpreted into it")
    made_from = {
        "floor": [track.speaker for track in made.floor],
        "channel": Path(made.channel.file).name if made.channel else None,
        "lag_seconds": round(made.lag_seconds, 2),
    }
    return Source(audio, turns, turns_from, mix.starts_at, language, made.samples, made_from)


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
    model = engine.model_for(source.language)
    if source.samples is None:
        duration = check_audio(source.audio).duration
        samples = decode(source.audio)
    else:
        samples, duration = source.samples, len(source.samples) / SAMPLE_RATE
    vocabulary = vocabulary_for(engagement)
    done: Callable[[float], None] | None = None
    if progress is not None:
        done = lambda seconds: progress(min(seconds, duration), duration)  # noqa: E731
    words = engine.recognise(samples, vocabulary if bias else None, model, done)
    corrections: list[Correction] = []
    if bias:
        words, corrections = correct(words, vocabulary)
    made = paragraphs(words, source.turns)
    if progress is not None:
        progress(duration, duration)
    return _stored(engagement, source, duration, model, bias, made, [c.as_dict() for c in corrections])


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
        "language": source.language,
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
        **({"interpreted": source.made_from} if source.made_from is not None else {}),
        "paragraphs": [_paragraph(p) for p in made],
        "corrections": corrections,
    }
