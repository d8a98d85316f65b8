"""Importing a trip file: whole or nothing, round-trips through export, --replace in place."""

import copy
from typing import Any

import pytest

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip
from virtualtrip.trips.tripfile.export import export_trip
from virtualtrip.trips.tripfile.problems import TripFileError

pytestmark = pytest.mark.django_db


def import_bytes(raw: bytes, *, replace: bool = False) -> Trip:
    return do_import_trip(check_import_trip(raw, replace=replace, acting_user=None), acting_user=None)


def snapshot() -> dict[str, Any]:
    """Everything the itinerary stores, without database keys or bookkeeping times."""
    return {
        "trips": list(
            Trip.objects.values("slug", "title", "summary", "principal__key", "home_city", "home_timezone")
        ),
        "people": list(
            Person.objects.order_by("key").values(
                "key", "name", "title", "country", "label", "languages", "outlet", "position"
            )
        ),
        "destinations": list(
            Destination.objects.order_by("position").values(
                "position", "country", "timezone", "mission", "languages"
            )
        ),
        "engagements": list(
            Engagement.objects.order_by("key").values(
                "key",
                "destination__position",
                "position",
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "timezone",
                "location",
                "coverage",
                "public",
                "record",
            )
        ),
        "participants": list(
            Participant.objects.order_by("engagement__key", "position").values_list(
                "engagement__key", "person__key", "role", "position"
            )
        ),
    }


def test_import_then_export_then_import_gives_the_identical_trip() -> None:
    trip = import_bytes(as_yaml(trip_document()))
    first_export = export_trip(trip)
    before = snapshot()
    Trip.objects.all().delete()
    again = import_bytes(first_export.encode())
    assert snapshot() == before
    assert export_trip(again) == first_export


def test_demo_trip_round_trips() -> None:
    from virtualtrip.trips.management.commands.load_demo import DEMO_TRIP

    trip = import_bytes(DEMO_TRIP.read_bytes())
    exported = export_trip(trip)
    before = snapshot()
    Trip.objects.all().delete()
    import_bytes(exported.encode())
    assert snapshot() == before
    assert Engagement.objects.count() == 14


def test_recorded_engagements_are_marked_and_exported() -> None:
    from virtualtrip.trips.management.commands.load_demo import DEMO_TRIP

    trip = import_bytes(DEMO_TRIP.read_bytes())
    recorded = set(trip.engagements.filter(record=True).values_list("kind", flat=True))
    assert recorded == {"remarks", "town_hall", "roundtable", "press_availability", "press_briefing"}
    assert export_trip(trip).count("record: true") == trip.engagements.filter(record=True).count()


def test_ambiguous_time_given_with_offset_exports_with_offset() -> None:
    document = trip_document()
    press = document["destinations"][1]["engagements"][0]
    press["starts"], press["ends"] = "2021-11-07T01:30-05:00", "2021-11-07T03:00"
    trip = import_bytes(as_yaml(document))
    assert "starts: '2021-11-07T01:30:00-05:00'" not in export_trip(trip)
    assert "starts: 2021-11-07T01:30-05:00" in export_trip(trip)
    before = snapshot()
    import_bytes(export_trip(trip).encode(), replace=True)
    assert snapshot() == before


def test_existing_slug_without_replace_is_refused_and_changes_nothing() -> None:
    import_bytes(as_yaml(trip_document()))
    before = snapshot()
    document = trip_document()
    document["trip"]["title"] = "Another title"
    with pytest.raises(TripFileError) as caught:
        import_bytes(as_yaml(document))
    assert [p.message for p in caught.value.problems] == [
        "trip 'test-trip' already exists: import with --replace to update it in place"
    ]
    assert snapshot() == before


def test_replace_updates_in_place_and_drops_what_the_file_no_longer_holds() -> None:
    trip = import_bytes(as_yaml(trip_document()))
    meeting_pk = Engagement.objects.get(key="mx-meeting").pk
    document = trip_document()
    document["trip"]["title"] = "Renamed trip"
    del document["destinations"][0]["engagements"][1]
    document["destinations"][0]["engagements"][0]["starts"] = "2021-02-26T10:00"
    replaced = import_bytes(as_yaml(document), replace=True)
    assert (replaced.pk, replaced.title) == (trip.pk, "Renamed trip")
    assert sorted(Engagement.objects.values_list("key", flat=True)) == ["mx-meeting", "us-press"]
    assert Engagement.objects.get(key="mx-meeting").pk == meeting_pk


def test_replace_with_the_same_file_changes_nothing() -> None:
    raw = as_yaml(trip_document())
    import_bytes(raw)
    stamps = list(Engagement.objects.order_by("key").values_list("updated_at", flat=True))
    trip_stamp = Trip.objects.get().updated_at
    before = snapshot()
    import_bytes(raw, replace=True)
    assert snapshot() == before
    assert list(Engagement.objects.order_by("key").values_list("updated_at", flat=True)) == stamps
    assert Trip.objects.get().updated_at == trip_stamp


def test_bad_replace_leaves_the_trip_as_it_was() -> None:
    import_bytes(as_yaml(trip_document()))
    before = snapshot()
    document = trip_document()
    document["trip"]["title"] = "Changed"
    document["destinations"][0]["engagements"][0]["kind"] = "party"
    with pytest.raises(TripFileError):
        import_bytes(as_yaml(document), replace=True)
    assert snapshot() == before


def test_failure_while_writing_rolls_everything_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from virtualtrip.trips import actions

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "_sync_participants", fail)
    with pytest.raises(RuntimeError):
        import_bytes(as_yaml(trip_document()))
    assert snapshot() == {
        "trips": [],
        "people": [],
        "destinations": [],
        "engagements": [],
        "participants": [],
    }


def long_trip_document(engagements: int) -> dict[str, Any]:
    """The test trip with `engagements` more meetings on its first day, five minutes apart."""
    document = trip_document()
    meetings = document["destinations"][0]["engagements"]
    for n in range(engagements):
        minute = 5 * n
        meetings.append(
            {
                **copy.deepcopy(meetings[0]),  # shared lists would be dumped as YAML anchors
                "id": f"extra-{n}",
                "title": f"Réunion nº {n}",
                "starts": f"2021-02-27T{8 + minute // 60:02d}:{minute % 60:02d}",
                "ends": f"2021-02-27T{8 + minute // 60:02d}:{minute % 60 + 4:02d}",
            }
        )
    return document


@pytest.mark.parametrize("engagements", [10, 60])
def test_an_import_writes_in_a_number_of_queries_that_does_not_grow_with_the_trip(
    engagements: int, django_assert_max_num_queries: Any
) -> None:
    planned = check_import_trip(as_yaml(long_trip_document(engagements)), replace=False, acting_user=None)
    with django_assert_max_num_queries(25):
        do_import_trip(planned, acting_user=None)
    assert Participant.objects.filter(engagement__key__startswith="extra-").count() == 2 * engagements
    replanned = check_import_trip(as_yaml(long_trip_document(engagements)), replace=True, acting_user=None)
    with django_assert_max_num_queries(12):
        do_import_trip(replanned, acting_user=None)
