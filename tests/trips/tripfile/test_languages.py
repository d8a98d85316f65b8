"""An engagement's languages and its interpreters' pairs in the trip file: checked with their line,
stored, exported, and read back as the channels' languages."""

from typing import Any

import pytest
import yaml

from tests.conftest import as_yaml
from tests.trips.tripfile.test_press_terms import briefing_document, line_of, problems
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.queries import engagement_languages, list_interpreters
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.export import export_trip
from virtualtrip.trips.tripfile.problems import TripFileError


def with_interpreters(*pairs: list[str], languages: list[str] | None = None) -> dict[str, Any]:
    """The Kathmandu briefing with an interpreter for each pair (named in Nepali and Greek)."""
    extra: dict[str, Any] = {"languages": languages} if languages is not None else {}
    document = briefing_document(**extra)
    engagement = document["destinations"][-1]["engagements"][0]
    for n, pair in enumerate(pairs):
        key = f"booth-{n}"
        name = ["सीता राई", "Ελένη Παπαδοπούλου"][n % 2]
        document["people"].append({"id": key, "name": name, "languages": pair})
        engagement["participants"].append({"person": key, "role": "interpreter"})
    return document


def warnings(document: dict[str, Any]) -> list[str]:
    return [warning.render("trip.yaml") for warning in check_trip_file(as_yaml(document)).warnings]


def test_an_interpreter_without_a_pair_is_warned_of_on_their_line() -> None:
    document = with_interpreters(["ne"])
    (found,) = warnings(document)
    line = line_of(document, "person: booth-0")
    assert found.startswith(
        f"trip.yaml:{line}: warning: interpreter 'booth-0' in engagement 'np-briefing' has no channel"
    )
    assert "languages: [es, en]" in found
    assert "(now: ['ne'])" in found


def test_a_pair_written_twice_over_is_no_pair() -> None:
    assert "needs a language pair" in warnings(with_interpreters(["ne", "ne"]))[0]


def test_an_interpreter_into_a_language_the_engagement_does_not_name_is_refused() -> None:
    document = with_interpreters(["ne", "en"], ["en", "el"], languages=["ne", "en"])
    found = problems(document)
    assert found == [
        f"trip.yaml:{line_of(document, 'person: booth-1')}: interpreter 'booth-1' speaks into 'el', "
        "which is not one of engagement 'np-briefing''s languages (ne, en)"
    ]


def test_a_refused_file_imports_nothing(db: None) -> None:
    document = with_interpreters(["ne", "el"], languages=["ne", "en"])
    with pytest.raises(TripFileError) as refused:
        check_import_trip(as_yaml(document), replace=False, acting_user=None)
    assert "which is not one of engagement" in refused.value.problems[0].message
    assert not Engagement.objects.exists()


def test_languages_are_stored_exported_and_read_back(db: None) -> None:
    document = with_interpreters(["ne", "en"], ["ne", "fr"], languages=["ne", "en", "fr"])
    trip = do_import_trip(check_trip_file(as_yaml(document)), acting_user=None)
    engagement = Engagement.objects.get(trip=trip, key="np-briefing")
    assert engagement_languages(engagement) == ["ne", "en", "fr"]
    assert [(i.name, i.source, i.target) for i in list_interpreters(engagement.pk)] == [
        ("सीता राई", "ne", "en"),
        ("Ελένη Παπαδοπούλου", "ne", "fr"),
    ]
    exported = yaml.safe_load(export_trip(trip))
    assert exported["destinations"][-1]["engagements"][0]["languages"] == ["ne", "en", "fr"]
    again = check_trip_file(export_trip(trip).encode())
    assert again.engagements[-1].spec.languages == ["ne", "en", "fr"]


def test_without_languages_the_destinations_and_participants_are_the_channels(db: None) -> None:
    document = with_interpreters(["ne", "en"])
    document["destinations"][-1]["languages"] = ["ne"]
    trip = do_import_trip(check_trip_file(as_yaml(document)), acting_user=None)
    engagement = Engagement.objects.get(trip=trip, key="np-briefing")
    reporter_languages = next(p for p in document["people"] if p["id"] == "reporter").get("languages", [])
    assert engagement_languages(engagement) == list(dict.fromkeys(["ne", *reporter_languages, "ne", "en"]))
    exported = yaml.safe_load(export_trip(trip))
    assert "languages" not in exported["destinations"][-1]["engagements"][0]
