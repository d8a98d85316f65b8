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
        "ground_rules": "on_record",
        "queue_policy": "first_come",
        "queue_priority": "[]",
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


def test_admin_saves_ground_rules_with_an_embargo_in_the_engagements_zone(
    admin_client_: Client, trip: Trip
) -> None:
    form = engagement_form(
        trip,
        timezone="Asia/Kathmandu",
        starts_local="2021-02-27 10:00",
        ends_local="2021-02-27 11:00",
        ground_rules="background",
        attribution="A SENIOR STATE DEPARTMENT OFFICIAL",
        embargo_local="2021-02-27 12:00",
        queue_policy="priority",
        queue_priority='["NP", "Kantipur"]',
    )
    response = admin_client_.post("/admin/trips/engagement/add/", form)
    assert response.status_code == 302, errors(response)
    saved = Engagement.objects.get(key="mx-lunch")
    assert (saved.ground_rules, saved.embargo_until, saved.queue_priority) == (
        "background",
        datetime(2021, 2, 27, 6, 15, tzinfo=UTC),
        ["NP", "Kantipur"],
    )
    page = admin_client_.get(f"/admin/trips/engagement/{saved.pk}/change/").content.decode()
    assert 'value="2021-02-27 12:00:00"' in page


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"ground_rules": "background"},
            "on background an attribution is required: how the press names the speaker, "
            "e.g. A SENIOR STATE DEPARTMENT OFFICIAL",
        ),
        (
            {"attribution": "AN OFFICIAL"},
            "an attribution goes with background only (on the record the speaker is named): "
            "remove it or set the rule to background",
        ),
        (
            {"ground_rules": "off_record", "embargo_local": "2021-02-26 14:00"},
            "off the record nothing may ever be published: no embargo",
        ),
        (
            {"queue_priority": '["MX"]'},
            "a priority list goes with order priority only: remove it or set the order",
        ),
        (
            {"queue_policy": "priority", "queue_priority": '["CBC", "cbc"]'},
            "'cbc' is listed twice in priority (first as entry 1)",
        ),
        (
            {"queue_policy": "priority", "queue_priority": '["mx"]'},
            "country codes are written in capitals: 'MX', not 'mx'",
        ),
    ],
)
def test_admin_holds_ground_rules_and_priority_to_the_trip_files_rules(
    admin_client_: Client, trip: Trip, changes: dict[str, str], expected: str
) -> None:
    response = admin_client_.post("/admin/trips/engagement/add/", engagement_form(trip, **changes))
    assert (response.status_code, errors(response)) == (200, [expected])
    assert not Engagement.objects.filter(key="mx-lunch").exists()


def test_admin_shows_who_was_added_outside_the_trip_file(admin_client_: Client, trip: Trip) -> None:
    from virtualtrip.trips.actions import do_add_press_participant

    engagement = Engagement.objects.get(key="us-press")
    added = do_add_press_participant(engagement, name="李雷", outlet="新华社", country="CN", acting_user=None)
    page = admin_client_.get("/admin/trips/person/?from_trip_file__exact=0").content.decode()
    assert "李雷" in page
    assert "Ana Minister" not in page
    assert admin_client_.get(f"/admin/trips/person/{added.person_id}/change/").status_code == 200
