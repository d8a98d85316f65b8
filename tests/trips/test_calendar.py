"""The iCalendar feed: made with icalendar, read back with icalendar."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from icalendar import Calendar

from tests.conftest import as_yaml, trip_document
from tests.trips.long_trip import import_long_trip
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.calendar import trip_calendar
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


ICS = "/trips/test-trip/schedule.ics"


def test_calendar_answers_a_reader_that_has_it_with_304(client: Client, trip: Trip) -> None:
    first = client.get(ICS)
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]
    again = client.get(ICS, headers={"If-None-Match": first["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    since = client.get(ICS, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


def test_calendar_is_rendered_once_per_version_of_the_trip(
    client: Client, trip: Trip, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []

    def counted(*args: Any) -> bytes:
        renders.append(args[0].slug)
        return trip_calendar(*args)

    monkeypatch.setattr("virtualtrip.trips.views.trip_calendar", counted)
    first = client.get(ICS)
    assert client.get(ICS).content == first.content
    assert renders == ["test-trip"]
    document = trip_document()
    document["destinations"][0]["engagements"][0]["title"] = "Meeting with the Secretary"
    do_import_trip(check_import_trip(as_yaml(document), replace=True, acting_user=None), acting_user=None)
    changed = client.get(ICS, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"SUMMARY:Meeting with the Secretary" in changed.content
    assert renders == ["test-trip", "test-trip"]


@pytest.mark.parametrize(
    "change",
    [
        lambda trip: trip.engagements.filter(key="us-press").delete(),
        lambda trip: trip.destinations.filter(country="MX").update(country="GT"),
        lambda trip: Trip.objects.filter(pk=trip.pk).update(
            title="Renamed", updated_at=trip.updated_at + timedelta(seconds=1)
        ),
    ],
    ids=["engagement deleted", "destination's country changed", "trip saved"],
)
def test_calendar_changes_with_what_it_is_made_of(client: Client, trip: Trip, change: Any) -> None:
    first = client.get(ICS)
    change(trip)
    second = client.get(ICS, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second.content != first.content


def test_calendar_in_each_language_is_its_own(client: Client, trip: Trip) -> None:
    english, spanish = client.get(ICS), client.get(f"/es{ICS}")
    assert english["ETag"] != spanish["ETag"]
    assert "LOCATION:Mexico City\\, México" in spanish.content.decode()
    assert "LOCATION:Mexico City\\, Mexico" in english.content.decode()


def test_calendar_of_no_trip_is_404(client: Client, db: None) -> None:
    assert client.get("/trips/nowhere/schedule.ics").status_code == 404


@pytest.mark.parametrize("added", [0, 240])
def test_calendar_reads_the_same_number_of_times_however_long_the_trip(
    client: Client, db: None, django_assert_max_num_queries: Any, added: int
) -> None:
    import_long_trip(added)
    cache.clear()
    with django_assert_max_num_queries(5):
        assert client.get(ICS).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(ICS).status_code == 200
