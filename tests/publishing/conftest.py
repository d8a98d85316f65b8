import pytest
from django.db import connection

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Trip


@pytest.fixture
def trip(db: None) -> Trip:
    """The small test trip (slug 'test-trip'), imported through the real import."""
    planned = check_import_trip(as_yaml(trip_document()), replace=False, acting_user=None)
    return do_import_trip(planned, acting_user=None)


@pytest.fixture
def postgresql(db: None) -> None:
    """Skips the test unless the database is PostgreSQL (run it under scripts/with-postgres.sh)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run under scripts/with-postgres.sh, which sets DATABASE_URL")
