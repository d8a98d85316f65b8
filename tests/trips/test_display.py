"""How an engagement's start reads from each place, across the date line."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories.trips import DestinationFactory, EngagementFactory
from virtualtrip.trips.display import duration_text, times_sentence

pytestmark = pytest.mark.django_db


def test_readings_across_the_date_line_say_which_day() -> None:
    destination = DestinationFactory.create(country="NZ", timezone="Pacific/Auckland")
    engagement = EngagementFactory.create(
        destination=destination,
        location="Wellington",
        starts_at=datetime(2021, 2, 26, 20, 0, tzinfo=UTC),
        ends_at=datetime(2021, 2, 26, 21, 30, tzinfo=UTC),
    )
    assert times_sentence(engagement, destination.trip, ZoneInfo("Pacific/Honolulu")) == (
        "9:00 a.m. in Wellington, 3:00 p.m. Friday, February 26 in Washington, D.C., "
        "10:00 a.m. Friday, February 26 in Honolulu"
    )
    assert duration_text(engagement) == "1 h 30 min"


def test_engagement_at_home_reads_once() -> None:
    destination = DestinationFactory.create(country="US", timezone="America/New_York")
    engagement = EngagementFactory.create(destination=destination, location="Washington, D.C.")
    assert times_sentence(engagement, destination.trip) == "11:15 a.m. in Washington, D.C."
