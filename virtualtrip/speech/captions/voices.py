"""Who speaks on a forwarded feed, named as a transcript names them, and what the room is told."""

from virtualtrip.rooms.queries import FeedVoice
from virtualtrip.speech.speakers import named_speaker, speakers_for
from virtualtrip.trips.models import Engagement, Person

STAFF_SUFFIX = " — "


def caption_label(engagement: Engagement, voice: FeedVoice | None) -> str:
    """The label a caption shows for this feed: MODERATOR, QUESTION, the trip file's label, or (on
    background) the attribution; for a staff member their name; PARTICIPANT when no one is known."""
    if voice is None:
        return named_speaker("").label
    if voice.person_id is not None:
        key = Person.objects.filter(pk=voice.person_id).values_list("key", flat=True).first()
        speaker = speakers_for(engagement).get(key or "")
        if speaker is not None:
            return speaker.label
    return named_speaker(voice.display.split(STAFF_SUFFIX)[0]).label
