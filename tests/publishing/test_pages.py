"""What the public sees: only published documents past their embargo, on pages, feeds and the API."""

from datetime import timedelta

import feedparser  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.utils import timezone

from tests.factories.publishing import draft, publish
from virtualtrip.publishing.models import Document
from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(trip: Trip) -> dict[str, Document]:
    """One document in each state a visitor might stumble on."""
    return {
        "draft": draft(trip, title="A draft readout"),
        "cleared only": draft(trip, title="A cleared readout"),
        "embargoed": publish(
            draft(trip, title="An embargoed readout", embargo=timezone.now() + timedelta(hours=1))
        ),
        "published": publish(draft(trip, title="A published readout", engagement="mx-meeting")),
    }


def test_an_anonymous_visitor_sees_only_what_is_published_and_past_its_embargo(
    client: Client, documents: dict[str, Document]
) -> None:
    status = {
        name: client.get(f"/trips/test-trip/documents/{d.pk}/").status_code for name, d in documents.items()
    }
    assert status == {"draft": 404, "cleared only": 404, "embargoed": 404, "published": 200}
    listed = [d["title"] for d in client.get("/api/trips/test-trip/documents").json()]
    assert listed == ["A published readout"]
    page = client.get("/trips/test-trip/").content.decode()
    assert "A published readout" in page
    assert [
        title for title in ("A draft readout", "A cleared readout", "An embargoed readout") if title in page
    ] == []


def test_the_document_page_links_its_trip_destination_engagement_and_translations(
    client: Client, documents: dict[str, Document]
) -> None:
    original = documents["published"]
    spanish = publish(draft(original.trip, translation_of=original.pk, language="es", title="Una reseña"))
    page = client.get(f"/trips/test-trip/documents/{original.pk}/").content.decode()
    assert 'href="/trips/test-trip/"' in page
    assert 'href="/trips/test-trip/engagements/mx-meeting/"' in page
    assert f'href="/trips/test-trip/#documents-{original.destination_id}">Mexico</a>' in page
    assert f'<link rel="alternate" hreflang="es" href="/es/trips/test-trip/documents/{spanish.pk}/">' in page
    assert f'href="/es/trips/test-trip/documents/{spanish.pk}/" hreflang="es" lang="es">Español</a>' in page
    spanish_page = client.get("/es/trips/test-trip/").content.decode()
    assert "Una reseña" in spanish_page
    assert "A published readout" not in spanish_page


def test_feeds_are_valid_atom_with_each_published_document(
    client: Client, documents: dict[str, Document]
) -> None:
    for path in ["/trips/test-trip/feed.atom", "/feed.atom"]:
        answer = client.get(path)
        feed = feedparser.parse(answer.content)
        assert answer["Content-Type"].startswith("application/atom+xml")
        assert (feed.bozo, feed.version) == (0, "atom10")
        assert [(e.title, e.link, e.tags[0].term) for e in feed.entries] == [
            (
                "A published readout",
                f"http://testserver/trips/test-trip/documents/{documents['published'].pk}/",
                "Readout",
            )
        ]
        assert feed.entries[0].published_parsed
        assert feed.entries[0].updated_parsed


def test_the_api_refuses_an_unknown_language_and_answers_404_for_an_unpublished_document(
    client: Client, documents: dict[str, Document]
) -> None:
    assert client.get("/api/trips/test-trip/documents?language=de").status_code == 422
    assert client.get(f"/api/trips/test-trip/documents/{documents['draft'].pk}").status_code == 404
    detail = client.get(f"/api/trips/test-trip/documents/{documents['published'].pk}").json()
    assert (detail["engagement"], detail["destination"], detail["body_html"]) == (
        "mx-meeting",
        "MX",
        "<p>The two ministers discussed <strong>trade</strong>.</p>\n",
    )


def test_the_trip_and_engagement_pages_link_the_same_readout(client: Client, trip: Trip) -> None:
    """With two readouts of one meeting, both pages link the first one written, in the page's language."""
    first = publish(draft(trip, title="First readout", engagement="mx-meeting"))
    publish(draft(trip, title="Second readout", engagement="mx-meeting"))
    spanish = publish(draft(trip, translation_of=first.pk, language="es", title="Primera reseña"))
    link = f'<p class="readout-notice"><a href="/es/trips/test-trip/documents/{spanish.pk}/">'
    for path in ["/es/trips/test-trip/", "/es/trips/test-trip/engagements/mx-meeting/"]:
        assert client.get(path).content.decode().count(link) == 1, path
