"""The only writers of the itinerary.

`check_*` validates input and permission, `do_*` writes in one transaction. A trip file lands whole
or not at all. People added for one engagement (accredited journalists, a town hall's audience) are
not in the trip file: a re-import keeps them and their places, and an export leaves them out.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from virtualtrip.trips.bulk import cyclic_gc_paused
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip
from virtualtrip.trips.times import get_zone, resolve_wall_time
from virtualtrip.trips.tripfile.check import PlannedEngagement, PlannedTrip, check_trip_file
from virtualtrip.trips.tripfile.problems import Problem, TripFileError
from virtualtrip.trips.tripfile.spec import DestinationSpec, PersonSpec
from virtualtrip.trips.validators import LINE_BREAK, country_problem, text_problem

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None


def check_import_trip(raw: bytes, *, replace: bool, acting_user: Actor) -> PlannedTrip:
    """The checked plan of a trip file; `TripFileError` when it cannot be imported as asked."""
    planned = check_trip_file(raw)
    slug = planned.spec.trip.slug
    if not replace and Trip.objects.filter(slug=slug).exists():
        raise TripFileError(
            [Problem(1, f"trip '{slug}' already exists: import with --replace to update it in place")]
        )
    return planned


@cyclic_gc_paused()
@transaction.atomic
def do_import_trip(planned: PlannedTrip, *, acting_user: Actor) -> Trip:
    """Create the trip, or update it in place so that it matches the file exactly.

    Rows are matched by their ids in the file (people, engagements) or their position
    (destinations), so an unchanged file changes nothing, and what the file no longer holds is
    deleted. Side effects: logs the import.
    """
    spec = planned.spec.trip
    trip = Trip.objects.select_for_update().filter(slug=spec.slug).first() or Trip(slug=spec.slug)
    _save_if_changed(
        trip,
        title=spec.title,
        summary=spec.summary,
        terms=list(spec.terms),
        home_city=spec.home.city,
        home_timezone=spec.home.timezone,
    )
    people, added = _sync_people(trip, planned.spec.people)
    _save_if_changed(trip, principal=people[spec.principal])
    destinations = _sync_destinations(trip, planned.spec.destinations)
    _sync_engagements(trip, planned.engagements, destinations, people, added)
    # The file's people it no longer holds, and people added to engagements it no longer holds.
    Person.objects.filter(
        models.Q(from_trip_file=True) & ~models.Q(key__in=list(people))
        | models.Q(from_trip_file=False, participations__isnull=True),
        trip=trip,
    ).delete()
    logger.info("trip %s imported by %s", trip.slug, acting_user or "the command line")
    return trip


def _save_if_changed(instance: models.Model, **values: Any) -> None:
    if _set(instance, **values):
        instance.save()


def _set(instance: models.Model, **values: Any) -> bool:
    """Give `instance` these values; True when it is new or one of them changed (it needs saving)."""
    changed = instance._state.adding or any(getattr(instance, k) != v for k, v in values.items())
    for name, value in values.items():
        setattr(instance, name, value)
    return changed


def _save_all(instances: Sequence[models.Model]) -> None:
    """Save what changed: the new rows in one insert per model, the others one by one (few, on the
    trip day: a re-import changes only what changed)."""
    new = [instance for instance in instances if instance._state.adding]
    for instance in instances:
        if not instance._state.adding:
            instance.save()
    if new:
        type(new[0])._default_manager.bulk_create(new)


def _sync_people(trip: Trip, specs: list[PersonSpec]) -> tuple[dict[str, Person], set[int]]:
    """The file's people by id, and the ids (pk) of the people added outside it, who stay.

    A file person whose id is that of a person added outside the file takes that person over (the
    planner wrote them into the file): from then on the file holds them."""
    existing = {person.key: person for person in trip.people.all()}
    people, changed = {}, []
    for position, spec in enumerate(specs):
        person = existing.get(spec.id) or Person(trip=trip, key=spec.id)
        if _set(
            person,
            name=spec.name,
            title=spec.title,
            country=spec.country or "",
            label=spec.label,
            languages=list(spec.languages),
            outlet=spec.outlet or "",
            position=position,
            from_trip_file=True,
        ):
            changed.append(person)
        people[spec.id] = person
    _save_all(changed)
    added = {person.pk for key, person in existing.items() if key not in people and not person.from_trip_file}
    return people, added


def _sync_destinations(trip: Trip, specs: list[DestinationSpec]) -> list[Destination]:
    existing = list(trip.destinations.order_by("position"))
    destinations = []
    for position, spec in enumerate(specs):
        destination = existing[position] if position < len(existing) else Destination(trip=trip)
        _save_if_changed(
            destination,
            position=position,
            country=spec.country,
            timezone=spec.timezone,
            mission=spec.mission,
            languages=list(spec.languages),
        )
        destinations.append(destination)
    return destinations


def _sync_engagements(
    trip: Trip,
    planned: list[PlannedEngagement],
    destinations: list[Destination],
    people: dict[str, Person],
    added_people: set[int],
) -> None:
    existing = {engagement.key: engagement for engagement in trip.engagements.select_related("destination")}
    current: dict[int, list[Participant]] = {}
    for participant in Participant.objects.filter(engagement__trip=trip).order_by("position"):
        current.setdefault(participant.engagement_id, []).append(participant)
    engagements, changed = [], []
    for item in planned:
        spec = item.spec
        engagement = existing.get(spec.id) or Engagement(trip=trip, key=spec.id)
        if _set(
            engagement,
            destination=destinations[item.destination_index],
            position=item.position,
            kind=spec.kind,
            title=spec.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            timezone=item.timezone,
            location=spec.location,
            coverage=spec.coverage,
            public=spec.public,
            record=spec.record,
            ground_rules=spec.ground_rules.rule,
            attribution=spec.ground_rules.attribution,
            embargo_until=item.embargo_until,
            queue_policy=spec.questions.order,
            queue_priority=list(spec.questions.priority),
            terms=list(spec.terms),
            languages=list(spec.languages),
        ):
            changed.append(engagement)
        engagements.append(engagement)
    _save_all(changed)
    added: list[Participant] = []
    for item, engagement in zip(planned, engagements, strict=True):
        wanted = [(people[p.person], str(p.role)) for p in item.spec.participants]
        added += _sync_participants(engagement, current.get(engagement.pk, []), wanted, added_people)
    Participant.objects.bulk_create(added)
    Engagement.objects.filter(trip=trip).exclude(key__in=[item.spec.id for item in planned]).delete()
    Destination.objects.filter(trip=trip, position__gte=len(destinations)).delete()


def _sync_participants(
    engagement: Engagement,
    current: list[Participant],
    wanted: list[tuple[Person, str]],
    added_people: set[int],
) -> list[Participant]:
    """Make the engagement's participants the file's, in its order, changing only what changed; the
    new rows are returned for the caller to insert with everyone else's.

    People who stay keep their row, and with it their join link and their seat in a live room; a
    person taken off loses theirs (rooms revoke it on delete); a person added gets a new row. People
    added outside the file keep their rows, after the file's, in the order they came."""
    staying = {person.pk for person, _role in wanted}
    removed = [
        participant.pk
        for participant in current
        if participant.person_id not in staying and participant.person_id not in added_people
    ]
    if removed:
        Participant.objects.filter(pk__in=removed).delete()
    rows = {participant.person_id: participant for participant in current}
    added = []
    for position, (person, role) in enumerate(wanted):
        if person.pk in rows:
            _save_if_changed(rows[person.pk], role=role, position=position)
        else:
            # By ids: setting the related objects costs more than the insert itself on a long trip.
            added.append(
                Participant(engagement_id=engagement.pk, person_id=person.pk, role=role, position=position)
            )
    kept = [p for p in current if p.person_id in added_people and p.person_id not in staying]
    for position, participant in enumerate(kept, start=len(wanted)):
        _save_if_changed(participant, position=position)
    return added


@transaction.atomic
def do_shift_trip(trip: Trip, days: int, *, acting_user: Actor) -> None:
    """Move every engagement of the trip by whole days, keeping each local wall time (the demo uses
    this to happen today). Side effects: logs the move."""

    def shifted(engagement: Engagement, moment: datetime) -> datetime:
        zone = get_zone(engagement.timezone)
        local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
        return resolve_wall_time(local, zone)

    _move_engagements(trip, shifted)
    logger.info("trip %s moved by %d days by %s", trip.slug, days, acting_user or "the command line")


@transaction.atomic
def do_move_trip(trip: Trip, by: timedelta, *, acting_user: Actor) -> None:
    """Move every engagement of the trip by the same length of time (the demo uses this to be under
    way now). Side effects: logs the move."""
    _move_engagements(trip, lambda _engagement, moment: moment + by)
    logger.info("trip %s moved by %s by %s", trip.slug, by, acting_user or "the command line")


def _move_engagements(trip: Trip, move: Callable[[Engagement, datetime], datetime]) -> None:
    for engagement in Engagement.objects.select_for_update().filter(trip=trip):
        engagement.starts_at = move(engagement, engagement.starts_at)
        engagement.ends_at = move(engagement, engagement.ends_at)
        engagement.save(update_fields=["starts_at", "ends_at", "updated_at"])


NAME_MAX_LENGTH = 200
_KEY_SLUG_LENGTH = 60
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ß": "ss"}
    | {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i"}
)
"""Latin letters that Unicode does not decompose into a base letter and a mark, so slugify would
drop them ('Łukasz' would be 'ukasz')."""


@transaction.atomic
def do_add_press_participant(
    engagement: Engagement, *, name: str, outlet: str, country: str, acting_user: Actor
) -> Participant:
    """Add a journalist who is not in the trip file (accredited for this engagement) as press.

    `name` and `outlet` are stripped of surrounding spaces and `country` upper-cased; ValidationError
    (a message per field: name, outlet, country) when one is unusable. The person gets a key of
    their own, `press-<name as a slug>` (`press-<n>` for a name with no Latin letters), unique in the
    trip. Side effects: logs the addition."""
    name, outlet, country = name.strip(), outlet.strip(), country.strip().upper()
    problems = {
        "name": _one_line_text_problem("name", name),
        "outlet": _one_line_text_problem("outlet", outlet),
        "country": country_problem(country)
        if country
        else "country is required: an ISO 3166-1 code such as MX",
    }
    participant = _add_participant(
        engagement, problems, Role.PRESS, "press", name=name, outlet=outlet, country=country
    )
    logger.info(
        "journalist %s (%s) added to %s by %s", participant.person.key, outlet, engagement.key, acting_user
    )
    return participant


@transaction.atomic
def do_add_audience_participant(engagement: Engagement, *, name: str, acting_user: Actor) -> Participant:
    """Add someone who is not in the trip file (a town hall's audience) to the engagement as audience.

    ValidationError naming `name` when it is unusable; the key is `audience-<slug>` as for the press.
    Side effects: logs the addition."""
    name = name.strip()
    problems = {"name": _one_line_text_problem("name", name)}
    participant = _add_participant(engagement, problems, Role.AUDIENCE, "audience", name=name)
    logger.info("audience %s added to %s by %s", participant.person.key, engagement.key, acting_user)
    return participant


def _one_line_text_problem(what: str, text: str, max_length: int = NAME_MAX_LENGTH) -> str | None:
    if not text:
        return f"{what} is required"
    if len(text) > max_length:
        return f"{what} is {len(text):,} characters long; it may be at most {max_length}"
    problem = text_problem(text)
    if problem:
        return f"{what} {problem}"
    if LINE_BREAK.search(text):
        return f"{what} must be one line"
    return None


def _add_participant(
    engagement: Engagement, problems: dict[str, str | None], role: Role, prefix: str, **person: str
) -> Participant:
    found = {field: message for field, message in problems.items() if message}
    if found:
        raise ValidationError(found)
    # The trip's row is locked, as the import locks it, so two additions never pick the same key.
    trip = Trip.objects.select_for_update().get(pk=engagement.trip_id)
    last = trip.people.aggregate(last=models.Max("position"))["last"]
    added = Person.objects.create(
        trip=trip,
        key=_new_person_key(trip, prefix, person["name"]),
        position=0 if last is None else last + 1,
        from_trip_file=False,
        **person,
    )
    last = engagement.participants.aggregate(last=models.Max("position"))["last"]
    return Participant.objects.create(
        engagement=engagement, person=added, role=role, position=0 if last is None else last + 1
    )


def _new_person_key(trip: Trip, prefix: str, name: str) -> str:
    """`prefix-slug`, or `prefix-slug-2`, `-3`... when taken; `prefix-1`, `-2`... for a name that
    makes no slug (李雷). Always a valid trip-file id."""
    slug = slugify(name.translate(_UNDECOMPOSED))[:_KEY_SLUG_LENGTH].strip("-_")
    base = f"{prefix}-{slug}" if slug else prefix
    taken = set(trip.people.filter(key__startswith=base).values_list("key", flat=True))
    if slug and base not in taken:
        return base
    number = 2 if slug else 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
