"""Limits on what a browser may send a socket: size, rate and depth, and reading one message within them."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

CLOSE_TOO_LARGE = 4413
CLOSE_TOO_FAST = 4429
CLOSE_TOO_MANY_HANDLES = 4430
MAX_DEPTH = 32
"""Deeper than any message either socket reads (a Janus offer nests five levels)."""


class Unreadable(ValueError):
    """A message that is not one: the socket answers `error` and stays open. `kind` is the error
    code a resumable socket answers with (`not_json`, `binary`, `too_deep`)."""

    def __init__(self, reason: str, kind: str = "not_json") -> None:
        super().__init__(reason)
        self.kind = kind


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


def read_message(limits: SocketLimits, budget: MessageBudget, text: str | None, data: bytes | None) -> Any:
    """The JSON value of one WebSocket message. TooMuch when it is over the socket's size or rate,
    Unreadable when it is not JSON text that nests at most MAX_DEPTH levels."""
    if not budget.spend():
        raise TooMuch(f"more than {limits.burst} messages in a short time", CLOSE_TOO_FAST)
    size = len(text) if text is not None else len(data or b"")
    if size > limits.max_chars:
        raise TooMuch(f"a message of more than {limits.max_chars} characters", CLOSE_TOO_LARGE)
    if text is None:
        raise Unreadable("binary messages are not read here: send JSON text", "binary")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise Unreadable(f"JSON nested more than {MAX_DEPTH} levels deep", "too_deep") from None
    except ValueError:
        raise Unreadable("not JSON") from None
    if _deeper_than(value, MAX_DEPTH):
        raise Unreadable(f"JSON nested more than {MAX_DEPTH} levels deep", "too_deep")
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
