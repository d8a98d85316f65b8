"""How a transcript names each speaker, from the trip file and the ground rules, never from the audio.

The moderator is `MODERATOR`, a journalist (or a town hall's audience) `QUESTION`, anyone else the
label the trip file gives them (`SECRETARY BLINKEN`), or their name in capitals. On background a
briefer is the attribution and their trip-file id is not kept: nothing stored with a transcript can
name them."""

from dataclasses import dataclass

from virtualtrip.floor.people import ASKING_ROLES, HIDDEN_ON_BACKGROUND, hides_names
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Participant, Person

MODERATOR = "MODERATOR"
QUESTION = "QUESTION"


@dataclass(frozen=True)
class Speaker:
    label: str
    person: str | None = None
    """The trip file's id of the person; None for a background briefer and for someone unknown."""


UNKNOWN = Speaker("PARTICIPANT")
"""Words no record attributes to anyone: the editor says whose they are."""


def label_for(person: Person, role: str | None) -> str:
    if role == Role.MODERATOR:
        return MODERATOR
    if role in ASKING_ROLES:
        return QUESTION
    return person.label.strip() or person.name.upper()


def speakers_for(engagement: Engagement) -> dict[str, Speaker]:
    """Every person of the trip by their trip-file id, named for this engagement's transcript. A
    background briefer is under their id here (it is how records find them), as a speaker without it."""
    roles = dict(Participant.objects.filter(engagement=engagement).values_list("person_id", "role"))
    return {
        person.key: _speaker(engagement, person, roles.get(person.pk))
        for person in Person.objects.filter(trip=engagement.trip)
    }


def speaker_of(engagement: Engagement, person_id: int) -> Speaker | None:
    """One person of the engagement's trip, named as `speakers_for` names them (None for someone
    not of the trip): a live caption names its speaker several times a second."""
    person = Person.objects.filter(pk=person_id, trip_id=engagement.trip_id).first()
    if person is None:
        return None
    role = Participant.objects.filter(engagement=engagement, person=person).values_list("role", flat=True)
    return _speaker(engagement, person, role.first())


def _speaker(engagement: Engagement, person: Person, role: str | None) -> Speaker:
    if hides_names(engagement) and role in HIDDEN_ON_BACKGROUND:
        return Speaker(engagement.attribution.upper())
    return Speaker(label_for(person, role), person.key)


def named_speaker(name: str) -> Speaker:
    """A speaker a record names without an id (the floor log names a background briefer so)."""
    return Speaker(name.upper()) if name.strip() else UNKNOWN
