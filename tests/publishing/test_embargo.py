"""An embargoed document is invisible on every public surface until its time, then appears by itself."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from tests.factories.publishing import draft, publish
from tests.factories.trips import EngagementFactory
from virtualtrip.publishing.actions import DocumentText, do_edit_document
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


def surfaces(
    client: Client, document: Document, title: str = TITLE, word: str = "zebra"
) -> dict[str, Callable[[], bool]]:
    """Each public surface, as a question: does it show the document (by its title, or a word of
    its text for search)?"""

    def page(path: str) -> Callable[[], bool]:
        return lambda: title in client.get(path).content.decode()

    def feed(path: str) -> Callable[[], bool]:
        return lambda: title in [entry.title for entry in feedparser.parse(client.get(path).content).entries]

    return {
        "document page": lambda: client.get(f"/trips/trip/documents/{document.pk}/").status_code == 200,
        "Spanish document page": lambda: (
            client.get(f"/es/trips/trip/documents/{document.pk}/").status_code == 200
        ),
        "trip page": page("/trips/trip/"),
        "Spanish trip page": page("/es/trips/trip/"),
        "engagement page": page("/trips/trip/engagements/meeting/"),
        "search": page(f"/search/?q={word}"),
        "trip feed": feed("/trips/trip/feed.atom"),
        "site feed": feed("/feed.atom"),
        "sitemap": lambda: (
            f"/trips/trip/documents/{document.pk}/" in client.get("/sitemap.xml").content.decode()
        ),
        "API list": lambda: (
            title in [item["title"] for item in client.get("/api/trips/trip/documents").json()]
        ),
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


def shown(checks: dict[str, Callable[[], bool]]) -> set[str]:
    return {name for name, shows in checks.items() if shows()}


def exported(tmp_path: Path, title: str) -> bool:
    """Does a static copy of the trip made now hold `title`?"""
    folder = tmp_path / f"export-{len(list(tmp_path.iterdir()))}"
    call_command("export_site", "trip", str(folder), stdout=StringIO())
    return any(title in path.read_text() for path in folder.rglob("*.html"))


SPANISH = "Lectura de la reunión bajo embargo"
# Surfaces where a Spanish version never shows: they list the English original in its place.
IN_ENGLISH_ONLY = {"calendar", "trip page", "engagement page"}


def test_a_translation_published_with_no_embargo_takes_its_originals(
    client: Client, embargoed: Document, tmp_path: Path
) -> None:
    with time_machine.travel(WRITTEN, tick=False):
        spanish = publish(
            draft(embargoed.trip, title=SPANISH, body="Cebra.", language="es", translation_of=embargoed.pk)
        )
    assert (spanish.embargo, spanish.go_live_at, spanish.first_published_at) == (None, EMBARGO, EMBARGO)
    checks = surfaces(client, spanish, SPANISH, "cebra")
    with time_machine.travel(EMBARGO - timedelta(seconds=1), tick=False):
        assert (shown(checks), exported(tmp_path, SPANISH)) == (set(), False)
    with time_machine.travel(EMBARGO, tick=False):
        assert (shown(checks), exported(tmp_path, SPANISH)) == (set(checks) - IN_ENGLISH_ONLY, True)


def test_a_translation_published_before_its_original_waits_for_the_originals_embargo(
    client: Client, tmp_path: Path
) -> None:
    """The translation went live when its original had no embargo; the original, published later
    under embargo, holds it back on every surface until the embargo lifts."""
    with time_machine.travel(WRITTEN, tick=False):
        engagement = EngagementFactory.create(destination__trip__slug="trip", key="meeting")
        original = draft(engagement.trip, engagement="meeting", title=TITLE, body="Zebra talks.")
        spanish = publish(
            draft(engagement.trip, title=SPANISH, body="Cebra.", language="es", translation_of=original.pk)
        )
        assert spanish.go_live_at is None
        edited = DocumentText(title=TITLE, date=original.date, body=original.body, embargo=EMBARGO)
        do_edit_document(original, edited, base_revision=1, acting_user=None)
        publish(original)
    checks = surfaces(client, spanish, SPANISH, "cebra")
    with time_machine.travel(EMBARGO - timedelta(seconds=1), tick=False):
        assert (shown(checks), exported(tmp_path, SPANISH)) == (set(), False)
    with time_machine.travel(EMBARGO, tick=False):
        assert (shown(checks), exported(tmp_path, SPANISH)) == (set(checks) - IN_ENGLISH_ONLY, True)


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
