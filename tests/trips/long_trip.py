"""A long trip for the tests that check a page stays the same size and cost however long the trip:
the small test trip with `count` more engagements in Mexico, twelve a day from March 1, 2021."""

from datetime import date, datetime, time, timedelta
from typing import Any

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Trip

FIRST_DAY = date(2021, 3, 1)
PER_DAY = 12


def long_trip_document(count: int) -> dict[str, Any]:
    """Every fourth added engagement is private, every third closed to the press; the minister is
    the principal of each, the counterpart takes part in each."""
    document = trip_document()
    engagements = document["destinations"][0]["engagements"]
    for n in range(count):
        starts = datetime.combine(FIRST_DAY + timedelta(days=n // PER_DAY), time(8 + n % PER_DAY))
        engagements.append(
            {
                "id": f"mx-long-{n:04d}",
                "kind": "roundtable",
                "title": f"Roundtable {n}",
                "starts": starts.isoformat(timespec="minutes"),
                "ends": (starts + timedelta(minutes=45)).isoformat(timespec="minutes"),
                "location": "Monterrey",
                "coverage": "closed_press" if n % 3 == 0 else "open_press",
                "public": n % 4 != 3,
                "participants": [
                    {"person": "minister", "role": "principal"},
                    {"person": "counterpart", "role": "counterpart"},
                ],
            }
        )
    return document


def import_long_trip(count: int) -> Trip:
    planned = check_import_trip(as_yaml(long_trip_document(count)), replace=False, acting_user=None)
    return do_import_trip(planned, acting_user=None)
