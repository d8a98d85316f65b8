"""What the public sees: only published documents past their embargo, on pages, feeds and the API."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import as_yaml, trip_document
from tests.factories.publishing import draft, publish
from tests.factories.trips import EngagementFactory
from tests.html import texts
from tests.trips.long_trip import import_long_trip
from virtualtrip.publishing.models import Document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
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


def test_a_nul_character_in_the_search_is_refused_with_a_message(client: Client, trip: Trip) -> None:
    publish(draft(trip, title="A published readout"))
    answer = client.get("/search/", {"q": "published\x00"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "The search contains the NUL character (U+0000), which cannot be searched for: remove it." in page
    assert "A published readout" not in page


@pytest.mark.postgres
def test_a_nul_character_in_the_search_is_refused_on_postgresql(
    postgresql: None, client: Client, trip: Trip
) -> None:
    test_a_nul_character_in_the_search_is_refused_with_a_message(client, trip)


# --- a long trip: the itinerary by day, a page per day -----------------------------------------


def day_links(html: str) -> list[str]:
    return re.findall(r'href="(/trips/test-trip/itinerary/[0-9-]+/)"', html)


def test_a_long_trip_page_lists_its_days_and_each_day_has_a_page(client: Client, db: None) -> None:
    import_long_trip(120)  # ten days of twelve, three of each day's twelve private
    html = client.get("/trips/test-trip/").content.decode()
    assert texts(html, tag="h4") == []
    assert texts(html, tag="h3") == ["Mexico", "United States"]
    march = [f"/trips/test-trip/itinerary/2021-03-{day:02d}/" for day in range(1, 11)]
    assert day_links(html) == [
        "/trips/test-trip/itinerary/2021-02-26/",
        *march,
        "/trips/test-trip/itinerary/2021-02-26/",
    ]
    assert texts(html, css_class="itinerary-days")[0].startswith(
        "Friday, February 26, 2021 1 engagement Monday, March 1, 2021 9 engagements"
    )
    assert texts(html, css_class="schedule-days") == [
        " ".join(["Feb. 26, 2021", *[f"March {day}, 2021" for day in range(1, 11)]])
    ]


def test_a_day_page_shows_that_days_public_engagements(client: Client, db: None) -> None:
    import_long_trip(120)
    html = client.get("/trips/test-trip/itinerary/2021-03-01/").content.decode()
    assert texts(html, tag="h1") == ["Monday, March 1, 2021"]
    assert texts(html, tag="h4") == [f"Roundtable {n}" for n in range(12) if n % 4 != 3]
    assert "mx-long-0003" not in html
    assert texts(html, css_class="pending") == ["Closed to the press: a readout will follow."] * 3
    assert re.findall(r'<a rel="(prev|next)" href="([^"]+)"', html) == [
        ("prev", "/trips/test-trip/itinerary/2021-02-26/"),
        ("next", "/trips/test-trip/itinerary/2021-03-02/"),
    ]


def test_a_day_page_keeps_the_picked_zone_and_links_the_readout(client: Client, db: None) -> None:
    trip = import_long_trip(120)
    readout = publish(draft(trip, title="Roundtable readout", engagement="mx-long-0000"))
    html = client.get("/trips/test-trip/itinerary/2021-03-02/", {"tz": "Asia/Tokyo"}).content.decode()
    assert texts(html, css_class="when")[0] == (
        "8:00 a.m. in Monterrey, 9:00 a.m. in Washington, D.C., 11:00 p.m. in Tokyo · 45 min"
    )
    assert '<a rel="prev" href="/trips/test-trip/itinerary/2021-03-01/?tz=Asia/Tokyo">' in html
    day_one = client.get("/trips/test-trip/itinerary/2021-03-01/").content.decode()
    assert f'<p class="readout-notice"><a href="/trips/test-trip/documents/{readout.pk}/">' in day_one


def test_a_day_with_nothing_public_is_404_except_for_staff(
    client: Client, admin_client: Client, db: None
) -> None:
    trip = import_long_trip(120)
    EngagementFactory.create(
        trip=trip,
        destination=trip.destinations.get(country="MX"),
        key="mx-secret",
        title="Secret dinner",
        starts_at=datetime(2021, 3, 20, 1, 0, tzinfo=UTC),  # March 19 in Mexico City
        public=False,
    )
    assert client.get("/trips/test-trip/itinerary/2021-03-19/").status_code == 404
    assert client.get("/trips/test-trip/itinerary/2021-04-01/").status_code == 404
    staff_view = admin_client.get("/trips/test-trip/itinerary/2021-03-19/")
    assert texts(staff_view.content.decode(), tag="h4") == ["Secret dinner"]
    assert "/trips/test-trip/itinerary/2021-03-19/" not in day_links(
        client.get("/trips/test-trip/").content.decode()
    )


def test_a_long_trip_page_follows_changes_to_its_engagements(client: Client, db: None) -> None:
    trip = import_long_trip(120)
    assert "/trips/test-trip/itinerary/2021-03-10/" in day_links(
        client.get("/trips/test-trip/").content.decode()
    )
    trip.engagements.filter(key__startswith="mx-long-", key__gte="mx-long-0108").update(public=False)
    moved = trip.engagements.get(key="mx-long-0000")
    moved.starts_at += timedelta(days=30)
    moved.ends_at += timedelta(days=30)
    moved.save()
    html = client.get("/trips/test-trip/").content.decode()
    assert day_links(html)[-3:] == [
        "/trips/test-trip/itinerary/2021-03-09/",
        "/trips/test-trip/itinerary/2021-03-31/",
        "/trips/test-trip/itinerary/2021-02-26/",
    ]
    assert texts(html, css_class="itinerary-days")[0].startswith(
        "Friday, February 26, 2021 1 engagement Monday, March 1, 2021 8 engagements"
    )


def test_a_long_trip_page_stays_a_readable_size(client: Client, db: None) -> None:
    import_long_trip(360)  # thirty days
    page = client.get("/trips/test-trip/")
    assert len(page.content) < 60_000, len(page.content)
    assert page.content.count(b"<option") < 60


@pytest.mark.parametrize("added", [0, 40, 240])
def test_the_trip_page_reads_the_same_number_of_times_however_long_the_trip(
    client: Client, db: None, django_assert_max_num_queries: Any, added: int
) -> None:
    """Up to 60 engagements the page lists them all, past that their days: either way a fixed
    number of queries, with participants and readout notices read once for the whole page."""
    trip = import_long_trip(added)
    publish(draft(trip, title="A readout", engagement="mx-meeting"))
    with django_assert_max_num_queries(12):
        assert client.get("/trips/test-trip/").status_code == 200


@pytest.mark.parametrize("added", [24, 240])
def test_a_day_page_reads_the_same_number_of_times_however_long_the_trip(
    client: Client, db: None, django_assert_max_num_queries: Any, added: int
) -> None:
    import_long_trip(added)
    with django_assert_max_num_queries(10):
        assert client.get("/trips/test-trip/itinerary/2021-03-01/").status_code == 200


# --- country and city names in the page's language ------------------------------------------------


def far_trip_document() -> dict[str, Any]:
    """A made-up trip to Nepal and the Chatham Islands (UTC+12:45), with names in other scripts."""
    document = trip_document()
    document["trip"]["title"] = "नेपाल र चाथम यात्रा"
    document["people"][1]["name"] = "山田 太郎"
    document["destinations"] = [
        {
            "country": "NP",
            "timezone": "Asia/Kathmandu",
            "engagements": [
                {
                    "id": "np-meeting",
                    "kind": "bilateral_meeting",
                    "title": "परराष्ट्र मन्त्रीसँग भेटवार्ता",
                    "starts": "2021-02-26T10:15",
                    "ends": "2021-02-26T11:00",
                    "coverage": "open_press",
                    "public": True,
                    "participants": [
                        {"person": "minister", "role": "principal"},
                        {"person": "counterpart", "role": "counterpart"},
                    ],
                }
            ],
        },
        {
            "country": "NZ",
            "timezone": "Pacific/Chatham",
            "engagements": [
                {
                    "id": "nz-visit",
                    "kind": "site_tour",
                    "title": "Visit to the Chatham Islands",
                    "starts": "2021-02-28T09:00",
                    "ends": "2021-02-28T10:00",
                    "location": "Waitangi",
                    "coverage": "pool_spray",
                    "public": True,
                    "participants": [{"person": "minister", "role": "principal"}],
                }
            ],
        },
    ]
    return document


@pytest.fixture
def far_trip(db: None) -> Trip:
    planned = check_import_trip(as_yaml(far_trip_document()), replace=False, acting_user=None)
    return do_import_trip(planned, acting_user=None)


@pytest.mark.parametrize(
    ("prefix", "countries", "first_when"),
    [
        (
            "",
            ["Nepal", "New Zealand"],
            "10:15 a.m. in Kathmandu, 11:30 p.m. Thursday, February 25 in Washington, D.C., "
            "1:30 p.m. in Tokyo",
        ),
        (
            "/es",
            ["Nepal", "Nueva Zelanda"],
            "10:15 en Katmandú, 23:30 del jueves 25 de febrero en Washington, D.C., 13:30 en Tokio",
        ),
        (
            "/fr",
            ["Népal", "Nouvelle-Zélande"],
            "10 h 15 à Katmandou, 23 h 30 le jeudi 25 février à Washington, D.C., 13 h 30 à Tokyo",
        ),
    ],
)
def test_country_and_city_names_speak_the_pages_language(
    client: Client, far_trip: Trip, prefix: str, countries: list[str], first_when: str
) -> None:
    """Countries and the cities zones are named after are translated; what the planner wrote (the
    title, a location, a name in another script) is shown as written."""
    document = publish(draft(far_trip, title="Nepal fact sheet", kind="fact_sheet", destination="NP"))
    html = client.get(f"{prefix}/trips/test-trip/", {"tz": "Asia/Tokyo"}).content.decode()
    assert texts(html, tag="h1") == ["नेपाल र चाथम यात्रा"]
    assert texts(html, tag="h3") == [countries[0], *countries]  # the documents' group, then the legs
    assert texts(html, css_class="when")[0].startswith(first_when)
    assert "Waitangi" in texts(html, css_class="when")[1]
    assert "山田 太郎" in texts(html, css_class="name")
    breadcrumbs = client.get(f"{prefix}/trips/test-trip/documents/{document.pk}/").content.decode()
    assert f">{countries[0]}</a>" in breadcrumbs
