"""The only writers of accreditations: a journalist registers on the public page, staff decide.

Accrediting makes the journalist a press participant (trips), gives them a personal link (rooms),
puts the question they submitted ahead in the floor's queue (floor) and mails them the link once the
transaction commits. A double click accredits once: the decision is a conditional update that only
one request can win, on SQLite as on PostgreSQL."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from virtualtrip.floor import actions as floor_actions
from virtualtrip.floor import mail
from virtualtrip.floor.enums import QuestionKind
from virtualtrip.floor.models import Accreditation, AccreditationState
from virtualtrip.floor.queries import registration_closed_reason
from virtualtrip.floor.state import briefing_of, is_open
from virtualtrip.realtime.protocol import Refused
from virtualtrip.rooms import actions as room_actions
from virtualtrip.trips import actions as trip_actions
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.validators import LINE_BREAK, country_problem, text_problem

Actor = AbstractBaseUser | AnonymousUser | None
NAME_MAX_LENGTH = trip_actions.NAME_MAX_LENGTH


class DecisionRefused(Exception):
    """Staff asked for a decision that cannot be taken (already refused, the engagement ended...)."""


@dataclass(frozen=True)
class Registration:
    name: str
    outlet: str
    country: str
    email: str
    question: str = ""


def _one_line_problem(text: str) -> str | None:
    if not text:
        return _("This field is required.")
    if len(text) > NAME_MAX_LENGTH:
        return _("At most %(limit)d characters; this has %(count)d.") % {
            "limit": NAME_MAX_LENGTH,
            "count": len(text),
        }
    if text_problem(text) or LINE_BREAK.search(text):
        return _("Remove the control characters and line breaks: write it on one line.")
    return None


def _question_problem(question: str) -> str | None:
    if not question:
        return None
    try:
        floor_actions.clean_text(question)
    except Refused as refused:
        return refused.reason
    return None


def registration_problems(registration: Registration) -> dict[str, str]:
    """What is wrong with a registration, by field (the form shows each next to its field)."""
    found = {
        "name": _one_line_problem(registration.name),
        "outlet": _one_line_problem(registration.outlet),
        "country": None
        if not country_problem(registration.country)
        else _("Choose a country (an ISO 3166-1 code such as MX)."),
        "question": _question_problem(registration.question),
    }
    return {field: problem for field, problem in found.items() if problem}


def cleaned_registration(registration: Registration) -> Registration:
    """As it is kept: trimmed, the country in capitals."""
    return Registration(
        name=registration.name.strip(),
        outlet=registration.outlet.strip(),
        country=registration.country.strip().upper(),
        email=registration.email.strip(),
        question=registration.question.strip(),
    )


def _duplicate_email() -> str:
    return _(
        "This address has already registered for this engagement: look for our mail, "
        "or write to the press office."
    )


def check_register(engagement: Engagement, registration: Registration) -> Accreditation:
    """A new pending accreditation; ValidationError (by field, or `__all__` when registration is
    closed) and nothing saved when the registration cannot be taken."""
    closed = registration_closed_reason(engagement)
    if closed:
        raise ValidationError({"__all__": closed})
    registration = cleaned_registration(registration)
    problems = registration_problems(registration)
    if problems:
        raise ValidationError(problems)
    if Accreditation.objects.filter(engagement=engagement, email__iexact=registration.email).exists():
        raise ValidationError({"email": _duplicate_email()})
    try:
        return do_register(engagement, registration)
    except IntegrityError:  # the same address sent twice at once
        raise ValidationError({"email": _duplicate_email()}) from None


@transaction.atomic
def do_register(engagement: Engagement, registration: Registration) -> Accreditation:
    """Side effects: a pending accreditation, in the language the page was read in."""
    return Accreditation.objects.create(
        engagement=engagement,
        name=registration.name,
        outlet=registration.outlet,
        country=registration.country,
        email=registration.email,
        question=registration.question,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_at=timezone.now(),
    )


def _decide(accreditation: Accreditation, state: AccreditationState, acting_user: Actor) -> bool:
    """Move a pending accreditation to `state`; False when another request decided it first."""
    user = acting_user if isinstance(acting_user, AbstractBaseUser) else None
    won = Accreditation.objects.filter(pk=accreditation.pk, state=AccreditationState.PENDING).update(
        state=state, decided_at=timezone.now(), decided_by=user
    )
    accreditation.refresh_from_db()
    return bool(won)


@transaction.atomic
def do_accredit(accreditation: Accreditation, *, acting_user: Actor, base_url: str = "") -> str:
    """Accredit a journalist; the path of their personal join link.

    Idempotent: accrediting an accredited journalist changes nothing and mails nothing.
    Side effects: a press participant (trips) with a join link (rooms); their question, if any and
    while the briefing is open, in the queue as submitted ahead (floor event `question.asked`); after
    commit, a mail with the link. DecisionRefused for a refused registration or an ended engagement."""
    engagement = Engagement.objects.get(pk=accreditation.engagement_id)
    if not _decide(accreditation, AccreditationState.ACCREDITED, acting_user):
        if accreditation.state == AccreditationState.ACCREDITED and accreditation.participant:
            return room_actions.do_issue_join_link(accreditation.participant, acting_user=acting_user)
        raise DecisionRefused(_("This registration was refused; it cannot be accredited now."))
    if timezone.now() >= engagement.ends_at:
        raise DecisionRefused(_("This engagement has ended: nobody can be accredited for it now."))
    try:
        participant = trip_actions.do_add_press_participant(
            engagement,
            name=accreditation.name,
            outlet=accreditation.outlet,
            country=accreditation.country,
            acting_user=acting_user,
        )
    except ValidationError as error:
        raise DecisionRefused(" ".join(error.messages)) from None
    path = room_actions.do_issue_join_link(participant, acting_user=acting_user)
    queued = bool(accreditation.question) and is_open(briefing_of(engagement))
    if queued:
        floor_actions.do_add_question(
            engagement, participant.person_id, QuestionKind.AHEAD, accreditation.question
        )
    accreditation.participant = participant
    accreditation.save(update_fields=["participant"])
    url = (base_url or settings.SITE_URL).rstrip("/") + path
    pk = accreditation.pk
    transaction.on_commit(lambda: mail.send_link(pk, url, queued=queued))
    return path


@transaction.atomic
def do_refuse(accreditation: Accreditation, *, acting_user: Actor) -> None:
    """Refuse a pending registration. Idempotent; an accredited one stays accredited (remove the
    participant in the admin instead). Side effects: after commit, a short mail saying so."""
    if _decide(accreditation, AccreditationState.REFUSED, acting_user):
        pk = accreditation.pk
        transaction.on_commit(lambda: mail.send_refusal(pk))
    elif accreditation.state == AccreditationState.ACCREDITED:
        raise DecisionRefused(_("This journalist is already accredited."))
