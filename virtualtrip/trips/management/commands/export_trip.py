from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from virtualtrip.trips import queries
from virtualtrip.trips.models import Trip
from virtualtrip.trips.tripfile.export import export_trip


class Command(BaseCommand):
    help = "Write a trip as a trip file (format virtualtrip/1) on standard output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, slug: str, **options: Any) -> None:
        try:
            trip = queries.get_trip(slug)
        except Trip.DoesNotExist:
            raise CommandError(f"no trip called '{slug}'", returncode=2) from None
        self.stdout.write(export_trip(trip), ending="")
