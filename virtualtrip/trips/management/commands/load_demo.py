from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from virtualtrip.trips.actions import do_move_trip, do_shift_trip
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Trip

DEMO_TRIP = Path(__file__).resolve().parents[2] / "demo" / "mexico-canada-2021.yaml"
DEMO_SLUG = "mexico-canada-2021"
UNDER_WAY_FOR = timedelta(minutes=5)


class Command(BaseCommand):
    help = "Import (or refresh) the demo trip that ships with the package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            action="store_true",
            help="move the trip so its first day is today, to try its rooms live",
        )
        parser.add_argument(
            "--now",
            nargs="?",
            const=True,
            default=False,
            metavar="ENGAGEMENT_ID",
            help="move the trip so that its first meeting with a counterpart (or the engagement "
            "named, e.g. us-regional-briefing) began a few minutes ago and the rest of the trip keeps "
            "its spacing, so that a room is open at once",
        )

    def handle(self, *args: Any, today: bool = False, now: bool | str = False, **options: Any) -> None:
        if today and now:
            raise CommandError("--today and --now move the trip two ways: choose one")
        call_command("import_trip", str(DEMO_TRIP), replace=True, stdout=self.stdout, stderr=self.stderr)
        if now:
            trip = Trip.objects.get(slug=DEMO_SLUG)
            first = self._to_start(trip, now)
            if first is not None:
                began = (timezone.now() - UNDER_WAY_FOR).replace(second=0, microsecond=0)
                do_move_trip(trip, began - first.starts_at, acting_user=None)
                self.stderr.write(
                    f"demo trip moved to be under way: '{first.title}' began at {began:%H:%M} UTC"
                )
        if today:
            trip = Trip.objects.get(slug=DEMO_SLUG)
            first = trip.engagements.order_by("starts_at").first()
            if first is not None:
                days = (timezone.now().date() - first.starts_at.date()).days
                do_shift_trip(trip, days, acting_user=None)
                self.stderr.write(f"demo trip moved {days} days, to start today")

    @staticmethod
    def _to_start(trip: Trip, now: bool | str) -> Engagement | None:
        """The engagement to put under way: the one named, or the first meeting with a counterpart,
        so that there is someone to meet at once."""
        if isinstance(now, str):
            named = trip.engagements.filter(key=now).first()
            if named is None:
                keys = ", ".join(trip.engagements.values_list("key", flat=True))
                raise CommandError(f"the demo trip has no engagement '{now}': it has {keys}")
            return named
        with_counterpart = trip.engagements.filter(participants__role=Role.COUNTERPART)
        return with_counterpart.order_by("starts_at").first() or trip.engagements.first()
