"""What each role may do in a room. The signaling proxy enforces it; the page only reflects it."""

from dataclasses import dataclass

from virtualtrip.trips.enums import Role

STAFF_USER = "staff"
"""A logged-in staff account joining without a personal link: the principal's staff."""


@dataclass(frozen=True)
class Capability:
    publishes_audio: bool = False
    publishes_video: bool = False
    keeps_lobby: bool = False
    """Admits and refuses people waiting in the lobby, and ends the room."""
    travels: bool = False
    """Follows the itinerary: the next engagement's room is one click away."""

    @property
    def publishes(self) -> bool:
        return self.publishes_audio or self.publishes_video


SPEAKER = Capability(publishes_audio=True, publishes_video=True)
CAPABILITIES: dict[str, Capability] = {
    Role.PRINCIPAL: Capability(True, True, keeps_lobby=True, travels=True),
    Role.DELEGATION: Capability(True, True, keeps_lobby=True, travels=True),
    Role.COUNTERPART: SPEAKER,
    Role.GUIDE: SPEAKER,
    Role.BRIEFER: SPEAKER,
    Role.HOST: Capability(True, True, keeps_lobby=True),
    Role.MODERATOR: Capability(True, True, keeps_lobby=True),
    Role.INTERPRETER: Capability(publishes_audio=True),
    Role.PRESS: Capability(),
    Role.AUDIENCE: Capability(),
    Role.STAFF: Capability(),
    STAFF_USER: Capability(keeps_lobby=True, travels=True),
}

DEFAULT_LOBBY_ROLES = [Role.PRESS.value, Role.AUDIENCE.value]


def capability(role: str) -> Capability:
    return CAPABILITIES.get(role, Capability())
