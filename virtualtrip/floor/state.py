"""The floor as a page sees it: `initial_state(engagement, viewer)` and `apply_event(state, event)`.

The state has parts: `briefing` (status, ground rules, queue order), `floor` (who holds it), `queue`
(the questions waiting, in the policy's order), `talking` (who is talking now) and `me` (who the
viewer is). Every event's body holds the parts it changed, whole, and a `log` of what happened; so
applying an event is replacing parts, and applying it twice changes nothing. Parts are built once,
as the console sees them, and `view` takes out what a viewer who does not run the floor may not
read: other people's question text.
"""

import copy
from typing import Any

from django.db.models import Q

from virtualtrip.floor import policies
from virtualtrip.floor.enums import BriefingStatus, QuestionKind, QuestionState
from virtualtrip.floor.models import Briefing, Question
from virtualtrip.floor.people import FloorName, Viewer, floor_names, name_of
from virtualtrip.trips.models import Engagement

PARTS = ("briefing", "floor", "queue", "talking")
State = dict[str, Any]


def stream_key(engagement_id: int) -> str:
    return f"floor-{engagement_id}"


def briefing_of(engagement: Engagement) -> Briefing:
    """The engagement's floor as stored, or a fresh one (not saved) before anything happened."""
    return Briefing.objects.filter(engagement=engagement).first() or Briefing(engagement=engagement)


def briefing_part(engagement: Engagement, briefing: Briefing) -> dict[str, Any]:
    embargo = engagement.embargo_until
    return {
        "status": briefing.status,
        "ground_rules": {
            "rule": engagement.ground_rules,
            "attribution": engagement.attribution,
            "embargo_until": embargo.isoformat() if embargo else None,
        },
        "order": engagement.queue_policy,
    }


def floor_part(briefing: Briefing, names: dict[int, FloorName]) -> dict[str, Any] | None:
    if briefing.holder_id is None or briefing.holder_since is None:
        return None
    question = briefing.question
    return {
        **name_of(names, briefing.holder_id).as_dict(briefing.holder_id),
        "since": briefing.holder_since.isoformat(),
        "question": question.pk if question else None,
        "kind": question.kind if question else QuestionKind.PICKED,
        "follow_ups": briefing.follow_ups,
    }


def talking_part(briefing: Briefing, names: dict[int, FloorName]) -> list[dict[str, Any]]:
    return [{"person": person, "name": name_of(names, person).name} for person in briefing.talking]


def _asked(engagement: Engagement, names: dict[int, FloorName]) -> tuple[set[int], set[str]]:
    """The people, and the outlets, that already had a question on the floor or read aloud."""
    people = set(
        Question.objects.filter(engagement=engagement, called_at__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    outlets = {name_of(names, person).outlet.casefold() for person in people} - {""}
    return people, outlets


def queue_part(engagement: Engagement, names: dict[int, FloorName]) -> list[dict[str, Any]]:
    waiting = list(Question.objects.filter(engagement=engagement, state=QuestionState.WAITING))
    asked_people, asked_outlets = _asked(engagement, names)
    by_id = {question.pk: question for question in waiting}
    offered = policies.ordered(
        [
            _waiting(question, name_of(names, question.person_id), asked_people, asked_outlets)
            for question in waiting
        ],
        engagement.queue_policy,
        engagement.queue_priority or [],
    )
    return [_entry(by_id[item.question], names, item, place) for place, item in enumerate(offered, start=1)]


def _waiting(
    question: Question, name: FloorName, asked_people: set[int], asked_outlets: set[str]
) -> policies.Waiting:
    has_asked = name.outlet.casefold() in asked_outlets if name.outlet else question.person_id in asked_people
    return policies.Waiting(
        question.pk, question.person_id, name.outlet, name.country, question.created_at, has_asked
    )


def _entry(
    question: Question, names: dict[int, FloorName], item: policies.Waiting, place: int
) -> dict[str, Any]:
    return {
        "question": question.pk,
        **name_of(names, question.person_id).as_dict(question.person_id),
        "kind": question.kind,
        "text": question.text,
        "since": question.created_at.isoformat(),
        "asked_before": item.outlet_has_asked,
        "place": place,
    }


def names_on_the_floor(engagement: Engagement, briefing: Briefing) -> dict[int, FloorName]:
    """The names the parts show: who holds the floor, who is talking, who is waiting, who asked."""
    askers = Question.objects.filter(engagement=engagement).filter(
        Q(state=QuestionState.WAITING) | Q(called_at__isnull=False)
    )
    people = {*askers.values_list("person_id", flat=True), *briefing.talking}
    if briefing.holder_id is not None:
        people.add(briefing.holder_id)
    return floor_names(engagement, people)


def console_parts(engagement: Engagement) -> State:
    """Every part, as the console sees it, read now."""
    briefing = briefing_of(engagement)
    names = names_on_the_floor(engagement, briefing)
    return {
        "briefing": briefing_part(engagement, briefing),
        "floor": floor_part(briefing, names),
        "queue": queue_part(engagement, names),
        "talking": talking_part(briefing, names),
    }


def me_part(viewer: Viewer) -> dict[str, Any]:
    return {"person": viewer.person_id, "role": viewer.role, "console": viewer.console, "asks": viewer.asks}


def initial_state(engagement: Engagement, viewer: Viewer) -> State:
    """The floor as `viewer` sees it now: what a socket is sent on connecting without a resume."""
    return {**redact(console_parts(engagement), viewer), "me": me_part(viewer)}


def apply_event(state: State, body: dict[str, Any]) -> State:
    """The state after an event (as the viewer was sent it): its parts replace the state's."""
    return {**state, **{part: copy.deepcopy(body[part]) for part in PARTS if part in body}}


def view(body: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """What `viewer` is sent of an event's body."""
    return redact(body, viewer)


def redact(body: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """Take out of `body` the question text that is not the viewer's own, unless they run the floor."""
    if viewer.console:
        return body
    seen = dict(body)
    if "queue" in seen:
        seen["queue"] = [_own_text_only(entry, viewer) for entry in seen["queue"]]
    if "log" in seen:
        seen["log"] = _own_text_only(seen["log"], viewer)
    return seen


def authors(body: dict[str, Any]) -> frozenset[int]:
    """The people whose own question text the body holds (what `redact` keeps for them only)."""
    written = [entry for entry in body.get("queue", []) if entry.get("text")]
    log = body.get("log", {})
    if log.get("text"):
        written.append(log)
    return frozenset(item["person"] for item in written if isinstance(item.get("person"), int))


def _own_text_only(item: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """A question's `text` for its author only. Once read aloud everyone has heard it: the log of
    that says `spoken`, which stays."""
    if "text" not in item or item.get("person") == viewer.person_id:
        return item
    return {key: value for key, value in item.items() if key != "text"}


def is_open(briefing: Briefing) -> bool:
    return briefing.status == BriefingStatus.OPEN
