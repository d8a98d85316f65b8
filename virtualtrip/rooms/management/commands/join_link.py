from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.links import link_expiry
from virtualtrip.trips.models import Participant


class Command(BaseCommand):
    help = "A participant's personal join link: TRIP_SLUG ENGAGEMENT_ID PERSON_ID, ids from the trip file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("trip")
        parser.add_argument("engagement")
        parser.add_argument("person")
        parser.add_argument(
            "--reissue", action="store_true", help="Replace the current link; the old one stops working."
        )
        parser.add_argument("--base-url", default=settings.SITE_URL)

    def handle(self, *args: Any, **options: Any) -> None:
        participant = (
            Participant.objects.select_related("engagement", "person")
            .filter(
                engagement__trip__slug=options["trip"],
                engagement__key=options["engagement"],
                person__key=options["person"],
            )
            .first()
        )
        if participant is None:
            raise CommandError(
                f"no participant '{options['person']}' in engagement '{options['engagement']}' "
                f"of trip '{options['trip']}'"
            )
        path = do_issue_join_link(participant, acting_user=None, reissue=options["reissue"])
        self.stdout.write(options["base_url"].rstrip("/") + path)
        self.stderr.write(f"valid until {link_expiry(participant.engagement):%Y-%m-%d %H:%M} UTC")
