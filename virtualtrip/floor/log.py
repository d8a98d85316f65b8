"""The floor log: what happened on the floor, with server times, read from the floor's stream.

Built from the append-only events alone, so it says what was said at the time, whatever changed
since. The schema is `docs/floor-log.md`; transcripts are built on it."""

from datetime import datetime
from typing import Any

from virtualtrip.floor.people import FloorName, floor_names
from virtualtrip.floor.state import briefing_of, briefing_part, stream_key
from virtualtrip.realtime import journal
from virtualtrip.trips.models import Engagement

FORMAT = "virtualtrip-floor-log/1"
WHO = ("person", "name", "outlet", "country")


def _who(log: dict[str, Any], names: dict[int, FloorName]) -> dict[str, Any]:
    """Who a logged fact is about, by the trip file's id. Named as the log said at the time, except
    someone the ground rules hide now (a briefing moved to background afterwards): the attribution."""
    person = log.get("person")
    known = names.get(person) if isinstance(person, int) else None
    if known is not None and known.key is None:
        return {"person": None, "name": known.name, "outlet": "", "country": ""}
    return {
        "person": known.key if known is not None else None,
        **{field: log.get(field, "") for field in WHO[1:]},
    }


class _Reader:
    """Walks the events once, opening and closing turns and talking spans."""

    def __init__(self, names: dict[int, FloorName]) -> None:
        self.names = names
        self.turns: list[dict[str, Any]] = []
        self.questions: dict[int, dict[str, Any]] = {}
        self.talking: list[dict[str, Any]] = []
        self.open_turn: dict[str, Any] | None = None
        self.open_talk: dict[int, dict[str, Any]] = {}

    def read(self, event: journal.Event) -> None:
        log, at = event.body.get("log", {}), event.at.isoformat()
        handler = getattr(self, "on_" + event.type.replace(".", "_"), None)
        if handler is not None:
            handler(log, at)

    def _question(self, log: dict[str, Any], at: str) -> dict[str, Any]:
        return self.questions.setdefault(
            log["question"],
            {
                "id": log["question"],
                "kind": log.get("kind"),
                **_who(log, self.names),
                "asked_at": at,
                "text": "",
                "outcome": "waiting",
                "read_aloud_at": None,
                "taken": None,
            },
        )

    def on_hand_raised(self, log: dict[str, Any], at: str) -> None:
        self._question(log, at)

    def on_question_asked(self, log: dict[str, Any], at: str) -> None:
        self._question(log, at)["text"] = log.get("text", "")

    def on_hand_lowered(self, log: dict[str, Any], at: str) -> None:
        self._question(log, at)["outcome"] = "withdrawn"

    on_question_withdrawn = on_hand_lowered

    def on_floor_granted(self, log: dict[str, Any], at: str) -> None:
        question = self._question(log, at)
        question["outcome"] = "asked"
        self.open_turn = {
            **_who(log, self.names),
            "from": at,
            "to": None,
            "question": log["question"],
            "kind": log.get("kind"),
            "follow_ups": [],
        }
        self.turns.append(self.open_turn)

    def on_floor_follow_up(self, log: dict[str, Any], at: str) -> None:
        if self.open_turn is not None:
            self.open_turn["follow_ups"].append(at)

    def on_floor_withdrawn(self, log: dict[str, Any], at: str) -> None:
        if self.open_turn is not None:
            self.open_turn["to"] = at
            self.open_turn = None

    def on_question_read_aloud(self, log: dict[str, Any], at: str) -> None:
        question = self._question(log, at)
        question.update(outcome="read_aloud", read_aloud_at=at, text=log.get("spoken", question["text"]))

    def on_question_taken(self, log: dict[str, Any], at: str) -> None:
        self._question(log, at).update(
            outcome="taken", taken={"owner": log.get("owner", ""), "due": log.get("due"), "at": at}
        )

    def on_talking_changed(self, log: dict[str, Any], at: str) -> None:
        person, when = log["person"], log.get("at", at)
        if log.get("talking") and person not in self.open_talk:
            self.open_talk[person] = {**_who(log, self.names), "from": when, "to": None}
            self.talking.append(self.open_talk[person])
        elif not log.get("talking") and person in self.open_talk:
            self.open_talk.pop(person)["to"] = when


def floor_log(engagement: Engagement) -> dict[str, Any]:
    """The floor log of `engagement` as the documented JSON object."""
    names = floor_names(engagement)
    events = journal.all_events(stream_key(engagement.pk))
    reader = _Reader(names)
    for event in events:
        reader.read(event)
    briefing = briefing_of(engagement)
    return {
        "format": FORMAT,
        "trip": engagement.trip.slug,
        "engagement": engagement.key,
        "title": engagement.title,
        "timezone": engagement.timezone,
        "ground_rules": briefing_part(engagement, briefing)["ground_rules"],
        "status": briefing.status,
        "ended_at": _iso(briefing.ended_at),
        "turns": reader.turns,
        "questions": list(reader.questions.values()),
        "talking": reader.talking,
        "events": [
            {"seq": e.seq, "at": e.at.isoformat(), "type": e.type, **_event_log(e, names)} for e in events
        ],
    }


def _event_log(event: journal.Event, names: dict[int, FloorName]) -> dict[str, Any]:
    log = {key: value for key, value in event.body.get("log", {}).items() if key != "by"}
    if "person" in log:
        log.update(_who(log, names))
    return log


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
