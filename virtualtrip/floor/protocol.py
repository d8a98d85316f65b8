"""The floor socket's commands (browser → app), as pydantic models. Events are described in
docs/protocol.md; their bodies are the state's parts (see `state`)."""

from datetime import date

from pydantic import Field

from virtualtrip.floor.models import MAX_QUESTION_CHARS
from virtualtrip.realtime.protocol import Strict
from virtualtrip.rooms.protocol import DATABASE_ID


class Empty(Strict):
    pass


class AskBody(Strict):
    text: str = Field(max_length=MAX_QUESTION_CHARS * 2)
    """Checked again by the action, which says how long it may be; this bound only keeps a huge
    value out of the error message."""


class QuestionBody(Strict):
    question: DATABASE_ID


class GiveBody(Strict):
    """The floor goes to a question in the queue, or to a person picked out of it."""

    question: DATABASE_ID | None = None
    person: DATABASE_ID | None = None


class TakeBody(Strict):
    question: DATABASE_ID
    owner: DATABASE_ID | None = None
    """A staff account that owes the answer; the person taking it when not given."""
    due: date | None = None
