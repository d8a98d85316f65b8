"""The admin holds planners to the same rules as the import."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from tests.html import texts
from virtualtrip.trips.models import Engagement, Person, Trip

pytestmark = pytest.mark.django_db


def engagement_form(trip: Trip, **changes: str) -> dict[str, str]:
    person = Person.objects.get(trip=trip, key="minister")
    data = {
        "trip": str(trip.pk),
        "destination": str(trip.destinations.get(country="MX").pk),
        "key": "mx-lunch",
        "kind": "bilateral_meeting",
        "title": "Working lunch",
        "starts_local": "2021-02-26 13:00",
        "ends_local": "2021-02-26 13:45",
        "timezone": "America/Mexico_City",
        "location": "Mexico City",
        "coverage": "closed_press",
        "position": "5",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "0",
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
        "participants-0-person": str(person.pk),
        "participants-0-role": "principal",
        "participants-0-position": "0",
    }
    return data | changes


def errors(response: Any) -> list[str]:
    return texts(response.content.decode(), css_class="errorlist")


def test_staff_log_in_and_see_the_admin(client: Client, django_user_model: Any) -> None:
    django_user_model.objects.create_user(
        "planner", password="a-long-test-password", is_staff=True, is_superuser=True
    )
    response = client.post("/accounts/login/", {"username": "planner", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.get("/admin/trips/engagement/").status_code == 200


def test_admin_saves_local_wall_time_as_utc(admin_client_: Client, trip: Trip) -> None:
    response = admin_client_.post("/admin/trips/engagement/add/", engagement_form(trip))
    assert response.status_code == 302, errors(response)
    saved = Engagement.objects.get(key="mx-lunch")
    assert (saved.starts_at, saved.ends_at) == (
        datetime(2021, 2, 26, 19, 0, tzinfo=UTC),
        datetime(2021, 2, 26, 19, 45, tzinfo=UTC),
    )


def test_admin_marks_an_engagement_for_recording(admin_client_: Client, trip: Trip) -> None:
    response = admin_client_.post("/admin/trips/engagement/add/", engagement_form(trip, record="on"))
    assert response.status_code == 302, errors(response)
    assert Engagement.objects.get(key="mx-lunch").record is True


def test_admin_shows_stored_times_as_local_wall_times(admin_client_: Client, trip: Trip) -> None:
    engagement = Engagement.objects.get(key="mx-meeting")
    html = admin_client_.get(f"/admin/trips/engagement/{engagement.pk}/change/").content.decode()
    assert 'value="2021-02-26 10:15:00"' in html


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {
                "timezone": "America/New_York",
                "starts_local": "2021-03-14 02:30",
                "ends_local": "2021-03-14 03:30",
            },
            [
                "2021-03-14 02:30 does not exist in America/New_York: "
                "the clocks skip it for daylight saving time"
            ],
        ),
        ({"ends_local": "2021-02-26 12:00"}, ["ends must be after starts"]),
        (
            {"ends_local": "9999-12-31 22:00"},
            ["9999-12-31 is outside the years a trip may take (1900–2199)"],
        ),
        (
            {"timezone": "Mexico/City"},
            [
                "unknown time zone 'Mexico/City': use an IANA name such as America/Mexico_City "
                "(did you mean 'America/Mexico_City'?)"
            ],
        ),
        (
            {"starts_local": "2021-02-26 10:30", "ends_local": "2021-02-26 10:50"},
            [
                "Ana Minister is in two engagements at once: "
                "'mx-meeting' (Meeting with the Foreign Secretary) and 'mx-lunch' overlap"
            ],
        ),
    ],
)
def test_admin_refuses_what_the_import_refuses(
    admin_client_: Client, trip: Trip, changes: dict[str, str], expected: list[str]
) -> None:
    response = admin_client_.post("/admin/trips/engagement/add/", engagement_form(trip, **changes))
    assert response.status_code == 200
    assert errors(response) == expected
    assert not Engagement.objects.filter(key="mx-lunch").exists()


def test_admin_refuses_unknown_country_on_a_person(admin_client_: Client, trip: Trip) -> None:
    person = Person.objects.get(key="counterpart")
    response = admin_client_.post(
        f"/admin/trips/person/{person.pk}/change/",
        {
            "trip": str(trip.pk),
            "key": "counterpart",
            "name": "Carlos",
            "country": "XX",
            "languages": '["es"]',
            "position": "1",
        },
    )
    assert errors(response) == ["unknown country 'XX': use an ISO 3166-1 alpha-2 code such as MX"]
