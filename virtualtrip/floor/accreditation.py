"""The only writers of accreditations: a journalist registers on the public page, staff decide.

Accrediting makes the journalist a press participant (trips), gives them a personal link (rooms),
puts the question they submitted ahead in the floor's queue (floor) and mails them the link once the
transaction commits. A double click accredits once: the decision is a conditional update that only
one request can win, on SQLite as on PostgreSQL.

The public page takes at most `FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR` registrations (5 unless the
settings say otherwise) from one client address in each clock hour (UTC), counted in Django's cache
under a keyed hash of the address, never the address itself. The default local-memory cache counts
per process; a shared cache (Redis, Memcached) counts for all of them."""

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
REGISTRATIONS_PER_ADDRESS_PER_HOUR = 5
"""The default of `settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR`."""
HOUR = timedelta(hours=1)
COUNTER_SALT = "virtualtrip.floor.registrations"


class DecisionRefused(Exception):
    """Staff asked for a decision that cannot be taken (already refused, the engagement ended...)."""


class TooManyRegistrations(Exception):
    """The client's address has registered as often as it may this hour; the message is for the page."""


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


def registrations_per_hour() -> int:
    """How many registrations the public page takes from one address in an hour."""
    limit = getattr(settings, "FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR", REGISTRATIONS_PER_ADDRESS_PER_HOUR)
    return int(limit)


def counted_address(address: str) -> str:
    """What an address counts as: an IPv4 address itself (an IPv4-mapped IPv6 one too), an IPv6
    address its /64 (one household or one server holds a whole /64), anything else as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _hour_of(now: datetime) -> int:
    return int(now.timestamp() // HOUR.total_seconds())


def counter_key(address: str, now: datetime) -> str:
    """The cache key of an address's count for the hour of `now`: a keyed hash (the site's secret
    key), so the cache never holds the address and a key cannot be turned back into one."""
    digest = salted_hmac(COUNTER_SALT, counted_address(address), algorithm="sha256").hexdigest()
    return f"floor:registrations:{digest}:{_hour_of(now)}"


def _too_many(limit: int, now: datetime) -> TooManyRegistrations:
    next_hour = datetime.fromtimestamp((_hour_of(now) + 1) * HOUR.total_seconds(), tz=UTC)
    return TooManyRegistrations(
        ngettext(
            "We take at most %(limit)d registration an hour from one connection, and this one has "
            "reached it. Try again after %(time)s UTC, or write to the press office.",
            "We take at most %(limit)d registrations an hour from one connection, and this one has "
            "reached it. Try again after %(time)s UTC, or write to the press office.",
            limit,
        )
        % {"limit": limit, "time": f"{next_hour:%H:%M}"}
    )


def _check_address(address: str | None, now: datetime) -> None:
    """TooManyRegistrations when the address has already registered as often as it may this hour."""
    if address is None:
        return
    limit = registrations_per_hour()
    if (cache.get(counter_key(address, now)) or 0) >= limit:
        raise _too_many(limit, now)


def _count_registration(address: str | None, now: datetime) -> None:
    """Count one more registration for the address, atomically in the cache (two requests at once
    cannot both take the last one); TooManyRegistrations when it is one too many."""
    if address is None:
        return
    key, limit = counter_key(address, now), registrations_per_hour()
    cache.add(key, 0, timeout=int(HOUR.total_seconds()))  # lives past the end of its hour
    try:
        taken = cache.incr(key)
    except ValueError:  # culled from a full local-memory cache in between
        cache.set(key, 1, timeout=int(HOUR.total_seconds()))
        taken = 1
    if taken > limit:
        raise _too_many(limit, now)


def check_register(
    engagement: Engagement, registration: Registration, *, address: str | None = None
) -> Accreditation:
    """A new pending accreditation; ValidationError (by field, or `__all__` when registration is
    closed) and nothing saved when the registration cannot be taken.

    `address` is the client's, for a registration from the public page: past
    `registrations_per_hour()` of them this hour, TooManyRegistrations and nothing saved. Only a
    registration that is taken counts (not one refused for a field). None: not counted (staff, tests)."""
    closed = registration_closed_reason(engagement)
    if closed:
        raise ValidationError({"__all__": closed})
    now = timezone.now()
    _check_address(address, now)
    registration = cleaned_registration(registration)
    problems = registration_problems(registration)
    if problems:
        raise ValidationError(problems)
    if Accreditation.objects.filter(engagement=engagement, email__iexact=registration.email).exists():
        raise ValidationError({"email": _duplicate_email()})
    _count_registration(address, now)
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
