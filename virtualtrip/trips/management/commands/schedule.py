from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from virtualtrip.trips import queries
from virtualtrip.trips.models import Trip
from virtualtrip.trips.schedule import public_schedule, render_text
from virtualtrip.trips.times import check_year, get_zone
from virtualtrip.trips.validators import timezone_problem


class Command(BaseCommand):
    help = "Print the public schedule of one day of a trip."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--tz", help="the zone to give times in (default: the trip's home zone)")

    def handle(self, *args: Any, slug: str, date: str, tz: str | None, **options: Any) -> None:
        try:
            day = _date(date)
            trip = queries.get_trip(slug)
        except Trip.DoesNotExist:
            raise CommandError(f"no trip called '{slug}'", returncode=2) from None
        if tz and (problem := timezone_problem(tz)):
            raise CommandError(f"--tz: {problem}", returncode=2)
        schedule = public_schedule(trip, day, get_zone(tz) if tz else None)
        self.stdout.write(render_text(schedule), ending="")


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date: '{text}' is not a date; write it as YYYY-MM-DD", returncode=2) from None
    try:
        check_year(day)
    except ValueError as error:
        raise CommandError(f"--date: {error}", returncode=2) from None
    return day
