"""The room control channel's wire messages (browser ⇄ app), as pydantic models, and the limits on
what a browser may send either room socket.

Envelope: `{type, id, seq, body}` from the app (seq counts per connection), `{type, id, body}` from
the browser; an error answers the command it refuses with `in_response`. See docs/protocol.md.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Commands (browser → app)
class Command(Strict):
    type: str
    id: str = ""
    body: dict[str, object] = {}


DATABASE_ID = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
"""A row id as the database can hold it: a positive 64-bit integer, never a string or a bool."""


class PersonBody(Strict):
    person: DATABASE_ID


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


# Limits on what a browser may send, on both sockets (see docs/protocol.md).
CLOSE_TOO_LARGE = 4413
CLOSE_TOO_FAST = 4429
CLOSE_TOO_MANY_HANDLES = 4430
MAX_DEPTH = 32
"""Deeper than any message either socket reads (a Janus offer nests five levels)."""


class Unreadable(ValueError):
    """A message that is not one: the socket answers `error` and stays open."""


class TooMuch(ValueError):
    """More than a socket takes: it answers `error`, then closes with `close`."""

    def __init__(self, reason: str, close: int) -> None:
        super().__init__(reason)
        self.close = close

    @property
    def code(self) -> int:
        """The HTTP status the close code is named after (4413: 413), for the proxy's Janus error."""
        return self.close - 4000


@dataclass
class MessageBudget:
    """A token bucket: `burst` messages at once, then `per_second` on average."""

    burst: int
    per_second: float
    tokens: float = field(init=False)
    at: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)
        self.at = time.monotonic()

    def spend(self) -> bool:
        """Take one message from the budget; False when there is none left."""
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass(frozen=True)
class SocketLimits:
    max_chars: int
    burst: int
    per_second: float

    def budget(self) -> MessageBudget:
        return MessageBudget(self.burst, self.per_second)


JANUS_LIMITS = SocketLimits(max_chars=256 * 1024, burst=200, per_second=20)
"""An offer or answer for a full room is tens of kilobytes; janus.js sends a burst of trickle
candidates per connection as ICE gathers, one subscription update per publisher arriving, and a
keepalive every 25 seconds."""
CONTROL_LIMITS = SocketLimits(max_chars=16 * 1024, burst=60, per_second=5)
"""Commands are a few hundred bytes, one per click."""


def read_message(limits: SocketLimits, budget: MessageBudget, text: str | None, data: bytes | None) -> Any:
    """The JSON value of one WebSocket message. TooMuch when it is over the socket's size or rate,
    Unreadable when it is not JSON text that nests at most MAX_DEPTH levels."""
    if not budget.spend():
        raise TooMuch(f"more than {limits.burst} messages in a short time", CLOSE_TOO_FAST)
    size = len(text) if text is not None else len(data or b"")
    if size > limits.max_chars:
        raise TooMuch(f"a message of more than {limits.max_chars} characters", CLOSE_TOO_LARGE)
    if text is None:
        raise Unreadable("binary messages are not read here: send JSON text")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise Unreadable(f"JSON nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:
        raise Unreadable("not JSON") from None
    if _deeper_than(value, MAX_DEPTH):
        raise Unreadable(f"JSON nested more than {MAX_DEPTH} levels deep")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (without recursing: a deep value
    would exhaust the stack)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
