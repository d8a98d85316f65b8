"""Who is who on the floor: the viewer behind a socket, and how the floor names each person.

Names come from the trip and from accreditation, never from the browser. On background the briefer
is named by the engagement's attribution everywhere the floor names them, for every viewer: the
floor's state, its events and its log never hold a background briefer's name.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from virtualtrip.trips.enums import GroundRules, Role
from virtualtrip.trips.models import Engagement, Participant

ASKING_ROLES = frozenset({Role.PRESS, Role.AUDIENCE})
"""Roles that raise hands and ask questions: journalists at a briefing, the audience at a town hall."""
HIDDEN_ON_BACKGROUND = frozenset({Role.BRIEFER})


@dataclass(frozen=True)
class Viewer:
    """The person behind a floor socket, as the server resolved their seat."""

    engagement_id: int
    person_id: int | None
    user_id: int | None
    role: str
    console: bool
    """Runs the floor: moderators, hosts, the principal's party and staff accounts."""
    in_lobby: bool
    """The seat's role waits in the lobby until admitted: whether it was is asked at each command."""
    seat_key: str = ""
    """The seat's key in rooms (its channel group's name)."""

    @property
    def asks(self) -> bool:
        return self.role in ASKING_ROLES and self.person_id is not None

    def acting(self) -> dict[str, int | None]:
        """Who acted, as the floor log records it."""
        return {"person": self.person_id, "user": self.user_id}


@dataclass(frozen=True)
class FloorName:
    name: str
    outlet: str
    country: str
    role: str
    key: str | None = None
    """The person's id in the trip file; None where it could name a background briefer."""

    def as_dict(self, person_id: int) -> dict[str, Any]:
        return {"person": person_id, "name": self.name, "outlet": self.outlet, "country": self.country}


def hides_names(engagement: Engagement) -> bool:
    return engagement.ground_rules == GroundRules.BACKGROUND


def floor_names(engagement: Engagement, people: Iterable[int] | None = None) -> dict[int, FloorName]:
    """How the floor names each participant of the engagement (only `people`, when given: a room of
    thousands reads the few the floor shows, not everyone)."""
    hidden = hides_names(engagement)
    names: dict[int, FloorName] = {}
    participants = Participant.objects.filter(engagement=engagement).select_related("person")
    if people is not None:
        participants = participants.filter(person_id__in=set(people))
    for participant in participants:
        person = participant.person
        if hidden and participant.role in HIDDEN_ON_BACKGROUND:
            names[person.pk] = FloorName(engagement.attribution, "", "", participant.role, None)
        else:
            outlet = person.outlet if participant.role == Role.PRESS else ""
            names[person.pk] = FloorName(person.name, outlet, person.country, participant.role, person.key)
    return names


def name_of(names: dict[int, FloorName], person_id: int) -> FloorName:
    return names.get(person_id) or FloorName("", "", "", "")


def name_for(engagement: Engagement, person_id: int) -> FloorName:
    """How the floor names one person of the engagement."""
    return name_of(floor_names(engagement, [person_id]), person_id)
