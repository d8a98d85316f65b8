"""Input at the edges: days and times far from any trip (years 1 and 9999) get a message or a 404,
never an overflow; zones that name no place and titles of spaces only are refused."""

import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.times import get_zone, parse_moment, resolve_wall_time
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.problems import TripFileError


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("2021-02-26T10:15", "9999-12-31T23:59"),
        ("0001-01-01T00:00+05:00", "2021-02-26T11:00"),
        ("0001-01-01T00:00", "0001-01-01T01:00"),
        ("9999-12-31T20:00Z", "9999-12-31T23:59Z"),
    ],
)
def test_a_trip_file_time_outside_the_years_a_trip_may_take_is_a_problem_on_its_line(starts, ends) -> None:
    document = trip_document()
    meeting = document["destinations"][0]["engagements"][0]
    meeting["starts"], meeting["ends"] = starts, ends
    with pytest.raises(TripFileError) as refused:
        check_trip_file(as_yaml(document))
    messages = [problem.message for problem in refused.value.problems]
    assert any("is outside the years a trip may take (1900–2199)" in message for message in messages), (
        messages
    )
    assert all(problem.line > 1 for problem in refused.value.problems)


def test_wall_times_and_moments_at_the_calendars_ends_are_refused_not_overflowed() -> None:
    kathmandu = get_zone("Asia/Kathmandu")
    for wall in [datetime(9999, 12, 31, 23, 59), datetime(1, 1, 1, 0, 0)]:
        with pytest.raises(ValueError, match="outside the years"):
            resolve_wall_time(wall, kathmandu)
    with pytest.raises(ValueError, match="outside the years"):
        parse_moment("9999-12-31T23:59+14:00", kathmandu)


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/es", "/fr"])
@pytest.mark.parametrize("page", ["schedule", "itinerary"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_a_day_page_far_from_any_trip_is_not_found(prefix: str, page: str, day: str) -> None:
    planned = check_import_trip(as_yaml(trip_document()), replace=False, acting_user=None)
    do_import_trip(planned, acting_user=None)
    assert Client().get(f"{prefix}/trips/test-trip/{page}/{day}/?tz=Pacific/Kiritimati").status_code == 404


@pytest.mark.django_db
def test_the_schedule_command_refuses_a_day_far_from_any_trip() -> None:
    planned = check_import_trip(as_yaml(trip_document()), replace=False, acting_user=None)
    do_import_trip(planned, acting_user=None)
    with pytest.raises(CommandError, match="--date: 9999-12-31 is outside the years a trip may take"):
        call_command("schedule", "test-trip", date="9999-12-31", stdout=io.StringIO())


@pytest.mark.parametrize("zone", ["localtime", "Factory"])
def test_a_zone_file_that_names_no_place_is_refused(zone: str) -> None:
    document = trip_document()
    document["destinations"][0]["timezone"] = zone
    with pytest.raises(TripFileError) as refused:
        check_trip_file(as_yaml(document))
    assert any(f"unknown time zone '{zone}'" in problem.message for problem in refused.value.problems)


def test_a_title_of_spaces_only_is_empty() -> None:
    document = trip_document()
    document["destinations"][0]["engagements"][0]["title"] = "   "
    with pytest.raises(TripFileError) as refused:
        check_trip_file(as_yaml(document))
    assert [problem.message for problem in refused.value.problems] == ["title is empty"]
