"""The envelope every resumable socket speaks, and the error codes a page can branch on.

From the app: `{type, id, seq, body}`. A journal event carries its stream's `seq`; the snapshot
(`state`) carries the seq it is as of; answers (`ok`, `error`) carry `seq: null` and `in_response`,
the id of the command they answer. An error is `{type: "error", id, seq: null, in_response, code,
reason}`: `code` is stable and meant for code (the page translates it), `reason` is English for a log.
From the browser: `{type, id, body}`. See docs/protocol.md.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Command(Strict):
    type: str
    id: str = ""
    body: dict[str, object] = {}


class ErrorCode(StrEnum):
    """Stable machine codes: a page shows its own words for each; new codes are only ever added."""

    NOT_JSON = "not_json"
    TOO_DEEP = "too_deep"
    BINARY = "binary"
    NOT_A_COMMAND = "not_a_command"
    UNKNOWN_COMMAND = "unknown_command"
    INVALID = "invalid"
    """The command's body is not what the command reads; `reason` names the field."""
    TOO_LARGE = "too_large"
    TOO_FAST = "too_fast"
    FORBIDDEN = "forbidden"
    """The seat's role may not do this."""
    NOT_OPEN = "not_open"
    """The room or the briefing is not open (not yet, closing for this, or ended)."""
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    """The state changed under the command (the question was answered, the floor moved)."""
    TOO_LONG = "too_long"
    THROTTLED = "throttled"
    """The person did this too often; wait a moment."""
    TOO_MANY_SOCKETS = "too_many_sockets"
    """The seat already has as many sockets open as it may: the socket closes (4431)."""


class Refused(Exception):
    """An action refuses a command: the socket answers `error` with this code and reason."""

    def __init__(self, code: ErrorCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def envelope(type_: str, id_: str, seq: int | None, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": type_, "id": id_, "seq": seq, "body": body}


def error(id_: str, in_response: str | None, code: ErrorCode, reason: str) -> dict[str, Any]:
    return {
        "type": "error",
        "id": id_,
        "seq": None,
        "in_response": in_response,
        "code": code.value,
        "reason": reason,
    }


def first_problem(invalid: ValidationError, within: str = "") -> str:
    """Pydantic's first complaint, with where it is (`body.person: ...`)."""
    problem = invalid.errors()[0]
    where = ".".join(str(part) for part in [*([within] if within else []), *problem["loc"]])
    return f"{where}: {problem['msg']}" if where else str(problem["msg"])
