from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from virtualtrip.trips.actions import do_shift_trip
from virtualtrip.trips.models import Trip

DEMO_TRIP = Path(__file__).resolve().parents[2] / "demo" / "mexico-canada-2021.yaml"
DEMO_SLUG = "mexico-canada-2021"


class Command(BaseCommand):
    help = "Import (or refresh) the demo trip that ships with the package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            action="store_true",
            help="move the trip so its first day is today, to try its rooms live",
        )

    def handle(self, *args: Any, today: bool = False, **options: Any) -> None:
        call_command("import_trip", str(DEMO_TRIP), replace=True, stdout=self.stdout, stderr=self.stderr)
        if today:
            trip = Trip.objects.get(slug=DEMO_SLUG)
            first = trip.engagements.order_by("starts_at").first()
            if first is not None:
                days = (timezone.now().date() - first.starts_at.date()).days
                do_shift_trip(trip, days, acting_user=None)
                self.stderr.write(f"demo trip moved {days} days, to start today")
