"""The room control channel's wire messages (browser ⇄ app), as pydantic models.

Envelope: `{type, id, seq, body}` from the app (seq counts per connection), `{type, id, body}` from
the browser; an error answers the command it refuses with `in_response`. See docs/protocol.md.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Commands (browser → app)
class Command(Strict):
    type: str
    id: str = ""
    body: dict[str, object] = {}


class PersonBody(Strict):
    person: int


# Events (app → browser)
class WaitingBody(Strict):
    person: int
    display: str


class LobbyChanged(Strict):
    type: Literal["lobby.changed"] = "lobby.changed"
    waiting: list[WaitingBody]


class AdmissionDecided(Strict):
    type: Literal["admission.decided"] = "admission.decided"
    person: int
    state: str


class RoomEnded(Strict):
    type: Literal["room.ended"] = "room.ended"
    by: str


class SeatRevoked(Strict):
    type: Literal["seat.revoked"] = "seat.revoked"
    person: int
    reason: str


def room_group(engagement_id: int) -> str:
    return f"room-{engagement_id}"


def seat_group(engagement_id: int, seat_key: str) -> str:
    return f"seat-{engagement_id}-{seat_key}"


def keepers_group(engagement_id: int) -> str:
    return f"keepers-{engagement_id}"
