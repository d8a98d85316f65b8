"""The public pages: itinerary, public schedule and calendar feed; private engagements nowhere."""

import re
from typing import Any

import pytest
from django.test import Client

from tests.html import texts
from tests.trips.long_trip import import_long_trip
from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db


def test_trip_page_shows_times_at_the_destination_and_at_home(client: Client, trip: Trip) -> None:
    html = client.get("/trips/test-trip/").content.decode()
    assert texts(html, css_class="when") == [
        "10:15 a.m. in Mexico City, 11:15 a.m. in Washington, D.C. · 45 min",
        "4:00 p.m. in Washington, D.C. · 30 min",
    ]
    assert texts(html, tag="h3") == ["Mexico", "United States"]


def test_trip_page_hides_private_engagements_from_the_public(client: Client, trip: Trip) -> None:
    html = client.get("/trips/test-trip/").content.decode()
    assert "Private talk" not in html
    assert "mx-private" not in html


def test_trip_page_shows_private_engagements_to_staff_marked(staff_client: Client, trip: Trip) -> None:
    html = staff_client.get("/trips/test-trip/").content.decode()
    assert texts(html, tag="h4") == [
        "Meeting with the Foreign Secretary",
        "Private talk with the counterpart",
        "Press availability",
    ]
    assert 'class="engagement private" id="mx-private"' in html


def test_viewer_picks_a_zone(client: Client, trip: Trip) -> None:
    html = client.get("/trips/test-trip/", {"tz": "Asia/Tokyo"}).content.decode()
    assert texts(html, css_class="when") == [
        "10:15 a.m. in Mexico City, 11:15 a.m. in Washington, D.C., 1:15 a.m. Saturday, February 27 in Tokyo "
        "· 45 min",
        "4:00 p.m. in Washington, D.C., 6:00 a.m. Saturday, February 27 in Tokyo · 30 min",
    ]


def test_unknown_zone_is_named_and_the_page_still_reads(client: Client, trip: Trip) -> None:
    response = client.get("/trips/test-trip/", {"tz": "Europe/Pariss"})
    html = response.content.decode()
    assert response.status_code == 400
    assert texts(html, css_class="error") == [
        "Unknown time zone 'Europe/Pariss': use an IANA name such as America/Mexico_City "
        "(did you mean 'Europe/Paris'?)"
    ]
    assert len(texts(html, css_class="when")) == 2


def test_unknown_trip_is_404(client: Client, db: None) -> None:
    assert client.get("/trips/nowhere/").status_code == 404


def test_public_schedule_page_lists_the_principals_public_day(client: Client, trip: Trip) -> None:
    html = client.get("/trips/test-trip/schedule/2021-02-26/").content.decode()
    assert texts(html, tag="dt") == ["11:15 a.m.", "4:00 p.m."]
    assert texts(html, css_class="coverage") == ["(CLOSED PRESS COVERAGE)", "(OPEN PRESS COVERAGE)"]
    assert "FRIDAY, FEBRUARY 26, 2021" in html
    assert "Private talk" not in html


def test_public_schedule_is_public_even_for_staff(staff_client: Client, trip: Trip) -> None:
    html = staff_client.get("/trips/test-trip/schedule/2021-02-26/").content.decode()
    assert "Private talk" not in html


def test_public_schedule_in_another_zone_moves_the_day(client: Client, trip: Trip) -> None:
    html = client.get("/trips/test-trip/schedule/2021-02-27/", {"tz": "Asia/Tokyo"}).content.decode()
    assert texts(html, tag="dt") == ["1:15 a.m.", "6:00 a.m."]


def test_schedule_date_that_is_not_a_date_is_404(client: Client, trip: Trip) -> None:
    assert client.get("/trips/test-trip/schedule/2021-02-30/").status_code == 404


def test_pages_name_an_icon_that_is_served(client: Client) -> None:
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon is not None
    served = client.get(icon.group(1))
    assert served.status_code == 200
    assert b"<svg" in served.getvalue()


def zone_options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]+)" label="([^"]*)">', html)


def test_zone_picker_suggests_the_trips_zones_first_and_a_few_of_the_worlds(
    client: Client, trip: Trip
) -> None:
    options = zone_options(client.get("/trips/test-trip/").content.decode())
    assert options[:2] == [("America/New_York", "New York"), ("America/Mexico_City", "Mexico City")]
    assert ("Asia/Tokyo", "Tokyo") in options
    assert len(options) < 40


def test_zone_picker_names_cities_in_the_pages_language(client: Client, trip: Trip) -> None:
    options = dict(zone_options(client.get("/es/trips/test-trip/schedule/2021-02-26/").content.decode()))
    assert [options[zone] for zone in ["America/New_York", "America/Mexico_City", "Asia/Tokyo"]] == [
        "Nueva York",
        "Ciudad de México",
        "Tokio",
    ]


def test_a_zone_the_picker_does_not_suggest_can_still_be_picked(client: Client, trip: Trip) -> None:
    html = client.get("/trips/test-trip/", {"tz": "Pacific/Chatham"}).content.decode()
    assert "Pacific/Chatham" not in dict(zone_options(html))
    assert (
        texts(html, css_class="when")[1]
        == "4:00 p.m. in Washington, D.C., 10:45 a.m. Saturday, February 27 in Chatham · 30 min"
    )


@pytest.mark.parametrize("added", [0, 240])
def test_schedule_page_reads_the_same_number_of_times_however_long_the_trip(
    client: Client, db: None, django_assert_max_num_queries: Any, added: int
) -> None:
    import_long_trip(added)
    with django_assert_max_num_queries(4):
        page = client.get("/trips/test-trip/schedule/2021-02-26/")
    assert texts(page.content.decode(), tag="dt") == ["11:15 a.m.", "4:00 p.m."]
