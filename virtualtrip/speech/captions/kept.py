"""The live captions kept of an engagement, as WebVTT: on the clock of its recording when there is one
(so that they play with it), else of the room's opening. On background the briefer is the attribution
in every cue, kept before the engagement went on background or after: their label and their name,
heard, are written as it."""

from datetime import datetime

from virtualtrip.rooms.models import Room
from virtualtrip.rooms.queries import recording_tracks, room_mix
from virtualtrip.speech.captions.voices import named_briefer_labels, without_withheld
from virtualtrip.speech.exports import vtt_of
from virtualtrip.speech.models import Caption
from virtualtrip.speech.vocabulary import Vocabulary, vocabulary_for
from virtualtrip.speech.words import Word
from virtualtrip.trips.models import Engagement


def captions_origin(engagement: Engagement, first: datetime) -> datetime:
    """The wall time WebVTT's zero stands for."""
    mix = room_mix(recording_tracks(engagement))
    if mix is not None:
        return mix.starts_at
    room = Room.objects.filter(engagement=engagement).first()
    if room is not None and room.opened_at is not None and room.opened_at <= first:
        return room.opened_at
    return first


def captions_vtt(engagement: Engagement) -> str:
    captions = list(Caption.objects.filter(engagement=engagement))
    if not captions:
        return vtt_of([])
    origin = captions_origin(engagement, captions[0].starts_at)
    named = named_briefer_labels(engagement)
    vocabulary = vocabulary_for(engagement)
    return vtt_of(
        (
            (c.starts_at - origin).total_seconds(),
            max((c.ends_at - origin).total_seconds(), (c.starts_at - origin).total_seconds() + 0.001),
            engagement.attribution.upper() if c.speaker in named else c.speaker,
            _unnamed(c.text, vocabulary),
        )
        for c in captions
    )


def _unnamed(text: str, vocabulary: Vocabulary) -> str:
    if not vocabulary.withheld:
        return text
    return without_withheld([Word(0.0, 0.0, f" {word}") for word in text.split()], vocabulary)
