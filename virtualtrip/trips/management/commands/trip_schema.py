import json
from typing import Any

from django.core.management.base import BaseCommand

from virtualtrip.trips.tripfile.spec import json_schema


class Command(BaseCommand):
    help = "Print the JSON Schema of the trip file format (virtualtrip/1)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False))
