"""Who speaks on a forwarded feed, named as a transcript names them, and what the room is told."""

from collections.abc import Sequence

from virtualtrip.floor.people import HIDDEN_ON_BACKGROUND, hides_names
from virtualtrip.rooms.queries import FeedVoice
from virtualtrip.speech.corrections import correct
from virtualtrip.speech.speakers import label_for, named_speaker, speaker_of
from virtualtrip.speech.vocabulary import Vocabulary
from virtualtrip.speech.words import Word, joined
from virtualtrip.trips.models import Engagement, Participant

STAFF_SUFFIX = " — "


def caption_label(engagement: Engagement, voice: FeedVoice | None) -> str:
    """The label a caption shows for this feed: MODERATOR, QUESTION, the trip file's label, or (on
    background) the attribution; for a staff member their name; PARTICIPANT when no one is known."""
    if voice is None:
        return named_speaker("").label
    if voice.person_id is not None:
        speaker = speaker_of(engagement, voice.person_id)
        if speaker is not None:
            return speaker.label
    return named_speaker(voice.display.split(STAFF_SUFFIX)[0]).label


def withheld_only(vocabulary: Vocabulary) -> Vocabulary:
    """Only the names never to be written (a background briefer's), with what stands for them."""
    return Vocabulary(terms=(), withheld=vocabulary.withheld, withheld_as=vocabulary.withheld_as)


def without_withheld(words: Sequence[Word], vocabulary: Vocabulary) -> str:
    """The words' text with every withheld name heard in them written as the attribution: words a
    caption settled before its briefer went on background may name them."""
    if not vocabulary.withheld:
        return joined(list(words))
    return joined(correct(words, withheld_only(vocabulary))[0])


def named_briefer_labels(engagement: Engagement) -> set[str]:
    """The labels the engagement's background briefers had while they were named (on the record):
    what captions kept before the engagement went on background show them as."""
    if not hides_names(engagement):
        return set()
    hidden = Participant.objects.filter(engagement=engagement, role__in=HIDDEN_ON_BACKGROUND)
    labels = set()
    for participant in hidden.select_related("person"):
        labels |= {label_for(participant.person, participant.role), participant.person.name.upper()}
    return labels - {"", engagement.attribution.upper()}
