"""The demo trip's documents: Markdown files read exactly as `document add` reads them, then taken
through clearance by the demo's own editor, clearer and publisher."""

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from virtualtrip.publishing import actions
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.frontmatter import DocumentFileError, read_document_file
from virtualtrip.publishing.models import Document
from virtualtrip.trips.management.commands.load_demo import DEMO_TRIP
from virtualtrip.trips.models import Trip
from virtualtrip.trips.tripfile.check import check_trip_file

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "demo"
DEMO_SLUG = "mexico-canada-2021"
WRITTEN_FOR = date(2021, 2, 26)  # the trip day the files' dates and embargoes are written for
DESKS = {"demo-editor": "Editors", "demo-clearer": "Clearers", "demo-publisher": "Publishers"}
STEPS = [
    (Clearance.IN_CLEARANCE, "demo-editor"),
    (Clearance.CLEARED, "demo-clearer"),
    (Clearance.PUBLISHED, "demo-publisher"),
]


class Command(BaseCommand):
    help = "Replace the demo trip's documents with those shipped with the package, published."

    def handle(self, *args: Any, **options: Any) -> None:
        trip = Trip.objects.filter(slug=DEMO_SLUG).first()
        if trip is None:
            raise CommandError("load the demo trip first: virtualtrip load-demo")
        users = {name: _desk_user(name, group) for name, group in DESKS.items()}
        shift = _shift(trip)
        days = _day_shift(trip)
        actions.do_discard_trip_documents(trip, acting_user=None)
        ids: dict[str, int] = {}
        for path in sorted(
            DEMO_FOLDER.glob("*.md"), key=lambda p: (p.name.split(".")[0], p.suffixes != [".en", ".md"])
        ):
            document = self._load(trip, path, ids, days, shift)
            ids.setdefault(path.name.split(".")[0], document.pk)
            _clear_and_publish(document, users)
        day = WRITTEN_FOR + days
        _clear_and_publish(
            actions.do_draft_public_schedule(trip, day, acting_user=users["demo-editor"]), users
        )
        self.stderr.write(f"{Document.objects.filter(trip=trip).count()} demo documents published")

    def _load(
        self, trip: Trip, path: Path, ids: dict[str, int], days: timedelta, shift: timedelta
    ) -> Document:
        text = path.read_text(encoding="utf-8")
        text = re.sub(
            r"^translation_of: (\S+)$", lambda m: f"translation_of: {ids[m.group(1)]}", text, flags=re.M
        )
        try:
            parsed = read_document_file(text.encode())
        except DocumentFileError as invalid:
            raise CommandError("\n".join(p.render(str(path)) for p in invalid.problems)) from None
        embargo = parsed.text.embargo + shift if parsed.text.embargo else None
        if embargo is not None and embargo <= timezone.now():
            embargo = None  # the demo day is over: the embargo has lifted
        moved = dataclasses.replace(parsed.text, date=parsed.text.date + days, embargo=embargo)
        checked = actions.check_create_document(trip, parsed.place, moved, acting_user=None)
        return actions.do_create_document(checked, acting_user=None)


def _clear_and_publish(document: Document, users: dict[str, User]) -> None:
    """Each step by the desk whose permission it needs, as the office would take them."""
    for to, desk in STEPS:
        actions.do_advance_document(document, to, acting_user=users[desk])


def _desk_user(username: str, group: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def _day_shift(trip: Trip) -> timedelta:
    """How many days the demo trip was moved (by `load-demo --today` or `--now`) from the day the
    files are written for: their dates move by as much."""
    first = trip.engagements.order_by("starts_at").first()
    if first is None:
        return timedelta(0)
    return timedelta(days=(first.starts_at.astimezone(ZoneInfo(first.timezone)).date() - WRITTEN_FOR).days)


def _shift(trip: Trip) -> timedelta:
    """How far the demo trip's first engagement was moved from where the trip file has it: embargoes
    move by as much, so a readout embargoed until after its meeting still lifts after it."""
    first = trip.engagements.order_by("starts_at").first()
    if first is None:
        return timedelta(0)
    written = check_trip_file(DEMO_TRIP.read_bytes()).engagements
    return first.starts_at - min(engagement.starts_at for engagement in written)
