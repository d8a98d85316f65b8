"""The ways into the demo trip's rooms, printed for someone who just ran `make demo`."""

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.enums import RoomStatus
from virtualtrip.rooms.queries import opens_at, room_status
from virtualtrip.trips.enums import EngagementKind, Role
from virtualtrip.trips.models import Engagement, Participant

DEMO_STAFF = "demo-staff"
SHOWN_ROLES = [Role.PRINCIPAL, Role.COUNTERPART, Role.MODERATOR, Role.BRIEFER]
"""The seats a newcomer tries first: a meeting's principal and counterpart, a briefing's moderator
and briefer, and at a press event its journalists too (PRESS_KINDS)."""
PRESS_KINDS = {EngagementKind.PRESS_BRIEFING, EngagementKind.PRESS_AVAILABILITY}


def room_to_show(slug: str, now: datetime) -> Engagement | None:
    """The engagement under way (its room open), else the next one to open, else the last one."""
    engagements = list(Engagement.objects.filter(trip__slug=slug).select_related("trip", "room"))
    if not engagements:
        return None
    under_way = [e for e in engagements if room_status(e, getattr(e, "room", None), now) == RoomStatus.OPEN]
    if under_way:  # a meeting with a counterpart first: there is someone to meet
        met = set(
            Participant.objects.filter(engagement__in=under_way, role=Role.COUNTERPART).values_list(
                "engagement_id", flat=True
            )
        )
        return min(under_way, key=lambda e: (e.pk not in met, e.starts_at))
    upcoming = [engagement for engagement in engagements if opens_at(engagement) > now]
    return min(upcoming, key=opens_at) if upcoming else max(engagements, key=lambda e: e.ends_at)


class Command(BaseCommand):
    help = (
        "Print ready-to-open join links for the demo engagement under way (the principal's and the "
        "counterpart's), its staff page, and a demo staff account with a password made now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trip", default="mexico-canada-2021")
        parser.add_argument("--base-url", default=settings.SITE_URL)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.HTTPS and not settings.DEBUG:
            raise CommandError(
                "demo-access is for a demo on this machine: it makes a superuser and prints its "
                "password, which a site served over HTTPS (VIRTUALTRIP_HTTPS) must not have"
            )
        base = options["base_url"].rstrip("/")
        now = timezone.now()
        engagement = room_to_show(options["trip"], now)
        if engagement is None:
            raise CommandError(
                f"trip '{options['trip']}' has no engagements: load it first (virtualtrip load-demo)"
            )
        self.stdout.write(f"\n{self._when(engagement, now)}: {engagement.title}")
        shown = [*SHOWN_ROLES, Role.PRESS] if engagement.kind in PRESS_KINDS else SHOWN_ROLES
        participants = Participant.objects.filter(engagement=engagement, role__in=shown)
        for participant in participants.select_related("person", "engagement").order_by("position"):
            path = do_issue_join_link(participant, acting_user=None)
            self.stdout.write(f"  {participant.person.name} ({participant.role}): {base}{path}")
        self.stdout.write(
            f"  Staff page (every link, the recording): {base}{reverse('rooms:links', args=[engagement.pk])}"
        )
        password = self._demo_staff_password()
        self.stdout.write(
            f"\nStaff log in at {base}{reverse('login')} as '{DEMO_STAFF}' with password '{password}' "
            "(made now; run this again for a new one)\n"
            "Open each join link in a browser of its own (or a private window): a personal link "
            "works in one browser.\n"
        )

    @staticmethod
    def _when(engagement: Engagement, now: datetime) -> str:
        if room_status(engagement, getattr(engagement, "room", None), now) == RoomStatus.OPEN:
            return "Under way now"
        if opens_at(engagement) > now:
            minutes = round((opens_at(engagement) - now).total_seconds() / 60)
            return (
                f"Nothing is under way; the next room opens in {minutes} minutes (the page lets you in then)"
            )
        return "The demo day is over (virtualtrip load-demo --now starts it again); its last engagement"

    @staticmethod
    def _demo_staff_password() -> str:
        """A staff account that may plan and enter every room, with a fresh password each time."""
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(username=DEMO_STAFF)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        return password
