from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_TRIP = Path(__file__).resolve().parents[2] / "demo" / "mexico-canada-2021.yaml"


class Command(BaseCommand):
    help = "Import (or refresh) the demo trip that ships with the package."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("import_trip", str(DEMO_TRIP), replace=True, stdout=self.stdout, stderr=self.stderr)
