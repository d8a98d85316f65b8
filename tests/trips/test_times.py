"""Wall times and instants across daylight-saving changes and the date line."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtualtrip.trips.times import (
    WallTimeError,
    clock,
    parse_moment,
    resolve_wall_time,
    wall_time_text,
    zone_city,
)

ZONES = [
    "America/New_York",
    "America/Mexico_City",
    "America/Toronto",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Antarctica/Troll",
]
walls = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31))


@given(wall=walls, zone_name=st.sampled_from(ZONES))
def test_resolved_wall_time_reads_back_as_written(wall: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    try:
        instant = resolve_wall_time(wall, zone)
    except WallTimeError:
        return
    assert instant.tzinfo is not None
    assert instant.astimezone(zone).replace(tzinfo=None) == wall


@given(
    instant=st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2037, 12, 31),
        timezones=st.just(UTC),
    ),
    zone_name=st.sampled_from(ZONES),
)
def test_every_instant_survives_the_trip_file_form(instant: datetime, zone_name: str) -> None:
    """What export writes for an instant imports as that same instant, even in a repeated hour."""
    zone = ZoneInfo(zone_name)
    instant = instant.replace(microsecond=0)
    assert parse_moment(wall_time_text(instant, zone), zone) == instant


def test_samoa_skipped_a_whole_day_crossing_the_date_line() -> None:
    with pytest.raises(WallTimeError, match="does not exist in Pacific/Apia"):
        resolve_wall_time(datetime(2011, 12, 30, 10, 0), ZoneInfo("Pacific/Apia"))
    before = resolve_wall_time(datetime(2011, 12, 29, 23, 0), ZoneInfo("Pacific/Apia"))
    after = resolve_wall_time(datetime(2011, 12, 31, 0, 0), ZoneInfo("Pacific/Apia"))
    assert after - before == timedelta(hours=1)


def test_kiribati_morning_is_the_previous_evening_in_hawaii() -> None:
    instant = resolve_wall_time(datetime(2021, 2, 27, 9, 0), ZoneInfo("Pacific/Kiritimati"))
    assert instant.astimezone(ZoneInfo("Pacific/Honolulu")).isoformat() == "2021-02-26T09:00:00-10:00"


def test_clock_reads_as_a_public_schedule_writes_it() -> None:
    times = [
        datetime(2021, 2, 26, h, m, tzinfo=UTC) for h, m in [(0, 0), (9, 5), (12, 0), (12, 30), (23, 59)]
    ]
    assert [clock(t) for t in times] == ["12:00 a.m.", "9:05 a.m.", "12:00 p.m.", "12:30 p.m.", "11:59 p.m."]


def test_date_without_time_and_time_without_date_are_refused() -> None:
    zone = ZoneInfo("America/New_York")
    with pytest.raises(ValueError, match="has a date but no time"):
        parse_moment("2021-02-26", zone)
    with pytest.raises(ValueError, match="is a time without a date"):
        parse_moment("10:15", zone)
    with pytest.raises(ValueError, match="is not a date and time"):
        parse_moment("next friday", zone)


def test_zone_city_is_readable() -> None:
    assert [zone_city(z) for z in ["America/Mexico_City", "America/Argentina/Buenos_Aires", "UTC"]] == [
        "Mexico City",
        "Buenos Aires",
        "UTC",
    ]
