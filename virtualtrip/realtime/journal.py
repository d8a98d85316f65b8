"""Streams of persisted events: append in the transaction that makes the change, read back to resume.

`append` hands out the stream's next seq under a row lock (an UPDATE, which SQLite and PostgreSQL
both serialise), writes the event and, once the transaction commits, sends it to the stream's
channel group. A socket that reconnects asks `catch_up` for what it missed since the seq it saw.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from virtualtrip.realtime import fan_out_on_commit
from virtualtrip.realtime.models import JournalEvent, Stream

RESUME_LIMIT = 500
"""A socket that missed more events than this gets a snapshot instead: one message, not hundreds."""
EVENT_MESSAGE = "realtime.event"
"""The channel-layer message type a stream's events travel as (received by the stream's `hub`)."""


@dataclass(frozen=True)
class Event:
    """An event as it is kept and sent: its stream's seq, a type such as `floor.granted`, a body."""

    seq: int
    type: str
    body: dict[str, Any]
    at: datetime

    def as_message(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type, "body": self.body, "at": self.at.isoformat()}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "Event":
        return cls(message["seq"], message["type"], message["body"], datetime.fromisoformat(message["at"]))

    @classmethod
    def from_row(cls, row: JournalEvent) -> "Event":
        return cls(row.seq, row.type, row.body, row.created_at)


def _stream_id(key: str) -> int:
    """The stream's row, made on first use (two first appends at once make one row)."""
    found = Stream.objects.filter(key=key).values_list("pk", flat=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Stream.objects.create(key=key).pk
    except IntegrityError:
        return Stream.objects.get(key=key).pk


@transaction.atomic
def append(key: str, type_: str, body: dict[str, Any]) -> Event:
    """Write the stream's next event and send it to the group named `key` after commit."""
    stream_id = _stream_id(key)
    Stream.objects.filter(pk=stream_id).update(last_seq=F("last_seq") + 1)  # locks the row
    seq = Stream.objects.values_list("last_seq", flat=True).get(pk=stream_id)
    row = JournalEvent.objects.create(
        stream_id=stream_id, seq=seq, type=type_, body=body, created_at=timezone.now()
    )
    event = Event.from_row(row)
    fan_out_on_commit(key, {"type": EVENT_MESSAGE, "event": event.as_message()})
    return event


def replay_only_from(key: str, seq: int) -> None:
    """Never send a resuming socket the events before `seq` again: what they say is out of date."""
    Stream.objects.filter(key=key).update(replay_from=seq)


def head(key: str) -> int:
    """The seq of the stream's newest event; 0 before its first."""
    return Stream.objects.filter(key=key).values_list("last_seq", flat=True).first() or 0


def events_between(key: str, after: int, up_to: int | None = None) -> list[Event]:
    rows = JournalEvent.objects.filter(stream__key=key, seq__gt=after)
    if up_to is not None:
        rows = rows.filter(seq__lte=up_to)
    return [Event.from_row(row) for row in rows.order_by("seq")]


def all_events(key: str) -> list[Event]:
    return events_between(key, 0)


@dataclass(frozen=True)
class CatchUp:
    """What a reconnecting socket is sent: the events it missed, or (None) a snapshot, as of `head`."""

    head: int
    missed: list[Event] | None


def catch_up(key: str, since: int | None) -> CatchUp:
    """The events after `since`, when there are few enough; otherwise None, meaning: send a snapshot.
    A `since` ahead of the stream (a page that saw another database, or a forged number), or one
    before the stream's `replay_from`, gets a snapshot too."""
    now, replay_from = Stream.objects.filter(key=key).values_list("last_seq", "replay_from").first() or (0, 0)
    if since is None or since > now or now - since > RESUME_LIMIT or since + 1 < replay_from:
        return CatchUp(now, None)
    return CatchUp(now, events_between(key, since, now))
