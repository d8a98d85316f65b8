"""The collector's pause around a whole trip's import: always turned back on as it was."""

import gc

import pytest

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.bulk import cyclic_gc_paused
from virtualtrip.trips.tripfile.problems import TripFileError


def test_the_collector_is_off_inside_and_back_on_after_even_when_the_work_fails() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():  # nested: the inner pause leaves it off for the outer one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="halfway"), cyclic_gc_paused():
        raise ValueError("halfway")
    assert gc.isenabled()


def test_a_collector_kept_off_by_the_process_stays_off() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_an_import_and_a_refused_file_leave_the_collector_on() -> None:
    do_import_trip(
        check_import_trip(as_yaml(trip_document()), replace=False, acting_user=None), acting_user=None
    )
    assert gc.isenabled()
    with pytest.raises(TripFileError):
        check_import_trip(b"format: virtualtrip/1\ntrip: [", replace=False, acting_user=None)
    assert gc.isenabled()
