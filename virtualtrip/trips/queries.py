"""Reads of the itinerary for views, the API, commands and other apps.

Every public surface reads engagements through `visible_engagements`, so a private engagement
cannot leak through a page, a schedule, a calendar or the API that forgot to filter.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet

from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip
from virtualtrip.trips.times import UTC

Viewer = AbstractBaseUser | AnonymousUser | None


def sees_private(viewer: Viewer) -> bool:
    """Staff see private engagements; everyone else, and every published form, does not."""
    return bool(viewer is not None and viewer.is_authenticated and getattr(viewer, "is_staff", False))


def list_trips() -> QuerySet[Trip]:
    return Trip.objects.select_related("principal").order_by("slug")


def get_trip(slug: str) -> Trip:
    """The trip called `slug`; `Trip.DoesNotExist` when there is none."""
    return list_trips().get(slug=slug)


def visible_engagements(trip: Trip, viewer: Viewer = None) -> QuerySet[Engagement]:
    engagements = (
        Engagement.objects.filter(trip=trip)
        .select_related("destination")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("person").order_by("position"),
            )
        )
        .order_by("starts_at", "position")
    )
    return engagements if sees_private(viewer) else engagements.filter(public=True)


def get_engagement(trip: Trip, key: str, viewer: Viewer = None) -> Engagement:
    """One engagement the viewer may see; `Engagement.DoesNotExist` otherwise."""
    return visible_engagements(trip, viewer).get(key=key)


@dataclass(frozen=True)
class DestinationItinerary:
    destination: Destination
    engagements: list[Engagement]


def itinerary(trip: Trip, viewer: Viewer = None) -> list[DestinationItinerary]:
    """Destinations in trip order, each with its visible engagements in time order.

    A destination with nothing the viewer may see is left out, so a private leg stays private.
    """
    by_destination: dict[int, list[Engagement]] = {}
    for engagement in visible_engagements(trip, viewer):
        by_destination.setdefault(engagement.destination_id, []).append(engagement)
    return [
        DestinationItinerary(destination, by_destination[destination.pk])
        for destination in trip.destinations.order_by("position")
        if destination.pk in by_destination
    ]


def visible_destinations(trip: Trip, viewer: Viewer = None) -> list[Destination]:
    return [leg.destination for leg in itinerary(trip, viewer)]


def visible_people(trip: Trip, viewer: Viewer = None) -> QuerySet[Person]:
    """The trip's people; for the public, only the principal and those in public engagements."""
    people = Person.objects.filter(trip=trip).order_by("position", "key")
    if sees_private(viewer):
        return people
    in_public = Participant.objects.filter(engagement__trip=trip, engagement__public=True)
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
