import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualtrip.floor.log import floor_log
from virtualtrip.trips.models import Engagement


class Command(BaseCommand):
    help = "The floor log of an engagement as JSON (docs/floor-log.md): TRIP_SLUG ENGAGEMENT_ID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("trip")
        parser.add_argument("engagement")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("trip", "engagement"):
            try:
                options[name].encode("utf-8")
            except UnicodeEncodeError:
                raise CommandError(f"the {name} id is not text in UTF-8: {options[name]!r}") from None
        engagement = (
            Engagement.objects.select_related("trip")
            .filter(trip__slug=options["trip"], key=options["engagement"])
            .first()
        )
        if engagement is None:
            raise CommandError(f"no engagement '{options['engagement']}' in trip '{options['trip']}'")
        self.stdout.write(json.dumps(floor_log(engagement), ensure_ascii=False, indent=2))
