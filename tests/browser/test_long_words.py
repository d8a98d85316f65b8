"""Words longer than a line, typed by a planner or a writer, wrap instead of widening the page.

Set VIRTUALTRIP_SCREENSHOTS=DIR to keep a screenshot of each page looked at.
"""

import os
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import VIEWPORT
from tests.factories.publishing import draft, publish
from tests.factories.trips import (
    DestinationFactory,
    EngagementFactory,
    ParticipantFactory,
    PersonFactory,
    TripFactory,
)

pytestmark = pytest.mark.browser


def word(length: int, letter: str = "w") -> str:
    return letter * length


@pytest.fixture
def wordy_trip(transactional_db: None) -> dict[str, str]:
    """A trip whose every typed text is one unbroken word: 60,000 letters where the field allows."""
    trip = TripFactory.create(
        slug="wordy", title=word(300, "t"), summary=word(60_000, "s"), home_city=word(200, "h")
    )
    destination = DestinationFactory.create(trip=trip, mission=word(200, "m"))
    engagement = EngagementFactory.create(
        destination=destination,
        key="wordy-meeting",
        title=word(300, "e"),
        location=word(200, "l"),
        starts_at=datetime(2021, 2, 26, 16, 15, tzinfo=UTC),
    )
    person = PersonFactory.create(trip=trip, name=word(200, "n"), title=word(300, "p"), outlet=word(200, "o"))
    ParticipantFactory.create(engagement=engagement, person=person)
    trip.principal = person
    trip.save()
    document = publish(draft(trip, title=word(300, "d"), body=word(60_000, "b"), engagement="wordy-meeting"))
    return {
        "trip": "/trips/wordy/",
        "day": "/trips/wordy/itinerary/2021-02-26/",
        "engagement": "/trips/wordy/engagements/wordy-meeting/",
        "document": f"/trips/wordy/documents/{document.pk}/",
        "schedule": "/trips/wordy/schedule/2021-02-26/",
        "search": "/search/?q=" + word(60, "d"),
    }


def test_long_words_wrap_on_every_page_that_shows_them(
    page: Page, live_server: LiveServer, wordy_trip: dict[str, str]
) -> None:
    shots = os.environ.get("VIRTUALTRIP_SCREENSHOTS")
    widths = {}
    for name, path in wordy_trip.items():
        answer = page.goto(live_server.url + path)
        assert answer is not None, (name, path)
        assert answer.status == 200, (name, path)
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        if shots:
            page.screenshot(path=f"{shots}/long-words-{name}.png", full_page=True)
    assert widths == dict.fromkeys(wordy_trip, VIEWPORT["width"])
