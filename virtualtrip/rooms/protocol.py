"""The room control channel's wire messages (browser ⇄ app), as pydantic models, and the limits on
what a browser may send either room socket.

Envelope: `{type, id, seq, body}` from the app (seq counts per connection), `{type, id, body}` from
the browser; an error answers the command it refuses with `in_response`. See docs/protocol.md.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from virtualtrip.realtime.protocol import Command, Strict

DATABASE_ID = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
"""A row id as the database can hold it: a positive 64-bit integer, never a string or a bool."""


class PersonBody(Strict):
    person: DATABASE_ID


class NoBody(Strict):
    """A command that reads nothing from its body (`channel.take`): anything in it is refused."""


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


class PublishingChanged(Strict):
    """To one seat: what it may publish now (its role's rights or a live grant); the proxy checks
    again on every offer and stops a publication that is no longer allowed."""

    type: Literal["publishing.changed"] = "publishing.changed"
    person: int
    audio: bool
    video: bool
    until: datetime | None = None


class TalkingChanged(Strict):
    """To the room: a publisher started or stopped talking (Janus's audio-level events). `feed` is
    the person's publisher id in the room, as the pages' tiles know it."""

    type: Literal["talking.changed"] = "talking.changed"
    person: int
    talking: bool
    feed: int | None = None


class ChannelInterpreterBody(Strict):
    person: int
    feed: int | None
    """The latest of `feeds`: the one heard while the interpreter is on air."""
    feeds: list[int]
    """Every publisher of theirs in the room: none is the floor, only `feed` is ever heard."""
    present: bool
    """Their microphone is connected to the room now: a booth partner may hand them the channel."""


class ChannelBody(Strict):
    language: str
    name: str
    interpreters: list[ChannelInterpreterBody]
    on_air: int | None
    """The interpreter the channel's listeners hear now; None while nobody is live on it."""


class ChannelsChanged(Strict):
    """To the room: the interpretation channels, whole, when an interpreter joins the media or one
    takes a channel live (docs/rooms.md, "Interpretation")."""

    type: Literal["channels.changed"] = "channels.changed"
    channels: list[ChannelBody]


def room_group(engagement_id: int) -> str:
    return f"room-{engagement_id}"


def seat_group(engagement_id: int, seat_key: str) -> str:
    return f"seat-{engagement_id}-{seat_key}"


def keepers_group(engagement_id: int) -> str:
    return f"keepers-{engagement_id}"


# Limits on what a browser may send, on both sockets (see docs/protocol.md).
from virtualtrip.realtime.limits import (  # noqa: E402
    CLOSE_TOO_FAST,
    CLOSE_TOO_LARGE,
    CLOSE_TOO_MANY_HANDLES,
    MAX_DEPTH,
    MessageBudget,
    SocketLimits,
    TooMuch,
    Unreadable,
    read_message,
)

__all__ = [
    "CLOSE_TOO_FAST",
    "CLOSE_TOO_LARGE",
    "CLOSE_TOO_MANY_HANDLES",
    "MAX_DEPTH",
    "Command",
    "MessageBudget",
    "SocketLimits",
    "TooMuch",
    "Unreadable",
    "read_message",
]

JANUS_LIMITS = SocketLimits(max_chars=256 * 1024, burst=200, per_second=20)
"""An offer or answer for a full room is tens of kilobytes; janus.js sends a burst of trickle
candidates per connection as ICE gathers, one subscription update per publisher arriving, and a
keepalive every 25 seconds."""
CONTROL_LIMITS = SocketLimits(max_chars=16 * 1024, burst=60, per_second=5)
"""Commands are a few hundred bytes, one per click."""
