"""Reads of the floor for its staff pages, its public registration page and its live feed."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from virtualtrip.floor.enums import BriefingStatus, QuestionState
from virtualtrip.floor.models import Accreditation, AccreditationState, Question
from virtualtrip.floor.people import floor_names, name_of
from virtualtrip.floor.state import briefing_of, console_parts
from virtualtrip.publishing.enums import Clearance
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.queries import PRESS_EVENT_KINDS


def takes_accreditation(engagement: Engagement) -> bool:
    """Whether the engagement's public page offers registration at all (open or closed)."""
    return engagement.public and engagement.kind in PRESS_EVENT_KINDS


def registration_closed_reason(engagement: Engagement, now: datetime | None = None) -> str | None:
    """Why registering is closed now, or None while it is open."""
    if not takes_accreditation(engagement):
        return _("This engagement does not take registrations.")
    if (now or timezone.now()) >= engagement.ends_at or briefing_of(
        engagement
    ).status == BriefingStatus.ENDED:
        return _("This engagement has ended: registration is closed.")
    return None


def accreditations(engagement: Engagement) -> dict[str, list[Accreditation]]:
    """The engagement's registrations by state, oldest first."""
    found: dict[str, list[Accreditation]] = {state: [] for state in AccreditationState.values}
    for accreditation in Accreditation.objects.filter(engagement=engagement).select_related(
        "decided_by", "participant"
    ):
        found[accreditation.state].append(accreditation)
    return found


@dataclass(frozen=True)
class TakenQuestion:
    question: Question
    name: str
    outlet: str
    owner: str
    due: date | None
    overdue: bool
    document: int | None
    document_state: str | None
    """The answer's clearance state in publishing; None before an answer is drafted."""


def answer_states(document_ids: list[int]) -> dict[int, str]:
    """The clearance state of each answer document, by id. A read-only look at publishing's table
    until `publishing.queries` offers one (`visible_documents` hides drafts and a private engagement's
    documents, so it cannot say whether an answer was published)."""
    from virtualtrip.publishing.models import Document

    return dict(Document.objects.filter(pk__in=document_ids).values_list("pk", "state"))


def taken_questions(engagement: Engagement, today: date | None = None) -> list[TakenQuestion]:
    """Questions taken for a later answer whose answer is not published yet, the soonest due first."""
    questions = list(
        Question.objects.filter(engagement=engagement, state=QuestionState.TAKEN).select_related("owner")
    )
    states = answer_states([q.answer_document for q in questions if q.answer_document is not None])
    names = floor_names(engagement)
    today = today or timezone.localdate()
    listed = []
    for question in questions:
        state = states.get(question.answer_document) if question.answer_document is not None else None
        if state == Clearance.PUBLISHED:
            continue
        name, owner = name_of(names, question.person_id), question.owner
        listed.append(
            TakenQuestion(
                question=question,
                name=name.name,
                outlet=name.outlet,
                owner=(owner.get_full_name() or owner.get_username()) if owner else "",
                due=question.due,
                overdue=question.due is not None and question.due < today,
                document=question.answer_document if state is not None else None,
                document_state=state,
            )
        )
    return sorted(listed, key=lambda t: (t.due is None, t.due or today, t.question.pk))


def feed_state(engagement: Engagement) -> dict[str, Any]:
    """What the live feed tells outside tools: who holds the floor, how many wait, the ground rules
    and the briefing's status. Never a question's text, never a background briefer's name (the
    floor's own parts already name them by the attribution)."""
    return feed_view(console_parts(engagement))


def feed_view(parts: dict[str, Any]) -> dict[str, Any]:
    """The feed's fields out of the floor's parts, by a list of what may go out (not what may not)."""
    floor = parts.get("floor")
    holder = (
        {key: floor[key] for key in ("name", "outlet", "country", "since", "follow_ups")} if floor else None
    )
    briefing = parts["briefing"]
    return {
        "holder": holder,
        "queue_length": len(parts["queue"]),
        "ground_rules": briefing["ground_rules"],
        "status": briefing["status"],
    }
