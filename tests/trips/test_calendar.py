"""The iCalendar feed: made with icalendar, read back with icalendar."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from icalendar import Calendar

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db


def events(client: Client) -> list[dict[str, object]]:
    response = client.get("/trips/test-trip/schedule.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return [
        {
            "uid": str(e["UID"]),
            "summary": str(e["SUMMARY"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "location": str(e["LOCATION"]),
            "description": str(e["DESCRIPTION"]),
        }
        for e in calendar.walk("VEVENT")
    ]


def test_calendar_round_trips_with_correct_instants(client: Client, trip: Trip) -> None:
    assert events(client) == [
        {
            "uid": "mx-meeting.test-trip@virtualtrip",
            "summary": "Meeting with the Foreign Secretary",
            "start": datetime(2021, 2, 26, 16, 15, tzinfo=UTC),
            "end": datetime(2021, 2, 26, 17, 0, tzinfo=UTC),
            "location": "Mexico City, Mexico",
            "description": "Bilateral meeting. (CLOSED PRESS COVERAGE)\n"
            "10:15 a.m. in Mexico City, 11:15 a.m. in Washington, D.C.",
        },
        {
            "uid": "us-press.test-trip@virtualtrip",
            "summary": "Press availability",
            "start": datetime(2021, 2, 26, 21, 0, tzinfo=UTC),
            "end": datetime(2021, 2, 26, 21, 30, tzinfo=UTC),
            "location": "Washington, D.C., United States",
            "description": "Press availability. (OPEN PRESS COVERAGE)\n4:00 p.m. in Washington, D.C.",
        },
    ]


def test_private_engagements_are_not_in_the_calendar_even_for_staff(staff_client: Client, trip: Trip) -> None:
    assert [e["uid"] for e in events(staff_client)] == [
        "mx-meeting.test-trip@virtualtrip",
        "us-press.test-trip@virtualtrip",
    ]


def test_uids_stay_the_same_when_the_trip_is_replaced(client: Client, trip: Trip) -> None:
    before = [e["uid"] for e in events(client)]
    document = trip_document()
    document["destinations"][0]["engagements"][0]["starts"] = "2021-02-26T10:00"
    do_import_trip(check_import_trip(as_yaml(document), replace=True, acting_user=None), acting_user=None)
    after = events(client)
    assert [e["uid"] for e in after] == before
    assert after[0]["start"] == datetime(2021, 2, 26, 16, 0, tzinfo=UTC)
