"""The demo trip's documents: every file loads, in three languages, with its embargo kept."""

from datetime import UTC, datetime

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
