from datetime import UTC, datetime, timedelta

import factory

from virtualtrip.trips.enums import Coverage, EngagementKind, Role
from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip


class TripFactory(factory.django.DjangoModelFactory[Trip]):
    class Meta:
        model = Trip

    slug = factory.Sequence(lambda n: f"trip-{n}")
    title = factory.Sequence(lambda n: f"Trip {n}")
    home_city = "Washington, D.C."
    home_timezone = "America/New_York"


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    trip = factory.SubFactory(TripFactory)
    key = factory.Sequence(lambda n: f"person-{n}")
    name = factory.Sequence(lambda n: f"Person {n}")
    title = "Minister"
    country = "US"
    languages = factory.LazyFunction(lambda: ["en"])


class DestinationFactory(factory.django.DjangoModelFactory[Destination]):
    class Meta:
        model = Destination

    trip = factory.SubFactory(TripFactory)
    country = "MX"
    timezone = "America/Mexico_City"
    mission = "U.S. Mission Mexico"


class EngagementFactory(factory.django.DjangoModelFactory[Engagement]):
    class Meta:
        model = Engagement

    destination = factory.SubFactory(DestinationFactory)
    trip = factory.SelfAttribute("destination.trip")
    key = factory.Sequence(lambda n: f"engagement-{n}")
    kind = EngagementKind.BILATERAL_MEETING
    title = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = datetime(2021, 2, 26, 16, 15, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(minutes=45))
    timezone = factory.SelfAttribute("destination.timezone")
    location = "Mexico City"
    coverage = Coverage.CLOSED_PRESS
    public = True


class ParticipantFactory(factory.django.DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    engagement = factory.SubFactory(EngagementFactory)
    person = factory.SubFactory(PersonFactory, trip=factory.SelfAttribute("..engagement.trip"))
    role = Role.PRINCIPAL
