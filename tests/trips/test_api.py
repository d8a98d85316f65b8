"""The read-only JSON API: what the public and staff see, and the OpenAPI document."""

import pytest
from django.test import Client

from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db


def test_trip_list_and_detail(client: Client, trip: Trip) -> None:
    expected = {
        "slug": "test-trip",
        "title": "Test trip",
        "summary": "A short trip for tests.",
        "principal": "minister",
        "home": {"city": "Washington, D.C.", "timezone": "America/New_York"},
    }
    assert client.get("/api/trips").json() == [expected]
    assert client.get("/api/trips/test-trip").json() == expected


def test_engagements_for_the_public_leave_out_private_ones(client: Client, trip: Trip) -> None:
    assert client.get("/api/trips/test-trip/engagements").json() == [
        {
            "id": "mx-meeting",
            "trip": "test-trip",
            "country": "MX",
            "kind": "bilateral_meeting",
            "title": "Meeting with the Foreign Secretary",
            "starts": "2021-02-26T16:15:00Z",
            "ends": "2021-02-26T17:00:00Z",
            "timezone": "America/Mexico_City",
            "location": "Mexico City",
            "coverage": "closed_press",
            "public": True,
            "participants": [
                {"person": "minister", "role": "principal"},
                {"person": "counterpart", "role": "counterpart"},
            ],
        },
        {
            "id": "us-press",
            "trip": "test-trip",
            "country": "US",
            "kind": "press_availability",
            "title": "Press availability",
            "starts": "2021-02-26T21:00:00Z",
            "ends": "2021-02-26T21:30:00Z",
            "timezone": "America/New_York",
            "location": "Washington, D.C.",
            "coverage": "open_press",
            "public": True,
            "participants": [
                {"person": "minister", "role": "principal"},
                {"person": "reporter", "role": "press"},
            ],
        },
    ]
    assert client.get("/api/trips/test-trip/engagements/mx-private").status_code == 404


def test_staff_see_private_engagements(staff_client: Client, trip: Trip) -> None:
    keys = [e["id"] for e in staff_client.get("/api/trips/test-trip/engagements").json()]
    assert keys == ["mx-meeting", "mx-private", "us-press"]
    assert staff_client.get("/api/trips/test-trip/engagements/mx-private").json()["public"] is False


def test_destination_with_only_private_engagements_stays_private(client: Client, trip: Trip) -> None:
    from virtualtrip.trips.models import Engagement

    Engagement.objects.filter(key="mx-meeting").update(public=False)
    assert [d["country"] for d in client.get("/api/trips/test-trip/destinations").json()] == ["US"]


def test_people_for_the_public_are_those_in_public_engagements(client: Client, trip: Trip) -> None:
    from virtualtrip.trips.models import Engagement

    Engagement.objects.filter(key="us-press").update(public=False)
    assert [p["id"] for p in client.get("/api/trips/test-trip/people").json()] == ["minister", "counterpart"]


def test_unknown_trip_is_404(client: Client, db: None) -> None:
    assert client.get("/api/trips/nowhere/engagements").status_code == 404


def test_openapi_document_describes_every_endpoint(client: Client, db: None) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "Virtual Trip API"
    assert sorted(document["paths"]) == [
        "/api/trips",
        "/api/trips/{slug}",
        "/api/trips/{slug}/destinations",
        "/api/trips/{slug}/documents",
        "/api/trips/{slug}/documents/{pk}",
        "/api/trips/{slug}/engagements",
        "/api/trips/{slug}/engagements/{key}",
        "/api/trips/{slug}/people",
    ]
