import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.tripfile.problems import TripFileError

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Import a trip file (format virtualtrip/1) and print the trip's slug."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the trip file, or - for standard input")
        parser.add_argument(
            "--replace", action="store_true", help="update an existing trip of the same slug in place"
        )

    def handle(self, *args: Any, path: str, replace: bool, **options: Any) -> None:
        name = "<stdin>" if path == "-" else path
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            self.stderr.write(f"{name}: cannot read: {error.strerror}")
            sys.exit(EXIT_INVALID)
        try:
            planned = check_import_trip(raw, replace=replace, acting_user=None)
        except TripFileError as invalid:
            for problem in invalid.problems:
                self.stderr.write(problem.render(name))
            self.stderr.write(f"{name}: {len(invalid.problems)} problem(s); nothing was imported")
            sys.exit(EXIT_INVALID)
        for warning in planned.warnings:
            self.stderr.write(warning.render(name))
        trip = do_import_trip(planned, acting_user=None)
        self.stdout.write(trip.slug)
