"""An embargoed document is invisible on every public surface until its time, then appears by itself."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import feedparser  # type: ignore[import-untyped]
import pytest
import time_machine
from django.test import Client

from tests.factories.publishing import draft, publish
from tests.factories.trips import EngagementFactory
from virtualtrip.publishing.models import Document

pytestmark = pytest.mark.django_db
WRITTEN = datetime(2021, 2, 25, 12, 0, tzinfo=UTC)
EMBARGO = datetime(2021, 2, 26, 17, 0, tzinfo=UTC)
TITLE = "Readout of the embargoed meeting"


@pytest.fixture
def embargoed() -> Document:
    """A readout cleared and published the day before, embargoed until 17:00 UTC on the 26th."""
    with time_machine.travel(WRITTEN, tick=False):
        engagement = EngagementFactory.create(destination__trip__slug="trip", key="meeting")
        return publish(
            draft(engagement.trip, engagement="meeting", title=TITLE, embargo=EMBARGO, body="Zebra talks.")
        )


def surfaces(client: Client, document: Document) -> dict[str, Callable[[], bool]]:
    """Each public surface, as a question: does it show the document?"""

    def page(path: str) -> Callable[[], bool]:
        return lambda: TITLE in client.get(path).content.decode()

    def feed(path: str) -> Callable[[], bool]:
        return lambda: TITLE in [entry.title for entry in feedparser.parse(client.get(path).content).entries]

    return {
        "document page": lambda: client.get(f"/trips/trip/documents/{document.pk}/").status_code == 200,
        "Spanish document page": lambda: (
            client.get(f"/es/trips/trip/documents/{document.pk}/").status_code == 200
        ),
        "trip page": page("/trips/trip/"),
        "engagement page": page("/trips/trip/engagements/meeting/"),
        "search": page("/search/?q=zebra"),
        "trip feed": feed("/trips/trip/feed.atom"),
        "site feed": feed("/feed.atom"),
        "sitemap": lambda: (
            f"/trips/trip/documents/{document.pk}/" in client.get("/sitemap.xml").content.decode()
        ),
        "API list": lambda: TITLE in client.get("/api/trips/trip/documents").content.decode(),
        "API document": lambda: client.get(f"/api/trips/trip/documents/{document.pk}").status_code == 200,
        "calendar": page("/trips/trip/schedule.ics"),
    }


def test_invisible_everywhere_until_the_embargo_then_visible_without_anyone_acting(
    client: Client, embargoed: Document
) -> None:
    checks = surfaces(client, embargoed)
    with time_machine.travel(EMBARGO - timedelta(seconds=1), tick=False):
        assert {name for name, shows in checks.items() if shows()} == set()
    with time_machine.travel(EMBARGO, tick=False):
        assert {name for name, shows in checks.items() if shows()} == set(checks) - {"calendar"}


def test_the_engagement_page_says_a_readout_will_follow_until_it_is_public(
    client: Client, embargoed: Document
) -> None:
    with time_machine.travel(EMBARGO - timedelta(minutes=1), tick=False):
        before = client.get("/trips/trip/engagements/meeting/").content.decode()
    with time_machine.travel(EMBARGO, tick=False):
        after = client.get("/trips/trip/engagements/meeting/").content.decode()
    assert "a readout will follow" in before
    assert "a readout will follow" not in after
    assert f'href="/trips/trip/documents/{embargoed.pk}/">Read the readout' in after
