"""The demo trip's documents: every file loads, in three languages, with its embargo kept."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from virtualtrip.publishing import queries
from virtualtrip.publishing.models import Document

pytestmark = pytest.mark.django_db


def test_the_demo_documents_load_cleared_and_published_in_three_languages() -> None:
    with time_machine.travel(datetime(2021, 2, 20, 12, 0, tzinfo=UTC), tick=False):
        call_command("load_demo")
        call_command("load_demo_documents")
        call_command("load_demo_documents")  # a second run replaces, never duplicates
        documents = Document.objects.filter(trip__slug="mexico-canada-2021")
        assert set(documents.values_list("language", flat=True)) == {"en", "es", "fr"}
        assert documents.count() == 15
        assert set(documents.values_list("state", flat=True)) == {"published"}
        assert documents.filter(kind="public_schedule").count() == 1
        embargoed = documents.filter(go_live_at__isnull=False)
        assert sorted(embargoed.values_list("language", flat=True)) == ["en", "fr"]
        assert queries.visible_documents().count() == 13
    with time_machine.travel(datetime(2021, 2, 26, 20, 0, tzinfo=UTC), tick=False):
        assert queries.visible_documents().count() == 15
        page = Client().get("/es/trips/mexico-canada-2021/").content.decode()
        assert "Reunión del Secretario con el Canciller Ebrard" in page


def test_the_demo_moved_to_now_has_a_meeting_open_and_its_readout_still_embargoed() -> None:
    """`make demo` loads the trip under way: its first meeting with a counterpart is open at once,
    and the readout embargoed until 50 minutes after its meeting still lifts 50 minutes after it."""
    from virtualtrip.rooms.enums import RoomStatus
    from virtualtrip.rooms.queries import room_status
    from virtualtrip.trips.enums import Role
    from virtualtrip.trips.models import Engagement

    moment = datetime(2026, 7, 14, 23, 40, tzinfo=UTC)  # late evening in Washington, summer time
    with time_machine.travel(moment, tick=False):
        call_command("load_demo", now=True)
        call_command("load_demo_documents")
        engagements = Engagement.objects.filter(trip__slug="mexico-canada-2021")
        meeting = engagements.filter(participants__role=Role.COUNTERPART).order_by("starts_at").first()
        assert meeting is not None
        assert meeting.key == "mx-port-of-entry-tour"
        assert room_status(meeting, None, moment) == RoomStatus.OPEN
        embargoed = Document.objects.get(
            trip__slug="mexico-canada-2021", go_live_at__isnull=False, language="en"
        )
        assert embargoed.engagement is not None
        assert embargoed.go_live_at == embargoed.engagement.ends_at + timedelta(minutes=50)
        assert queries.visible_documents().count() == 13
        last_end = max(engagement.ends_at for engagement in engagements)
    with time_machine.travel(last_end, tick=False):
        assert queries.visible_documents().count() == 15
