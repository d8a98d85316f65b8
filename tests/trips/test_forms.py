"""The admin's forms refuse the characters and lengths the trip file refuses."""

from typing import Any

import pytest
from django.test import Client

from tests.html import texts
from virtualtrip.trips.models import Destination, Engagement, Person, Trip

pytestmark = pytest.mark.django_db


def trip_form(trip: Trip, **changes: str) -> tuple[str, dict[str, str]]:
    data = {
        "slug": trip.slug,
        "title": trip.title,
        "summary": trip.summary,
        "principal": str(trip.principal_id),
        "home_city": trip.home_city,
        "home_timezone": trip.home_timezone,
        "destinations-TOTAL_FORMS": "0",
        "destinations-INITIAL_FORMS": "0",
        "destinations-MIN_NUM_FORMS": "0",
        "destinations-MAX_NUM_FORMS": "1000",
    }
    return f"/admin/trips/trip/{trip.pk}/change/", data | changes


def person_form(trip: Trip, **changes: str) -> tuple[str, dict[str, str]]:
    person = Person.objects.get(trip=trip, key="counterpart")
    data = {
        "trip": str(trip.pk),
        "key": person.key,
        "name": person.name,
        "title": person.title,
        "country": person.country,
        "label": person.label,
        "languages": '["es"]',
        "outlet": person.outlet,
        "position": str(person.position),
    }
    return f"/admin/trips/person/{person.pk}/change/", data | changes


def destination_form(trip: Trip, **changes: str) -> tuple[str, dict[str, str]]:
    destination = Destination.objects.get(trip=trip, country="MX")
    data = {
        "trip": str(trip.pk),
        "position": str(destination.position),
        "country": destination.country,
        "timezone": destination.timezone,
        "mission": destination.mission,
        "languages": '["es"]',
    }
    return f"/admin/trips/destination/{destination.pk}/change/", data | changes


def engagement_form(trip: Trip, **changes: str) -> tuple[str, dict[str, str]]:
    engagement = Engagement.objects.get(key="mx-private")
    data = {
        "trip": str(trip.pk),
        "destination": str(engagement.destination_id),
        "key": engagement.key,
        "kind": engagement.kind,
        "title": engagement.title,
        "starts_local": "2021-02-26 12:00",
        "ends_local": "2021-02-26 12:30",
        "timezone": engagement.timezone,
        "location": engagement.location,
        "coverage": engagement.coverage,
        "ground_rules": engagement.ground_rules,
        "attribution": engagement.attribution,
        "queue_policy": engagement.queue_policy,
        "queue_priority": "[]",
        "position": str(engagement.position),
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
    }
    return f"/admin/trips/engagement/{engagement.pk}/change/", data | changes


FORMS = {
    "trip": trip_form,
    "person": person_form,
    "destination": destination_form,
    "engagement": engagement_form,
}


def errors(response: Any) -> list[str]:
    return texts(response.content.decode(), css_class="errorlist")


@pytest.mark.parametrize(
    ("form", "field", "text", "described"),
    [
        ("trip", "title", "Test\x00trip", "the NUL character (U+0000)"),
        ("trip", "summary", "A\x07summary", "a control character (U+0007)"),
        ("trip", "home_city", "Washington\x1b", "the ESC character (U+001B)"),
        ("person", "name", "Carlos\x00", "the NUL character (U+0000)"),
        ("person", "outlet", "Diario\x7f", "the DEL character (U+007F)"),
        ("destination", "mission", "Mis\x85sion", "a control character (U+0085)"),
        ("engagement", "title", "Private\x08talk", "a control character (U+0008)"),
        ("engagement", "location", "Mexico\u2028City", "the LINE SEPARATOR character (U+2028)"),
    ],
)
def test_admin_refuses_control_characters_with_the_trip_files_message(
    admin_client_: Client, trip: Trip, form: str, field: str, text: str, described: str
) -> None:
    url, data = FORMS[form](trip, **{field: text})
    response = admin_client_.post(url, data)
    assert (response.status_code, errors(response)) == (
        200,
        [f"contains {described}, which cannot be stored: remove it"],
    )


@pytest.mark.parametrize("form", list(FORMS))
def test_admin_saves_text_with_tabs_and_line_breaks(admin_client_: Client, trip: Trip, form: str) -> None:
    field = {"trip": "summary", "person": "title", "destination": "mission", "engagement": "location"}[form]
    url, data = FORMS[form](trip, **{field: "one\ttwo"})
    response = admin_client_.post(url, data)
    assert response.status_code == 302, errors(response)


def test_admin_refuses_a_summary_over_the_trip_files_limit(admin_client_: Client, trip: Trip) -> None:
    url, data = trip_form(trip, summary="x" * 4001)
    response = admin_client_.post(url, data)
    assert errors(response) == ["Ensure this value has at most 4000 characters (it has 4001)."]
    url, data = trip_form(trip, summary="x" * 4000 + "\r\n")
    assert admin_client_.post(url, data).status_code == 302
    trip.refresh_from_db()
    assert trip.summary == "x" * 4000
