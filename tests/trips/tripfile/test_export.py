"""Exporting a trip: keys at their default are left out, and the file imports to the same trip."""

from typing import Any

import pytest
import yaml

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Engagement, Participant, Person, Trip
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.export import export_trip

pytestmark = pytest.mark.django_db


def imported(document: dict[str, Any]) -> Trip:
    planned = check_import_trip(as_yaml(document), replace=True, acting_user=None)
    return do_import_trip(planned, acting_user=None)


def varied_document() -> dict[str, Any]:
    """The test trip, with what it lacks: a recorded engagement in a second zone with nobody in it
    yet, and a destination with no engagements."""
    document = trip_document()
    document["destinations"][0]["engagements"].append(
        {
            "id": "mx-tijuana",
            "kind": "site_tour",
            "title": "Tour of the Tijuana crossing",
            "starts": "2021-02-26T14:00",
            "ends": "2021-02-26T15:00",
            "timezone": "America/Tijuana",
            "coverage": "pool_spray",
            "public": True,
            "record": True,
        }
    )
    document["destinations"].append({"country": "CA", "timezone": "America/Toronto"})
    return document


def test_export_leaves_out_keys_that_hold_their_default() -> None:
    expected = trip_document()
    del expected["destinations"][0]["engagements"][1]["public"]  # false, the default
    assert yaml.safe_load(export_trip(imported(trip_document()))) == expected


def test_export_leaves_out_an_empty_summary_and_empty_lists() -> None:
    document = varied_document()
    document["trip"]["summary"] = ""
    exported = yaml.safe_load(export_trip(imported(document)))
    assert "summary" not in exported["trip"]
    assert (
        exported["destinations"][0]["engagements"][2]
        == varied_document()["destinations"][0]["engagements"][2]
    )
    assert exported["destinations"][2] == {"country": "CA", "timezone": "America/Toronto"}


def test_exported_file_imports_to_the_same_trip() -> None:
    document = varied_document()
    trip = imported(document)
    exported = export_trip(trip)
    assert check_trip_file(exported.encode()).spec == check_trip_file(as_yaml(document)).spec
    rows = _rows()
    imported(yaml.safe_load(exported))
    assert _rows() == rows
    assert export_trip(Trip.objects.get(pk=trip.pk)) == exported


def _rows() -> list[Any]:
    """Every stored row of the trip, with when it last changed."""
    return [
        *Person.objects.order_by("pk").values_list(),
        *Engagement.objects.order_by("pk").values_list(),
        *Participant.objects.order_by("pk").values_list(),
        *Trip.objects.values_list(),
    ]
