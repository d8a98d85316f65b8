"""Ground rules and the order of questions in the trip file: checked with lines, stored, exported."""

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.enums import GroundRules, QueuePolicy
from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.queries import ground_rules, question_order
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.export import export_trip
from virtualtrip.trips.tripfile.problems import TripFileError

OFFICIAL = "A SENIOR STATE DEPARTMENT OFFICIAL"


def briefing_document(**engagement: Any) -> dict[str, Any]:
    """The test trip with its press availability turned into a briefing in Kathmandu (UTC+05:45)."""
    document = trip_document()
    document["destinations"].append(
        {
            "country": "NP",
            "timezone": "Asia/Kathmandu",
            "engagements": [
                {
                    "id": "np-briefing",
                    "kind": "press_briefing",
                    "title": "पत्रकार सम्मेलन — background briefing",
                    "starts": "2021-03-01T10:00",
                    "ends": "2021-03-01T11:00",
                    "coverage": "open_press",
                    "participants": [{"person": "reporter", "role": "press"}],
                    **engagement,
                }
            ],
        }
    )
    return document


def problems(document: dict[str, Any]) -> list[str]:
    raw = as_yaml(document)
    with pytest.raises(TripFileError) as caught:
        check_trip_file(raw)
    return [problem.render("trip.yaml") for problem in caught.value.problems]


def line_of(document: dict[str, Any], needle: str) -> int:
    return next(i for i, line in enumerate(as_yaml(document).decode().splitlines(), 1) if needle in line)


def test_background_with_an_attribution_and_an_embargo_in_the_engagements_zone() -> None:
    document = briefing_document(
        ground_rules={"rule": "background", "attribution": OFFICIAL, "embargo": "2021-03-01T12:00"}
    )
    planned = check_trip_file(as_yaml(document))
    briefing = next(e for e in planned.engagements if e.spec.id == "np-briefing")
    # 12:00 in Kathmandu is 06:15 UTC.
    assert briefing.embargo_until == datetime(2021, 3, 1, 6, 15, tzinfo=UTC)
    assert briefing.spec.ground_rules.rule is GroundRules.BACKGROUND
    assert planned.warnings == []


def test_the_defaults_are_on_the_record_first_come_and_no_embargo() -> None:
    planned = check_trip_file(as_yaml(trip_document()))
    assert {
        (e.spec.ground_rules.rule, e.spec.questions.order, e.embargo_until) for e in planned.engagements
    } == {(GroundRules.ON_RECORD, QueuePolicy.FIRST_COME, None)}


def test_an_embargo_in_pacific_chatham_with_an_offset_is_an_instant() -> None:
    document = briefing_document(ground_rules={"embargo": "2021-03-01T12:00+13:45"})
    document["destinations"][2]["timezone"] = "Pacific/Chatham"
    planned = check_trip_file(as_yaml(document))
    briefing = next(e for e in planned.engagements if e.spec.id == "np-briefing")
    assert briefing.embargo_until == datetime(2021, 2, 28, 22, 15, tzinfo=UTC)


def test_background_without_an_attribution_is_refused_on_the_rules_line() -> None:
    document = briefing_document(ground_rules={"rule": "background"})
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'rule: background')}: engagement 'np-briefing': on background an "
        "attribution is required: how the press names the speaker, e.g. A SENIOR STATE DEPARTMENT OFFICIAL"
    ]


@pytest.mark.parametrize(
    ("rule", "words"),
    [("on_record", "on the record the speaker is named"), ("off_record", "off the record nothing is")],
)
def test_an_attribution_on_or_off_the_record_is_refused_on_its_line(rule: str, words: str) -> None:
    document = briefing_document(ground_rules={"rule": rule, "attribution": OFFICIAL})
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'attribution:')}: engagement 'np-briefing': an attribution goes "
        f"with background only ({words}): remove it or set the rule to background"
    ]


@pytest.mark.parametrize(
    ("attribution", "message"),
    [
        ("X" * 201, "attribution is 201 characters long; it may be at most 200"),
        ("   ", "on background an attribution is required"),
        ("A SENIOR\nOFFICIAL", "attribution must be one line"),
    ],
)
def test_an_unusable_attribution_is_refused(attribution: str, message: str) -> None:
    document = briefing_document(ground_rules={"rule": "background", "attribution": attribution})
    assert any(message in problem for problem in problems(document)), problems(document)


def test_an_attribution_with_a_control_character_is_refused() -> None:
    document = briefing_document(ground_rules={"rule": "background", "attribution": "A SENIOR\x07OFFICIAL"})
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'attribution:')}: attribution contains a control character (U+0007), "
        "which cannot be stored: remove it"
    ]


def test_an_unknown_rule_is_refused_with_the_nearest() -> None:
    document = briefing_document(ground_rules={"rule": "on_the_record"})
    (problem,) = problems(document)
    assert problem.startswith(f"trip.yaml:{line_of(document, 'rule:')}: unknown rule 'on_the_record'")
    assert "(did you mean 'on_record'?)" in problem


def test_an_embargo_off_the_record_is_refused() -> None:
    document = briefing_document(ground_rules={"rule": "off_record", "embargo": "2021-03-01T12:00"})
    (problem,) = problems(document)
    assert problem.startswith(
        f"trip.yaml:{line_of(document, 'embargo:')}: engagement 'np-briefing' is off the record"
    )


def test_an_embargo_that_does_not_exist_in_the_zone_is_refused() -> None:
    document = briefing_document(ground_rules={"embargo": "2021-03-28T02:30"})
    document["destinations"][2]["timezone"] = "Europe/Berlin"
    document["destinations"][2]["country"] = "DE"
    document["destinations"][2]["engagements"][0] |= {
        "starts": "2021-03-27T10:00",
        "ends": "2021-03-27T11:00",
    }
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'embargo:')}: embargo: 2021-03-28 02:30 does not exist in "
        "Europe/Berlin: the clocks skip it for daylight saving time"
    ]


def test_an_embargo_before_the_start_is_imported_with_a_warning() -> None:
    document = briefing_document(ground_rules={"embargo": "2021-03-01T09:59"})
    planned = check_trip_file(as_yaml(document))
    assert [w.render("trip.yaml") for w in planned.warnings] == [
        f"trip.yaml:{line_of(document, 'embargo:')}: warning: engagement 'np-briefing': the embargo "
        "(2021-03-01T09:59) lifts before the engagement starts (2021-03-01T10:00), so it embargoes "
        "nothing; check its day and zone (Asia/Kathmandu)"
    ]


def test_an_embargo_after_the_start_gives_no_warning() -> None:
    planned = check_trip_file(as_yaml(briefing_document(ground_rules={"embargo": "2021-03-01T10:01"})))
    assert planned.warnings == []


def test_a_priority_list_of_countries_and_outlets() -> None:
    document = briefing_document(questions={"order": "priority", "priority": ["NP", "Kantipur", "CBC"]})
    planned = check_trip_file(as_yaml(document))
    briefing = next(e for e in planned.engagements if e.spec.id == "np-briefing")
    assert briefing.spec.questions.priority == ["NP", "Kantipur", "CBC"]


def test_priority_without_the_priority_order_is_refused() -> None:
    document = briefing_document(questions={"order": "one_per_outlet", "priority": ["MX"]})
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'priority:')}: engagement 'np-briefing': a priority list goes with "
        "order priority only: remove it or set the order"
    ]


def test_the_priority_order_without_a_list_is_refused() -> None:
    document = briefing_document(questions={"order": "priority"})
    (problem,) = problems(document)
    assert problem.startswith(
        f"trip.yaml:{line_of(document, 'order: priority')}: engagement 'np-briefing': order priority needs"
    )


def test_a_duplicate_priority_entry_is_refused_on_its_line_case_and_spacing_aside() -> None:
    document = briefing_document(
        questions={"order": "priority", "priority": ["The Globe", "MX", "the  globe"]}
    )
    assert problems(document) == [
        f"trip.yaml:{line_of(document, '- the  globe')}: engagement 'np-briefing': 'the  globe' is listed "
        "twice in priority (first as entry 1)"
    ]


def test_a_lower_case_country_code_is_refused_and_two_capitals_naming_no_country_are_an_outlet() -> None:
    document = briefing_document(questions={"order": "priority", "priority": ["mx", "AP"]})
    assert problems(document) == [
        f"trip.yaml:{line_of(document, '- mx')}: engagement 'np-briefing': country codes are written in "
        "capitals: 'MX', not 'mx'"
    ]
    document = briefing_document(questions={"order": "priority", "priority": ["MX", "AP"]})
    warnings = [w.render("trip.yaml") for w in check_trip_file(as_yaml(document)).warnings]
    assert warnings == [
        f"trip.yaml:{line_of(document, '- AP')}: warning: priority entry 'AP' is no ISO 3166-1 country "
        "code, so it is read as an outlet's name"
    ]


def test_an_empty_priority_entry_is_refused() -> None:
    document = briefing_document(questions={"order": "priority", "priority": ["MX", " "]})
    (problem,) = problems(document)
    assert "a priority entry is empty" in problem


def test_unknown_keys_in_the_new_blocks_suggest_the_nearest() -> None:
    document = briefing_document(ground_rules={"rul": "background"}, questions={"ordre": "priority"})
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'rul:')}: unknown key 'rul' (did you mean 'rule'?)",
        f"trip.yaml:{line_of(document, 'ordre:')}: unknown key 'ordre' (did you mean 'order'?)",
    ]


@pytest.mark.django_db
def test_import_stores_the_terms_and_export_writes_them_back_omitting_defaults() -> None:
    document = briefing_document(
        ground_rules={"rule": "background", "attribution": OFFICIAL, "embargo": "2021-03-01T12:00"},
        questions={"order": "priority", "priority": ["NP", "CBC"]},
    )
    document["destinations"][0]["engagements"][0]["questions"] = {"order": "one_per_outlet"}
    trip = do_import_trip(
        check_import_trip(as_yaml(document), replace=False, acting_user=None), acting_user=None
    )
    briefing = Engagement.objects.get(key="np-briefing")
    assert (briefing.ground_rules, briefing.attribution, briefing.embargo_until) == (
        "background",
        OFFICIAL,
        datetime(2021, 3, 1, 6, 15, tzinfo=UTC),
    )
    assert (briefing.queue_policy, briefing.queue_priority) == ("priority", ["NP", "CBC"])
    exported = export_trip(trip)
    written = yaml.safe_load(exported)
    assert written["destinations"][2]["engagements"][0]["ground_rules"] == {
        "rule": "background",
        "attribution": OFFICIAL,
        "embargo": "2021-03-01T12:00",
    }
    assert written["destinations"][0]["engagements"][0]["questions"] == {"order": "one_per_outlet"}
    # On the record and first come, the defaults, are left out.
    assert "ground_rules" not in written["destinations"][0]["engagements"][0]
    assert "questions" not in written["destinations"][1]["engagements"][0]
    before = list(Engagement.objects.order_by("key").values())
    Trip.objects.all().delete()
    again = do_import_trip(
        check_import_trip(exported.encode(), replace=False, acting_user=None), acting_user=None
    )
    assert [
        row | {"id": 0, "trip_id": 0, "destination_id": 0, "updated_at": 0}
        for row in Engagement.objects.order_by("key").values()
    ] == [row | {"id": 0, "trip_id": 0, "destination_id": 0, "updated_at": 0} for row in before]
    assert export_trip(again) == exported


@pytest.mark.django_db
def test_an_embargo_alone_exports_without_the_default_rule() -> None:
    document = briefing_document(ground_rules={"rule": "on_record", "embargo": "2021-03-01T10:30"})
    trip = do_import_trip(
        check_import_trip(as_yaml(document), replace=False, acting_user=None), acting_user=None
    )
    written = yaml.safe_load(export_trip(trip))
    assert written["destinations"][2]["engagements"][0]["ground_rules"] == {"embargo": "2021-03-01T10:30"}


@pytest.mark.django_db
def test_a_replace_changes_the_terms_in_place() -> None:
    document = briefing_document(ground_rules={"rule": "background", "attribution": OFFICIAL})
    do_import_trip(check_import_trip(as_yaml(document), replace=False, acting_user=None), acting_user=None)
    pk = Engagement.objects.get(key="np-briefing").pk
    document = briefing_document(ground_rules={"rule": "off_record"})
    do_import_trip(check_import_trip(as_yaml(document), replace=True, acting_user=None), acting_user=None)
    briefing = Engagement.objects.get(key="np-briefing")
    assert (briefing.pk, briefing.ground_rules, briefing.attribution) == (pk, "off_record", "")


@pytest.mark.django_db
def test_the_database_refuses_background_without_an_attribution() -> None:
    from django.db import IntegrityError, transaction

    from tests.factories.trips import EngagementFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        EngagementFactory.create(ground_rules=GroundRules.BACKGROUND, attribution="")
    with pytest.raises(IntegrityError), transaction.atomic():
        EngagementFactory.create(ground_rules=GroundRules.ON_RECORD, attribution=OFFICIAL)


@pytest.mark.django_db
def test_ground_rules_view_hides_names_on_background_only() -> None:
    from tests.factories.trips import EngagementFactory

    background = EngagementFactory.create(ground_rules=GroundRules.BACKGROUND, attribution=OFFICIAL)
    assert ground_rules(background).hides_names is True
    assert ground_rules(background).attribution == OFFICIAL
    assert ground_rules(EngagementFactory.create(ground_rules=GroundRules.OFF_RECORD)).hides_names is False


@pytest.mark.django_db
def test_question_order_ranks_countries_and_outlets_case_and_spacing_aside() -> None:
    from tests.factories.trips import EngagementFactory

    engagement = EngagementFactory.create(
        queue_policy=QueuePolicy.PRIORITY, queue_priority=["NP", "The Globe", "AP"]
    )
    order = question_order(engagement)
    assert order.policy is QueuePolicy.PRIORITY
    assert order.rank(outlet="Kantipur", country="NP") == 0
    assert order.rank(outlet="the  globe", country="CA") == 1
    assert order.rank(outlet="AP", country="US") == 2
    assert order.rank(outlet="Le Devoir", country="CA") == 3
    # A country entry never matches an outlet of the same letters.
    only_nepal = question_order(EngagementFactory.create(queue_priority=["NP"]))
    assert only_nepal.rank(outlet="NP", country="CA") == 1
