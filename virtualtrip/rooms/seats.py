"""Who someone is in a room: their seat, resolved on the server from the trip and never from the browser."""

from dataclasses import dataclass
from typing import Any

from virtualtrip.rooms.capabilities import STAFF_USER, Capability, capability
from virtualtrip.trips.enums import GroundRules, Role
from virtualtrip.trips.models import Participant
from virtualtrip.trips.validators import country_name


def person_seat_key(person_id: int) -> str:
    return f"p{person_id}"


@dataclass(frozen=True)
class Seat:
    engagement_id: int
    person_id: int | None
    """None for a staff account that logged in instead of using a personal link."""
    user_id: int | None
    role: str
    display: str
    in_lobby: bool
    """The room's lobby roles include this seat's role: it waits until admitted."""

    @property
    def can(self) -> Capability:
        return capability(self.role)

    @property
    def key(self) -> str:
        """Unique within the engagement; names this seat's channel group."""
        return person_seat_key(self.person_id) if self.person_id is not None else f"u{self.user_id}"


def display_name(participant: Participant) -> str:
    """The label under a participant's video: name and title (outlet for press), and country. On
    background a briefer is labelled with the engagement's attribution only, for everyone: Janus,
    every page and the recordings never hold the name."""
    engagement = participant.engagement
    if participant.role == Role.BRIEFER and engagement.ground_rules == GroundRules.BACKGROUND:
        return engagement.attribution
    person = participant.person
    detail = person.outlet if participant.role == Role.PRESS and person.outlet else person.title
    country = country_name(person.country) if person.country else ""
    return " — ".join(part for part in [person.name, ", ".join(p for p in [detail, country] if p)] if part)


def participant_seat(participant: Participant, lobby_roles: list[str]) -> Seat:
    return Seat(
        engagement_id=participant.engagement_id,
        person_id=participant.person_id,
        user_id=None,
        role=participant.role,
        display=display_name(participant),
        in_lobby=participant.role in lobby_roles,
    )


def staff_display(user: Any) -> str:
    """The label of a staff account that logged in instead of using a join link."""
    name = getattr(user, "get_full_name", lambda: "")() or user.get_username()
    return f"{name} — Trip staff"


def staff_seat(engagement_id: int, user: Any) -> Seat:
    return Seat(engagement_id, None, int(user.pk), STAFF_USER, staff_display(user), in_lobby=False)
