"""The read-only JSON API of the itinerary. Anonymous callers see only public engagements."""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from virtualtrip.trips import queries
from virtualtrip.trips.models import Destination, Engagement, Person, Trip
from virtualtrip.trips.validators import country_name

router = Router(tags=["itinerary"])


class HomeOut(Schema):
    city: str
    timezone: str


class TripOut(Schema):
    slug: str
    title: str
    summary: str
    principal: str | None
    home: HomeOut


class PersonOut(Schema):
    id: str
    name: str
    title: str
    country: str | None
    label: str
    languages: list[str]
    outlet: str | None


class DestinationOut(Schema):
    country: str
    country_name: str
    timezone: str
    mission: str
    languages: list[str]


class ParticipantOut(Schema):
    person: str
    role: str


class EngagementOut(Schema):
    id: str
    trip: str
    country: str
    kind: str
    title: str
    starts: datetime
    ends: datetime
    timezone: str
    location: str
    coverage: str
    public: bool
    participants: list[ParticipantOut]


def _trip(slug: str) -> Trip:
    try:
        return queries.get_trip(slug)
    except Trip.DoesNotExist:
        raise Http404(f"No trip called {slug!r}") from None


def _trip_out(trip: Trip) -> TripOut:
    return TripOut(
        slug=trip.slug,
        title=trip.title,
        summary=trip.summary,
        principal=trip.principal.key if trip.principal else None,
        home=HomeOut(city=trip.home_city, timezone=trip.home_timezone),
    )


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.key,
        name=person.name,
        title=person.title,
        country=person.country or None,
        label=person.label,
        languages=list(person.languages),
        outlet=person.outlet or None,
    )


def _destination_out(destination: Destination) -> DestinationOut:
    return DestinationOut(
        country=destination.country,
        country_name=country_name(destination.country),
        timezone=destination.timezone,
        mission=destination.mission,
        languages=list(destination.languages),
    )


def _engagement_out(engagement: Engagement, trip: Trip) -> EngagementOut:
    return EngagementOut(
        id=engagement.key,
        trip=trip.slug,
        country=engagement.destination.country,
        kind=engagement.kind,
        title=engagement.title,
        starts=engagement.starts_at,
        ends=engagement.ends_at,
        timezone=engagement.timezone,
        location=engagement.location,
        coverage=engagement.coverage,
        public=engagement.public,
        participants=[
            ParticipantOut(person=p.person.key, role=p.role) for p in engagement.participants.all()
        ],
    )


@router.get("/trips", response=list[TripOut], summary="List trips")
def list_trips(request: HttpRequest) -> list[TripOut]:
    return [_trip_out(trip) for trip in queries.list_trips()]


@router.get("/trips/{slug}", response=TripOut, summary="One trip")
def get_trip(request: HttpRequest, slug: str) -> TripOut:
    return _trip_out(_trip(slug))


@router.get("/trips/{slug}/destinations", response=list[DestinationOut], summary="A trip's destinations")
def list_destinations(request: HttpRequest, slug: str) -> list[DestinationOut]:
    trip = _trip(slug)
    return [_destination_out(d) for d in queries.visible_destinations(trip, request.user)]


@router.get("/trips/{slug}/engagements", response=list[EngagementOut], summary="A trip's engagements")
def list_engagements(request: HttpRequest, slug: str) -> list[EngagementOut]:
    trip = _trip(slug)
    return [_engagement_out(e, trip) for e in queries.visible_engagements(trip, request.user)]


@router.get("/trips/{slug}/engagements/{key}", response=EngagementOut, summary="One engagement")
def get_engagement(request: HttpRequest, slug: str, key: str) -> EngagementOut:
    trip = _trip(slug)
    try:
        return _engagement_out(queries.get_engagement(trip, key, request.user), trip)
    except Engagement.DoesNotExist:
        raise Http404(f"No engagement called {key!r}") from None


@router.get("/trips/{slug}/people", response=list[PersonOut], summary="A trip's people")
def list_people(request: HttpRequest, slug: str) -> list[PersonOut]:
    trip = _trip(slug)
    return [_person_out(p) for p in queries.visible_people(trip, request.user)]
