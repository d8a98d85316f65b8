"""The live captions kept of an engagement, as WebVTT: on the clock of its recording when there is one
(so that they play with it), else of the room's opening."""

from datetime import datetime

from virtualtrip.rooms.models import Room
from virtualtrip.rooms.queries import recording_tracks, room_mix
from virtualtrip.speech.exports import vtt_of
from virtualtrip.speech.models import Caption
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
    return vtt_of(
        (
            (c.starts_at - origin).total_seconds(),
            max((c.ends_at - origin).total_seconds(), (c.starts_at - origin).total_seconds() + 0.001),
            c.speaker,
            c.text,
        )
        for c in captions
    )
