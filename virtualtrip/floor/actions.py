"""The only writers of the floor. Each `check_*` says whether the viewer may, then calls `do_*`;
each `do_*` runs in one transaction with the engagement's floor locked, writes, and appends its
event to the floor's stream (sent to every floor socket of the room after commit).

Commands are idempotent: giving the floor to whoever holds it, raising a raised hand or taking
back a floor nobody holds changes nothing and appends nothing."""

import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from virtualtrip.floor import media
from virtualtrip.floor.enums import BriefingStatus, QuestionKind, QuestionState
from virtualtrip.floor.models import MAX_QUESTION_CHARS, Briefing, Question
from virtualtrip.floor.people import ASKING_ROLES, Viewer, name_for
from virtualtrip.floor.state import (
    PARTS,
    briefing_part,
    floor_part,
    names_on_the_floor,
    queue_part,
    stream_key,
    talking_part,
)
from virtualtrip.realtime import journal
from virtualtrip.realtime.protocol import ErrorCode, Refused
from virtualtrip.rooms.enums import AdmissionState, RoomStatus
from virtualtrip.rooms.queries import admission_state, room_status
from virtualtrip.rooms.seats import Seat
from virtualtrip.trips.models import Engagement

HANDS_PER_MINUTE = 6
"""A person raising (and lowering) their hand more often than this is told to wait."""
WRITTEN_PER_PERSON = 3
"""Questions a person may have waiting in writing (in the room or submitted ahead) at once."""
ASKED_PER_MINUTE = 6
INVISIBLE_CONTROLS = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
"""Line and paragraph separators, bidirectional overrides and isolates (which can make a question
read backwards on the console), and the byte-order mark. Joiners stay: Persian and Hindi need them."""


def _locked(engagement: Engagement) -> Briefing:
    """The engagement's floor, made on first use and locked for the rest of the transaction."""
    Briefing.objects.get_or_create(engagement=engagement)
    # The question is read after the lock, not joined to it: a transaction that waited for the lock
    # gets the row as the other one left it, but a joined question as it was before the wait.
    briefing = Briefing.objects.select_for_update().get(engagement=engagement)
    question = briefing.question_id
    briefing.question = Question.objects.filter(pk=question).first() if question is not None else None
    return briefing


def _emit(engagement: Engagement, type_: str, log: dict[str, Any], parts: tuple[str, ...]) -> journal.Event:
    """Append the event with the parts it changed, read now as the console sees them."""
    briefing = Briefing.objects.select_related("question").get(engagement=engagement)
    names = names_on_the_floor(engagement, briefing)
    makers: dict[str, Callable[[], Any]] = {
        "briefing": lambda: briefing_part(engagement, briefing),
        "floor": lambda: floor_part(briefing, names),
        "queue": lambda: queue_part(engagement, names),
        "talking": lambda: talking_part(briefing, names),
    }
    body = {part: makers[part]() for part in PARTS if part in parts}
    return journal.append(stream_key(engagement.pk), type_, {**body, "log": log})


def _question_log(question: Question, **extra: Any) -> dict[str, Any]:
    name = name_for(question.engagement, question.person_id)
    return {"question": question.pk, "kind": question.kind, **name.as_dict(question.person_id), **extra}


# Who may
def _must_run_the_floor(viewer: Viewer) -> None:
    if not viewer.console:
        raise Refused(
            ErrorCode.FORBIDDEN, "Only the moderator, a host or the principal's staff run the floor."
        )


def _must_ask(viewer: Viewer) -> int:
    if not viewer.asks or viewer.person_id is None:
        raise Refused(ErrorCode.FORBIDDEN, "Only journalists and the audience ask questions here.")
    return viewer.person_id


def _must_be_in_the_room(viewer: Viewer, engagement: Engagement, briefing: Briefing) -> None:
    """Questions in the room: while it is open, admitted, and before "one more question"."""
    if briefing.status != BriefingStatus.OPEN:
        raise Refused(ErrorCode.NOT_OPEN, _closed_reason(briefing))
    if _room_status(engagement) not in {RoomStatus.OPEN, RoomStatus.OVER}:
        raise Refused(ErrorCode.NOT_OPEN, "The room is not open.")
    if not _admitted(viewer):
        raise Refused(ErrorCode.NOT_OPEN, "You are waiting in the lobby until a host admits you.")


def _admitted(viewer: Viewer) -> bool:
    """In the room now: a seat that never waits, or one a host admitted (perhaps since the socket opened)."""
    if not viewer.in_lobby:
        return True
    seat = Seat(viewer.engagement_id, viewer.person_id, viewer.user_id, viewer.role, "", in_lobby=True)
    return admission_state(seat) == AdmissionState.ADMITTED


def _closed_reason(briefing: Briefing) -> str:
    if briefing.status == BriefingStatus.CLOSING:
        return "The briefing is taking its last question."
    return "The briefing has ended."


def _room_status(engagement: Engagement) -> RoomStatus:
    room = getattr(engagement, "room", None)
    return room_status(engagement, room, timezone.now())


def _is_control(character: str) -> bool:
    if character in "\n\t":
        return False
    return unicodedata.category(character) == "Cc" or character in INVISIBLE_CONTROLS


def clean_text(text: str) -> str:
    """A question's text as stored: trimmed, within the limit, with no control characters.
    HTML is kept as typed and always shown as text."""
    text = text.strip()
    if not text:
        raise Refused(ErrorCode.INVALID, "Write your question first.")
    if len(text) > MAX_QUESTION_CHARS:
        raise Refused(
            ErrorCode.TOO_LONG,
            f"A question is at most {MAX_QUESTION_CHARS} characters; this one has {len(text)}.",
        )
    if any(_is_control(character) for character in text):
        raise Refused(ErrorCode.INVALID, "The question holds a control character.")
    return text


# Asking
@transaction.atomic
def check_raise_hand(viewer: Viewer, engagement: Engagement) -> Question:
    person = _must_ask(viewer)
    briefing = _locked(engagement)
    _must_be_in_the_room(viewer, engagement, briefing)
    raised = Question.objects.filter(
        engagement=engagement, person_id=person, kind=QuestionKind.HAND, state=QuestionState.WAITING
    ).first()
    if raised is not None:
        return raised
    recent = Question.objects.filter(
        engagement=engagement,
        person_id=person,
        kind=QuestionKind.HAND,
        created_at__gte=timezone.now() - timedelta(minutes=1),
    ).count()
    if recent >= HANDS_PER_MINUTE:
        raise Refused(ErrorCode.THROTTLED, "You raised your hand many times in a minute: wait a moment.")
    return do_add_question(engagement, person, QuestionKind.HAND, "")


@transaction.atomic
def check_lower_hand(viewer: Viewer, engagement: Engagement) -> None:
    person = _must_ask(viewer)
    _locked(engagement)
    for hand in Question.objects.filter(
        engagement=engagement, person_id=person, kind=QuestionKind.HAND, state=QuestionState.WAITING
    ):
        _finish(hand, QuestionState.WITHDRAWN)
        _emit(engagement, "hand.lowered", _question_log(hand), ("queue",))


@transaction.atomic
def check_ask(viewer: Viewer, engagement: Engagement, text: str) -> Question:
    """A question written in the room; before the room opens, a question submitted ahead."""
    person = _must_ask(viewer)
    text = clean_text(text)
    briefing = _locked(engagement)
    _within_written_limits(engagement, person)
    if _room_status(engagement) == RoomStatus.NOT_YET and briefing.status == BriefingStatus.OPEN:
        return do_add_question(engagement, person, QuestionKind.AHEAD, text)
    _must_be_in_the_room(viewer, engagement, briefing)
    return do_add_question(engagement, person, QuestionKind.WRITTEN, text)


def _within_written_limits(engagement: Engagement, person: int) -> None:
    written = Question.objects.filter(
        engagement=engagement, person_id=person, kind__in=[QuestionKind.WRITTEN, QuestionKind.AHEAD]
    )
    if written.filter(state=QuestionState.WAITING).count() >= WRITTEN_PER_PERSON:
        raise Refused(
            ErrorCode.THROTTLED,
            f"You have {WRITTEN_PER_PERSON} questions waiting: withdraw one, or wait for the moderator.",
        )
    if written.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).count() >= ASKED_PER_MINUTE:
        raise Refused(ErrorCode.THROTTLED, "You asked many questions in a minute: wait a moment.")


@transaction.atomic
def do_add_question(engagement: Engagement, person_id: int, kind: QuestionKind, text: str) -> Question:
    """Side effects: a waiting question; event `hand.raised` or `question.asked` (queue)."""
    _locked(engagement)
    question = Question.objects.create(
        engagement=engagement, person_id=person_id, kind=kind, text=text, created_at=timezone.now()
    )
    type_ = "hand.raised" if kind == QuestionKind.HAND else "question.asked"
    log = _question_log(question, **({"text": text} if text else {}))
    _emit(engagement, type_, log, ("queue",))
    return question


@transaction.atomic
def check_withdraw(viewer: Viewer, engagement: Engagement, question_id: int) -> None:
    person = _must_ask(viewer)
    _locked(engagement)
    question = _waiting_question(engagement, question_id)
    if question.person_id != person:
        raise Refused(ErrorCode.FORBIDDEN, "You may withdraw only your own questions.")
    _finish(question, QuestionState.WITHDRAWN)
    _emit(engagement, "question.withdrawn", _question_log(question), ("queue",))


def _waiting_question(engagement: Engagement, question_id: int) -> Question:
    question = Question.objects.filter(engagement=engagement, pk=question_id).first()
    if question is None:
        raise Refused(ErrorCode.NOT_FOUND, "There is no such question in this briefing.")
    if question.state != QuestionState.WAITING:
        raise Refused(ErrorCode.CONFLICT, "This question is no longer waiting.")
    return question


def _finish(question: Question, state: QuestionState) -> None:
    question.state = state
    question.done_at = timezone.now()
    question.save(update_fields=["state", "done_at"])


# Running the floor
@transaction.atomic
def check_give_floor(
    viewer: Viewer, engagement: Engagement, question_id: int | None = None, person_id: int | None = None
) -> None:
    """To the author of a waiting question, or to a person picked out of the queue."""
    _must_run_the_floor(viewer)
    briefing = _locked(engagement)
    if briefing.status == BriefingStatus.ENDED:
        raise Refused(ErrorCode.NOT_OPEN, _closed_reason(briefing))
    if (question_id is None) == (person_id is None):
        raise Refused(ErrorCode.INVALID, "Give the floor to a question or to a person.")
    if question_id is not None:
        if briefing.question_id == question_id:
            return  # a double click
        question = _waiting_question(engagement, question_id)
    else:
        assert person_id is not None
        if briefing.holder_id == person_id:
            return  # a double click, or the holder picked again
        question = _picked(engagement, person_id)
    do_give_floor(briefing, question, by=viewer)


def _picked(engagement: Engagement, person_id: int) -> Question:
    """The question a person picked out of the queue answers: their raised hand or oldest waiting
    question, or a new one of kind `picked`."""
    if name_for(engagement, person_id).role not in ASKING_ROLES:
        raise Refused(
            ErrorCode.NOT_FOUND, "Only a journalist or the audience of this engagement takes the floor."
        )
    waiting = Question.objects.filter(engagement=engagement, person_id=person_id, state=QuestionState.WAITING)
    found = waiting.filter(kind=QuestionKind.HAND).first() or waiting.first()
    if found is not None:
        return found
    return Question.objects.create(
        engagement=engagement, person_id=person_id, kind=QuestionKind.PICKED, created_at=timezone.now()
    )


def do_give_floor(briefing: Briefing, question: Question, *, by: Viewer) -> None:
    """Side effects: the previous holder's floor ends (their publishing is withdrawn); the question
    goes on the floor and its author may publish; event `floor.granted` (floor, queue)."""
    engagement = briefing.engagement
    if briefing.holder_id is not None:
        _end_turn(briefing, by, "floor.withdrawn")
    now = timezone.now()
    question.state, question.called_at = QuestionState.ON_FLOOR, now
    question.save(update_fields=["state", "called_at"])
    briefing.holder_id, briefing.holder_since, briefing.question, briefing.follow_ups = (
        question.person_id,
        now,
        question,
        0,
    )
    briefing.save(update_fields=["holder", "holder_since", "question", "follow_ups"])
    media.give_voice(engagement.pk, question.person_id, by)
    _emit(engagement, "floor.granted", _question_log(question, by=by.acting()), ("floor", "queue"))


def _end_turn(briefing: Briefing, by: Viewer | None, type_: str) -> None:
    """The holder's turn ends: their question is answered, their publishing withdrawn."""
    engagement = briefing.engagement
    holder, question = briefing.holder_id, briefing.question
    assert holder is not None
    if question is not None and question.state == QuestionState.ON_FLOOR:
        _finish(question, QuestionState.ANSWERED)
    log = {
        **name_for(engagement, holder).as_dict(holder),
        "question": question.pk if question else None,
        "since": briefing.holder_since.isoformat() if briefing.holder_since else None,
        "follow_ups": briefing.follow_ups,
        "by": by.acting() if by else None,
    }
    briefing.holder, briefing.holder_since, briefing.question, briefing.follow_ups = None, None, None, 0
    briefing.save(update_fields=["holder", "holder_since", "question", "follow_ups"])
    media.take_voice(engagement.pk, holder, by, reason=_("The moderator took the floor back."))
    _emit(engagement, type_, log, ("floor", "queue"))


@transaction.atomic
def check_take_floor_back(viewer: Viewer, engagement: Engagement) -> None:
    _must_run_the_floor(viewer)
    briefing = _locked(engagement)
    if briefing.holder_id is not None:
        _end_turn(briefing, viewer, "floor.withdrawn")


@transaction.atomic
def check_follow_up(viewer: Viewer, engagement: Engagement) -> None:
    """The holder keeps the floor for a follow-up question, logged as one."""
    _must_run_the_floor(viewer)
    briefing = _locked(engagement)
    if briefing.holder_id is None:
        raise Refused(ErrorCode.CONFLICT, "Nobody holds the floor: give it first.")
    briefing.follow_ups += 1
    briefing.save(update_fields=["follow_ups"])
    holder = briefing.holder_id
    log = {
        **name_for(engagement, holder).as_dict(holder),
        "follow_up": briefing.follow_ups,
        "by": viewer.acting(),
    }
    _emit(engagement, "floor.follow_up", log, ("floor",))


@transaction.atomic
def check_read_aloud(viewer: Viewer, engagement: Engagement, question_id: int) -> None:
    """The moderator reads a written question out for its author (who may not be in the room):
    logged as the author's question."""
    _must_run_the_floor(viewer)
    briefing = _locked(engagement)
    if briefing.status == BriefingStatus.ENDED:
        raise Refused(ErrorCode.NOT_OPEN, _closed_reason(briefing))
    question = Question.objects.filter(engagement=engagement, pk=question_id).first()
    if question is not None and question.read_aloud:
        return
    question = _waiting_question(engagement, question_id)
    if not question.text:
        raise Refused(ErrorCode.CONFLICT, "A raised hand has no text to read aloud: give the floor instead.")
    if briefing.holder_id is not None:
        _end_turn(briefing, viewer, "floor.withdrawn")
    question.read_aloud, question.called_at = True, timezone.now()
    question.save(update_fields=["read_aloud", "called_at"])
    _finish(question, QuestionState.ANSWERED)
    _emit(
        engagement,
        "question.read_aloud",
        _question_log(question, spoken=question.text, by=viewer.acting()),
        ("queue",),
    )


@transaction.atomic
def check_one_more(viewer: Viewer, engagement: Engagement) -> None:
    """ "Time for one more question": everyone sees the briefing closing; no new questions."""
    _must_run_the_floor(viewer)
    briefing = _locked(engagement)
    if briefing.status != BriefingStatus.OPEN:
        return
    briefing.status = BriefingStatus.CLOSING
    briefing.save(update_fields=["status"])
    _emit(engagement, "briefing.closing", {"by": viewer.acting()}, ("briefing",))


@transaction.atomic
def check_end(viewer: Viewer, engagement: Engagement) -> None:
    _must_run_the_floor(viewer)
    do_end_briefing(_locked(engagement), by=viewer)


def do_end_briefing(briefing: Briefing, *, by: Viewer | None) -> None:
    """Side effects: the floor is taken back; questions still waiting are closed (taken questions
    stay on the staff list); event `briefing.ended` (briefing, floor, queue)."""
    if briefing.status == BriefingStatus.ENDED:
        return
    if briefing.holder_id is not None:
        _end_turn(briefing, by, "floor.withdrawn")
    now = timezone.now()
    Question.objects.filter(engagement=briefing.engagement, state=QuestionState.WAITING).update(
        state=QuestionState.CLOSED, done_at=now
    )
    briefing.status, briefing.ended_at = BriefingStatus.ENDED, now
    briefing.save(update_fields=["status", "ended_at"])
    _emit(
        briefing.engagement,
        "briefing.ended",
        {"by": by.acting() if by else None},
        ("briefing", "floor", "queue"),
    )


@transaction.atomic
def check_take_question(
    viewer: Viewer,
    engagement: Engagement,
    question_id: int,
    owner_id: int | None = None,
    due: date | None = None,
) -> Question:
    """ "We'll take the question": it leaves the queue for the staff list, owed by `owner` by `due`."""
    _must_run_the_floor(viewer)
    _locked(engagement)
    question = Question.objects.filter(engagement=engagement, pk=question_id).first()
    if question is None:
        raise Refused(ErrorCode.NOT_FOUND, "There is no such question in this briefing.")
    if question.state == QuestionState.TAKEN:
        return question
    if question.state in {QuestionState.WITHDRAWN, QuestionState.CLOSED}:
        raise Refused(ErrorCode.CONFLICT, "This question was withdrawn or closed: there is nothing to take.")
    owner = _owner(viewer, owner_id)
    question.state, question.owner, question.due = QuestionState.TAKEN, owner, due
    question.done_at = question.done_at or timezone.now()
    question.save(update_fields=["state", "owner", "due", "done_at"])
    owner_name = (owner.get_full_name() or owner.get_username()) if owner else ""
    log = _question_log(question, owner=owner_name, due=due.isoformat() if due else None, by=viewer.acting())
    _emit(engagement, "question.taken", log, ("queue",))
    return question


def _owner(viewer: Viewer, owner_id: int | None) -> Any:
    users = get_user_model().objects.filter(is_staff=True, is_active=True)
    if owner_id is None:
        return users.filter(pk=viewer.user_id).first() if viewer.user_id else None
    owner = users.filter(pk=owner_id).first()
    if owner is None:
        raise Refused(ErrorCode.NOT_FOUND, "The owner must be an active staff account.")
    return owner


# From the media
@transaction.atomic
def do_note_talking(engagement_id: int, person_id: int, talking: bool, at: datetime) -> None:
    """Janus says a publisher started or stopped talking. Side effects: the floor's `talking` list;
    event `talking.changed` (talking), only when the list changes."""
    engagement = Engagement.objects.get(pk=engagement_id)
    briefing = _locked(engagement)
    now_talking = [person for person in briefing.talking if person != person_id] + (
        [person_id] if talking else []
    )
    if now_talking == briefing.talking:
        return
    briefing.talking = now_talking
    briefing.save(update_fields=["talking"])
    name = name_for(engagement, person_id).as_dict(person_id)
    _emit(engagement, "talking.changed", {**name, "talking": talking, "at": at.isoformat()}, ("talking",))


# From the itinerary
@transaction.atomic
def do_ground_rules_changed(engagement: Engagement) -> None:
    """The engagement's ground rules or attribution changed (the admin, a re-import). Side effects:
    event `briefing.rules_changed` with every part named anew; no socket is sent an older event
    again (they may name a briefer now on background): one that missed them gets a snapshot."""
    _locked(engagement)
    event = _emit(engagement, "briefing.rules_changed", {}, PARTS)
    journal.replay_only_from(stream_key(engagement.pk), event.seq)


@transaction.atomic
def do_drop_person(engagement: Engagement, person_id: int) -> None:
    """A person leaves the engagement (taken off it, or out of the trip). Side effects: their turn
    ends if they hold the floor (publishing withdrawn, event `floor.withdrawn`), their waiting
    questions close (event `question.withdrawn`)."""
    briefing = _locked(engagement)
    if briefing.holder_id == person_id:
        _end_turn(briefing, None, "floor.withdrawn")
    waiting = Question.objects.filter(engagement=engagement, person_id=person_id, state=QuestionState.WAITING)
    for question in waiting:
        _finish(question, QuestionState.CLOSED)
        _emit(engagement, "question.withdrawn", _question_log(question), ("queue",))
