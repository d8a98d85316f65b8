"""On SQLite, a transaction that reads and then writes while another process writes waits its turn
instead of failing with "database is locked" (the task worker beside the app writes every second)."""

import sqlite3
import threading
import time

import pytest
from django.db import connection, transaction

from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only")
def test_a_read_then_write_waits_for_another_processs_write() -> None:
    Trip.objects.create(
        slug="lock-test", title="Before", home_city="Quito", home_timezone="America/Guayaquil"
    )
    name = connection.settings_dict["NAME"]
    holding, released = threading.Event(), threading.Event()

    def write_for_a_while() -> None:
        other = sqlite3.connect(name, timeout=20, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE trips_trip SET summary = 'other' WHERE slug = 'lock-test'")
        holding.set()
        time.sleep(0.5)
        other.execute("COMMIT")
        other.close()
        released.set()

    writer = threading.Thread(target=write_for_a_while)
    writer.start()
    holding.wait(5)
    with transaction.atomic():  # another process writes meanwhile
        Trip.objects.get(slug="lock-test")
        Trip.objects.filter(slug="lock-test").update(title="After")
    writer.join(5)
    assert released.is_set()
    assert Trip.objects.get(slug="lock-test").title == "After"
