"""The public schedule in house form, as `virtualtrip schedule` prints it."""

from io import StringIO

import pytest
from django.core.management import call_command

from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db


def schedule(*args: str) -> str:
    out = StringIO()
    call_command("schedule", *args, stdout=out)
    return out.getvalue()


def test_schedule_command_prints_the_house_form(trip: Trip) -> None:
    assert schedule("test-trip", "--date", "2021-02-26") == (
        "PUBLIC SCHEDULE\n"
        "FRIDAY, FEBRUARY 26, 2021\n"
        "\n"
        "MINISTER ANA MINISTER\n"
        "(All times are Washington, D.C. time, America/New_York)\n"
        "\n"
        "11:15 a.m.   Meeting with the Foreign Secretary\n"
        "             Mexico City, Mexico\n"
        "             (CLOSED PRESS COVERAGE)\n"
        "\n"
        "4:00 p.m.    Press availability\n"
        "             Washington, D.C., United States\n"
        "             (OPEN PRESS COVERAGE)\n"
    )


def test_schedule_command_in_another_zone(trip: Trip) -> None:
    text = schedule("test-trip", "--date", "2021-02-26", "--tz", "America/Mexico_City")
    assert [line.split("   ")[0] for line in text.splitlines() if line[:1].isdigit()] == [
        "10:15 a.m.",
        "3:00 p.m.",
    ]
    assert "(All times are Mexico City time, America/Mexico_City)" in text


def test_schedule_of_a_day_without_engagements(trip: Trip) -> None:
    assert "No public engagements." in schedule("test-trip", "--date", "2021-03-01")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "--date", "2021-02-26"], "no trip called 'nowhere'"),
        (["test-trip", "--date", "26/02/2021"], "--date: '26/02/2021' is not a date; write it as YYYY-MM-DD"),
        (
            ["test-trip", "--date", "2021-02-26", "--tz", "Mars/Olympus"],
            "--tz: unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_schedule_command_bad_input(trip: Trip, args: list[str], message: str) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        schedule(*args)
    assert str(caught.value).startswith(message)
    assert caught.value.returncode == 2
