"""The itinerary's pages in Spanish and French: under /es/ and /fr/, with labels, dates and times as
each language writes them. English, unprefixed, stays as the other tests read it. Needs the compiled
catalogs (`make install` compiles them)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from tests.factories.trips import DestinationFactory, EngagementFactory
from tests.html import texts
from virtualtrip.trips.display import duration_text, times_sentence
from virtualtrip.trips.models import Trip
from virtualtrip.trips.places import country_name, zone_city
from virtualtrip.trips.times import clock

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
SCHEDULE = "/trips/test-trip/schedule/2021-02-26/"

SCHEDULE_PAGE = {
    "es": {
        "title": "Agenda pública, 26 de febrero de 2021 — Test trip",
        "heading": "Agenda pública",
        "day": "VIERNES 26 DE FEBRERO DE 2021",
        "zone": "Todas las horas corresponden a la hora de Washington, D.C. (America/New_York).",
        "times": ["11:15", "16:00"],
        "coverage": ["(CERRADO A LA PRENSA)", "(ABIERTO A LA PRENSA)"],
        "picker": "Mostrar las horas de la zona",
        "button": "Mostrar",
    },
    "fr": {
        "title": "Agenda public, 26 février 2021 — Test trip",
        "heading": "Agenda public",
        "day": "VENDREDI 26 FÉVRIER 2021",
        "zone": "Toutes les heures sont données à l'heure de Washington, D.C. (America/New_York).",
        "times": [f"11{NBSP}h{NBSP}15", f"16{NBSP}h{NBSP}00"],
        "coverage": ["(FERMÉ À LA PRESSE)", "(OUVERT À LA PRESSE)"],
        "picker": "Afficher les heures du fuseau",
        "button": "Afficher",
    },
}


def collapsed(text: str) -> str:
    """How `texts` reads a text: no-break spaces and runs of spaces become one space."""
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["es", "fr"])
def test_public_schedule_page_speaks_the_language_of_its_prefix(
    client: Client, trip: Trip, language: str
) -> None:
    page = client.get(f"/{language}{SCHEDULE}")
    assert page.status_code == 200
    html = page.content.decode()
    words = SCHEDULE_PAGE[language]
    assert f'<html lang="{language}">' in html
    assert texts(html, tag="title") == [words["title"]]
    assert texts(html, tag="h1") == [words["heading"]]
    assert texts(html, css_class="day") == [words["day"]]
    assert words["zone"] in texts(html, css_class="muted")
    assert texts(html, tag="dt") == [collapsed(time) for time in words["times"]]
    for time in words["times"]:
        assert f">{time}</time>" in html  # French keeps its no-break spaces: "11 h 15" never splits
    assert texts(html, css_class="coverage") == words["coverage"]
    assert words["picker"] in texts(html, tag="label")
    assert texts(html, tag="button")[-1] == words["button"]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_public_schedule_page_names_its_versions_in_every_language(
    client: Client, trip: Trip, language: str
) -> None:
    html = client.get(f"/{language}{SCHEDULE}").content.decode()
    for code, prefix in [("en", ""), ("es", "/es"), ("fr", "/fr")]:
        assert f'<link rel="alternate" hreflang="{code}" href="{prefix}{SCHEDULE}">' in html


@pytest.mark.parametrize(("language", "times"), [("es", ["1:15", "6:00"]), ("fr", ["1 h 15", "6 h 00"])])
def test_public_schedule_in_another_zone_reads_its_times_in_the_language(
    client: Client, trip: Trip, language: str, times: list[str]
) -> None:
    html = client.get(
        f"/{language}/trips/test-trip/schedule/2021-02-27/", {"tz": "Asia/Tokyo"}
    ).content.decode()
    assert texts(html, tag="dt") == times
    assert "(Asia/Tokyo)" in texts(html, css_class="muted")[0]


@pytest.mark.parametrize(("language", "heading"), [("es", "Viajes"), ("fr", "Voyages")])
def test_trip_list_speaks_the_language_of_its_prefix(
    client: Client, trip: Trip, language: str, heading: str
) -> None:
    html = client.get(f"/{language}/").content.decode()
    assert f'<html lang="{language}">' in html
    assert texts(html, tag="h1") == [heading]


def test_empty_trip_list_says_so_in_french(client: Client, db: None) -> None:
    html = client.get("/fr/").content.decode()
    assert "Aucun voyage pour l'instant." in html
    assert "<code>virtualtrip import-trip CHEMIN</code>" in html


def test_english_public_schedule_is_unchanged(client: Client, trip: Trip) -> None:
    html = client.get(SCHEDULE).content.decode()
    assert '<html lang="en">' in html
    assert texts(html, tag="title") == ["Public schedule, February 26, 2021 — Test trip"]
    assert texts(html, tag="h1") == ["Public Schedule"]
    assert texts(html, css_class="day") == ["FRIDAY, FEBRUARY 26, 2021"]
    assert "All times are Washington, D.C. time (America/New_York)." in texts(html, css_class="muted")
    assert "Show times in" in texts(html, tag="label")


@pytest.fixture
def across_the_date_line() -> tuple[object, Trip]:
    destination = DestinationFactory.create(country="NZ", timezone="Pacific/Auckland")
    engagement = EngagementFactory.create(
        destination=destination,
        location="Wellington",
        starts_at=datetime(2021, 2, 26, 20, 0, tzinfo=UTC),
        ends_at=datetime(2021, 2, 26, 21, 30, tzinfo=UTC),
    )
    return engagement, destination.trip


@pytest.mark.parametrize(
    ("language", "sentence", "duration"),
    [
        (
            "es",
            "9:00 en Wellington, 15:00 del viernes 26 de febrero en Washington, D.C., "
            "10:00 del viernes 26 de febrero en Honolulú",
            "1 h 30 min",
        ),
        (
            "fr",
            f"9{NBSP}h{NBSP}00 à Wellington, 15{NBSP}h{NBSP}00 le vendredi 26 février à Washington, D.C., "
            f"10{NBSP}h{NBSP}00 le vendredi 26 février à Honolulu",
            f"1{NBSP}h{NBSP}30",
        ),
    ],
)
def test_readings_across_the_date_line_in_the_language(
    across_the_date_line, language: str, sentence: str, duration: str
) -> None:
    engagement, trip = across_the_date_line
    with translation.override(language):
        assert times_sentence(engagement, trip, ZoneInfo("Pacific/Honolulu")) == sentence
        assert duration_text(engagement) == duration


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["12:00 a.m.", "9:05 a.m.", "12:00 p.m.", "12:30 p.m.", "11:59 p.m."]),
        ("es", ["0:00", "9:05", "12:00", "12:30", "23:59"]),
        ("fr", ["0 h 00", "9 h 05", "12 h 00", "12 h 30", "23 h 59"]),
    ],
)
def test_clock_in_each_language(language: str, expected: list[str]) -> None:
    times = [
        datetime(2021, 2, 26, h, m, tzinfo=UTC) for h, m in [(0, 0), (9, 5), (12, 0), (12, 30), (23, 59)]
    ]
    with translation.override(language):
        assert [collapsed(clock(t)) for t in times] == expected


@pytest.mark.parametrize(
    ("language", "places", "zone"),
    [
        (
            "es",
            ["Mexico City, México", "Washington, D.C., Estados Unidos"],
            "Todas las horas corresponden a la hora de Katmandú (Asia/Kathmandu).",
        ),
        (
            "fr",
            ["Mexico City, Mexique", "Washington, D.C., États-Unis"],
            "Toutes les heures sont données à l'heure de Katmandou (Asia/Kathmandu).",
        ),
    ],
)
def test_public_schedule_names_countries_and_zone_cities_in_the_language(
    client: Client, trip: Trip, language: str, places: list[str], zone: str
) -> None:
    """The country after each place, and the city a picked zone is named after, are translated; the
    locations the planner wrote are not."""
    lines = texts(client.get(f"/{language}{SCHEDULE}").content.decode(), tag="dd")
    assert [place in line for place, line in zip(places, lines, strict=True)] == [True, True]
    in_kathmandu = client.get(f"/{language}{SCHEDULE}", {"tz": "Asia/Kathmandu"}).content.decode()
    assert zone in texts(in_kathmandu, css_class="muted")


@pytest.mark.parametrize(("language", "city"), [("en", "Kathmandu"), ("es", "Katmandú"), ("fr", "Katmandou")])
def test_zone_city_follows_the_active_language(language: str, city: str) -> None:
    with translation.override(language):
        assert zone_city("Asia/Kathmandu") == city
        assert zone_city("Pacific/Chatham") == "Chatham"
        assert zone_city("America/Argentina/Buenos_Aires") == "Buenos Aires"


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Nepal", "New Zealand", "Bolivia", "ZZ"]),
        ("es", ["Nepal", "Nueva Zelanda", "Bolivia", "ZZ"]),
        ("fr", ["Népal", "Nouvelle-Zélande", "Bolivie", "ZZ"]),
    ],
)
def test_country_name_follows_the_active_language(language: str, names: list[str]) -> None:
    with translation.override(language):
        assert [country_name(code) for code in ["NP", "NZ", "BO", "ZZ"]] == names
