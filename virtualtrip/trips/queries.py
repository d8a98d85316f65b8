"""Reads of the itinerary for views, the API, commands and other apps.

Every public surface reads engagements through `visible_engagements`, so a private engagement
cannot leak through a page, a schedule, a calendar or the API that forgot to filter.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from virtualtrip.trips.enums import EngagementKind, GroundRules, QueuePolicy, Role
from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip
from virtualtrip.trips.times import UTC, get_zone
from virtualtrip.trips.validators import is_priority_country, priority_key

Viewer = AbstractBaseUser | AnonymousUser | None


def sees_private(viewer: Viewer) -> bool:
    """Staff see private engagements; everyone else, and every published form, does not."""
    return bool(viewer is not None and viewer.is_authenticated and getattr(viewer, "is_staff", False))


def list_trips() -> QuerySet[Trip]:
    return Trip.objects.select_related("principal").order_by("slug")


def get_trip(slug: str) -> Trip:
    """The trip called `slug`; `Trip.DoesNotExist` when there is none."""
    return list_trips().get(slug=slug)


PRESS_EVENT_KINDS = frozenset({EngagementKind.PRESS_BRIEFING, EngagementKind.PRESS_AVAILABILITY})
"""Engagements journalists not in the trip file may register for (accreditation, in floor)."""


def takes_press_registrations(engagement: Engagement, now: datetime) -> bool:
    """A public press event still to come or under way: its page offers registration."""
    return engagement.public and engagement.kind in PRESS_EVENT_KINDS and now < engagement.ends_at


HIDDEN_BY_GROUND_RULES = Q(role=Role.BRIEFER, engagement__ground_rules=GroundRules.BACKGROUND)
"""Participations the public never sees: a briefer on background is known by the attribution only."""


def public_participants() -> QuerySet[Participant]:
    """Participations the public may see: the trip file's people (never those added for one
    engagement: accredited journalists, an audience), and no briefer on background."""
    return Participant.objects.filter(person__from_trip_file=True).exclude(HIDDEN_BY_GROUND_RULES)


def visible_engagements(trip: Trip, viewer: Viewer = None) -> QuerySet[Engagement]:
    """The engagements the viewer may see, with the participants they may see (`public_participants`)."""
    staff = sees_private(viewer)
    participants = (
        (Participant.objects if staff else public_participants())
        .select_related("person")
        .order_by("position")
    )
    engagements = (
        Engagement.objects.filter(trip=trip)
        .select_related("destination")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=participants,
            )
        )
        .order_by("starts_at", "position")
    )
    return engagements if staff else engagements.filter(public=True)


def get_engagement(trip: Trip, key: str, viewer: Viewer = None) -> Engagement:
    """One engagement the viewer may see; `Engagement.DoesNotExist` otherwise."""
    return visible_engagements(trip, viewer).get(key=key)


@dataclass(frozen=True)
class DestinationItinerary:
    destination: Destination
    engagements: list[Engagement]


def on_local_day(trip: Trip, day: date) -> Q:
    """The trip's engagements that happen on `day` where they happen: that day's midnight to the
    next in each engagement's own zone, one range per zone the trip uses."""
    zones = Engagement.objects.filter(trip=trip).order_by().values_list("timezone", flat=True).distinct()
    found = Q(pk__in=[])
    for name in sorted(set(zones)):
        zone = get_zone(name)
        start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        found |= Q(timezone=name, starts_at__gte=start, starts_at__lt=end)
    return found


def itinerary(trip: Trip, viewer: Viewer = None, *, on: date | None = None) -> list[DestinationItinerary]:
    """Destinations in trip order, each with its visible engagements in time order; with `on`, only
    the engagements that happen on that day where they happen.

    A destination with nothing the viewer may see is left out, so a private leg stays private.
    """
    engagements = visible_engagements(trip, viewer)
    if on is not None:
        engagements = engagements.filter(on_local_day(trip, on))
    by_destination: dict[int, list[Engagement]] = {}
    for engagement in engagements:
        by_destination.setdefault(engagement.destination_id, []).append(engagement)
    return [
        DestinationItinerary(destination, by_destination[destination.pk])
        for destination in trip.destinations.order_by("position")
        if destination.pk in by_destination
    ]


@dataclass(frozen=True)
class ItineraryDay:
    day: date
    engagements: int


@dataclass(frozen=True)
class DestinationDays:
    """A destination and the days the viewer has engagements there, each with how many."""

    destination: Destination
    days: list[ItineraryDay]


# The days of the public itinerary are kept under its version, so a re-import or an edit makes new
# ones; the timeout only frees the memory of trips nobody looks at.
DAYS_CACHE_SECONDS = 24 * 60 * 60


def itinerary_days(trip: Trip, viewer: Viewer = None) -> list[DestinationDays]:
    """The itinerary's outline: destinations in trip order, each with the days (where they happen)
    of its visible engagements. What the public sees is read from the engagements once per version
    of them, and the destinations every time."""
    if sees_private(viewer):
        days = _days_by_destination(trip, viewer)
    else:
        version = f"{trip.pk}:{trip.created_at.isoformat()}:{_public_engagements_version(trip)}"
        key = f"trips:itinerary-days:{version}"
        days = cache.get(key)
        if not isinstance(days, dict):
            days = _days_by_destination(trip, viewer)
            cache.set(key, days, DAYS_CACHE_SECONDS)
    return [
        DestinationDays(destination, days[destination.pk])
        for destination in trip.destinations.order_by("position")
        if destination.pk in days
    ]


def _public_engagements_stamp(trip_id: int) -> tuple[datetime | None, int]:
    """The latest save among the trip's public engagements, and how many there are: together they
    change whenever a public engagement is saved, made private or deleted, or one is made public
    (every save moves `updated_at`, and a deletion the count)."""
    found = Engagement.objects.filter(trip_id=trip_id, public=True).aggregate(
        latest=Max("updated_at"), count=Count("pk")
    )
    return found["latest"], found["count"]


def _public_engagements_version(trip: Trip) -> str:
    latest, count = _public_engagements_stamp(trip.pk)
    return f"{latest.isoformat() if latest else '-'}:{count}"


def _days_by_destination(trip: Trip, viewer: Viewer) -> dict[int, list[ItineraryDay]]:
    """Reads starts and zones only, however long the trip."""
    rows = (
        visible_engagements(trip, viewer)
        .prefetch_related(None)
        .values_list("destination_id", "starts_at", "timezone")
    )
    zones: dict[str, ZoneInfo] = {}
    counts: Counter[tuple[int, date]] = Counter()
    for destination_id, starts_at, zone_name in rows:
        zone = zones.get(zone_name) or zones.setdefault(zone_name, get_zone(zone_name))
        counts[destination_id, starts_at.astimezone(zone).date()] += 1
    days: dict[int, list[ItineraryDay]] = {}
    for (destination_id, day), count in sorted(counts.items()):
        days.setdefault(destination_id, []).append(ItineraryDay(day, count))
    return days


def public_zones(trip: Trip) -> list[str]:
    """The zones the trip's public engagements are written in."""
    zones = Engagement.objects.filter(trip=trip, public=True).values_list("timezone", flat=True)
    return sorted(set(zones.order_by().distinct()))


@dataclass(frozen=True)
class CalendarVersion:
    """What the trip's published calendar is made of, in a few values: it changes whenever the
    calendar's text would (a trip or engagement saved, an engagement deleted, a destination's
    country changed); `modified` is the last time a row of it was saved."""

    trip_id: int
    modified: datetime
    fingerprint: str


def calendar_version(slug: str) -> CalendarVersion | None:
    """The version of the calendar of the trip called `slug`; None when there is no such trip."""
    trip = Trip.objects.filter(slug=slug).values_list("pk", "updated_at").first()
    if trip is None:
        return None
    trip_id, trip_saved = trip
    latest, count = _public_engagements_stamp(trip_id)
    countries = Destination.objects.filter(trip_id=trip_id).order_by("pk").values_list("pk", "country")
    modified = max(trip_saved, latest) if latest else trip_saved
    parts = [trip_saved.isoformat(), latest.isoformat() if latest else "-", str(count)]
    parts += [f"{pk}:{country}" for pk, country in countries]
    return CalendarVersion(trip_id, modified, " ".join(parts))


def visible_destinations(trip: Trip, viewer: Viewer = None) -> list[Destination]:
    return [leg.destination for leg in itinerary(trip, viewer)]


def visible_people(trip: Trip, viewer: Viewer = None) -> QuerySet[Person]:
    """The trip's people; for the public, only the principal and the people it may see in public
    engagements (`public_participants`)."""
    people = Person.objects.filter(trip=trip).order_by("position", "key")
    if sees_private(viewer):
        return people
    people = people.filter(from_trip_file=True)
    in_public = public_participants().filter(engagement__trip=trip, engagement__public=True)
    principal = people.filter(pk=trip.principal_id) if trip.principal_id else people.none()
    return people.filter(pk__in=in_public.values("person")) | principal


def principal_engagements(trip: Trip) -> QuerySet[Engagement]:
    """The principal's public engagements: what public schedules are made of."""
    if trip.principal_id is None:
        return Engagement.objects.none()
    return visible_engagements(trip).filter(participants__person_id=trip.principal_id).distinct()


def principal_day(trip: Trip, day: date, zone: ZoneInfo) -> list[Engagement]:
    """The principal's public engagements that start on `day` in `zone`: a public schedule's lines."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return list(principal_engagements(trip).filter(starts_at__gte=start, starts_at__lt=end))


def principal_days(trip: Trip, zone: ZoneInfo) -> list[date]:
    """The days, in `zone`, on which the principal has a public engagement."""
    starts = principal_engagements(trip).values_list("starts_at", flat=True)
    return sorted({moment.astimezone(zone).date() for moment in starts})


def overlapping_engagements(
    person: Person, starts_at: datetime, ends_at: datetime, *, besides: Engagement | None = None
) -> list[Engagement]:
    """The person's other engagements that overlap [starts_at, ends_at)."""
    found = Engagement.objects.filter(
        participants__person=person, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if besides is not None and besides.pk:
        found = found.exclude(pk=besides.pk)
    return list(found.order_by("starts_at"))


@dataclass(frozen=True)
class GroundRulesView:
    """An engagement's ground rules as the room shows them. `hides_names`: on background the press
    must never be sent the speakers' names, only `attribution`."""

    rule: GroundRules
    attribution: str
    embargo_until: datetime | None
    hides_names: bool


def ground_rules(engagement: Engagement) -> GroundRulesView:
    rule = GroundRules(engagement.ground_rules)
    return GroundRulesView(
        rule=rule,
        attribution=engagement.attribution,
        embargo_until=engagement.embargo_until,
        hides_names=rule is GroundRules.BACKGROUND,
    )


@dataclass(frozen=True)
class QuestionOrder:
    """How an engagement's queue of questions is ordered. With the priority policy, `priority` holds
    outlets' names and ISO 3166-1 country codes, the first the most favoured."""

    policy: QueuePolicy
    priority: tuple[str, ...]

    def rank(self, *, outlet: str, country: str) -> int:
        """The place in the priority list of the first entry naming this outlet (case and spacing
        aside) or this country; len(priority) for a journalist no entry names, who comes after."""
        wanted_outlet = priority_key(outlet)
        for index, entry in enumerate(self.priority):
            if is_priority_country(entry):
                if entry == country:
                    return index
            elif priority_key(entry) == wanted_outlet:
                return index
        return len(self.priority)


def question_order(engagement: Engagement) -> QuestionOrder:
    return QuestionOrder(QueuePolicy(engagement.queue_policy), tuple(engagement.queue_priority))


@dataclass(frozen=True)
class Interpreter:
    person_id: int
    name: str
    source: str
    """The language they interpret from (the first of their pair)."""
    target: str
    """The language they speak into: their channel (the last of their pair)."""


def engagement_languages(engagement: Engagement) -> list[str]:
    """The languages of the engagement's interpretation channels, in order: those the trip file names
    for it, or else the destination's, then its participants' in the file's order."""
    if engagement.languages:
        return list(engagement.languages)
    codes = list(engagement.destination.languages)
    for participant in engagement.participants.select_related("person").order_by("position"):
        codes += participant.person.languages
    return list(dict.fromkeys(codes))


def list_interpreters(engagement_id: int) -> list[Interpreter]:
    """The engagement's interpreters with a language pair, in the file's order (the import refuses
    an interpreter without one; an admin edit may still leave one, who then has no channel)."""
    participants = Participant.objects.filter(engagement_id=engagement_id, role=Role.INTERPRETER)
    found = []
    for participant in participants.select_related("person").order_by("position"):
        pair = list(dict.fromkeys(participant.person.languages))
        if len(pair) >= 2:
            person = participant.person
            found.append(Interpreter(person.pk, person.name, source=pair[0], target=pair[-1]))
    return found
