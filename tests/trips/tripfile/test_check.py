"""The trip file's checks: every problem found, each with its line, and YAML's traps handled."""

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.problems import TripFileError
from virtualtrip.trips.tripfile.source import MAX_BYTES


def problems(raw: bytes | str) -> list[str]:
    data = raw.encode() if isinstance(raw, str) else raw
    with pytest.raises(TripFileError) as caught:
        check_trip_file(data)
    return [problem.render("trip.yaml") for problem in caught.value.problems]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line of `text` that contains `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def test_valid_file_gives_plan_in_utc() -> None:
    planned = check_trip_file(as_yaml(trip_document()))
    assert [(e.spec.id, e.starts_at, e.ends_at, e.timezone) for e in planned.engagements] == [
        (
            "mx-meeting",
            datetime(2021, 2, 26, 16, 15, tzinfo=UTC),
            datetime(2021, 2, 26, 17, 0, tzinfo=UTC),
            "America/Mexico_City",
        ),
        (
            "mx-private",
            datetime(2021, 2, 26, 18, 0, tzinfo=UTC),
            datetime(2021, 2, 26, 18, 30, tzinfo=UTC),
            "America/Mexico_City",
        ),
        (
            "us-press",
            datetime(2021, 2, 26, 21, 0, tzinfo=UTC),
            datetime(2021, 2, 26, 21, 30, tzinfo=UTC),
            "America/New_York",
        ),
    ]
    assert planned.warnings == []


def test_offset_time_is_an_instant() -> None:
    document = trip_document()
    document["destinations"][0]["engagements"][0]["starts"] = "2021-02-26T09:15-07:00"
    planned = check_trip_file(as_yaml(document))
    assert planned.engagements[0].starts_at == datetime(2021, 2, 26, 16, 15, tzinfo=UTC)


def test_not_yaml_names_the_line(yaml_parser: str) -> None:
    message = {"libyaml": "did not find expected ',' or ']'", "python": "expected ',' or ']', but got ':'"}
    assert problems("format: virtualtrip/1\ntrip: [unclosed\npeople: []\n") == [
        f"trip.yaml:3: not YAML: {message[yaml_parser]}"
    ]


def test_not_utf8_names_the_line() -> None:
    raw = as_yaml(trip_document()).replace(b"Test trip", b"Test \xe9trip")
    assert problems(raw) == ["trip.yaml:4: not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8"]


def test_file_over_five_megabytes_is_refused() -> None:
    raw = as_yaml(trip_document()) + b"#" * MAX_BYTES
    assert problems(raw) == [
        f"trip.yaml:1: file is {len(raw):,} bytes; a trip file may be at most 5,242,880 bytes (5 MB)"
    ]


def test_anchors_and_aliases_are_refused() -> None:
    text = as_yaml(trip_document()).decode().replace("  home:\n", "  home: &home\n", 1) + "extra: *home\n"
    assert problems(text) == [
        f"trip.yaml:{line_of(text, '&home')}: anchor &home is not allowed: write the value out in full"
    ]


def test_alias_expansion_bomb_is_refused_before_expanding() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    assert problems(bomb) == ["trip.yaml:1: anchor &a is not allowed: write the value out in full"]


def test_unknown_and_missing_keys_suggest_the_nearest() -> None:
    document = trip_document()
    engagement = document["destinations"][0]["engagements"][0]
    engagement["titel"] = engagement.pop("title")
    document["people"][0]["langauges"] = document["people"][0].pop("languages")
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'langauges')}: unknown key 'langauges' (did you mean 'languages'?)",
        f"trip.yaml:{line_of(text, '- id: mx-meeting')}: missing key 'title'",
        f"trip.yaml:{line_of(text, 'titel')}: unknown key 'titel' (did you mean 'title'?)",
    ]


def test_unknown_vocabulary_is_named_with_a_suggestion() -> None:
    document = trip_document()
    destination = document["destinations"][0]
    destination["timezone"] = "America/Mexico_Cty"
    destination["country"] = "MEX"
    destination["languages"] = ["esp"]
    engagement = destination["engagements"][0]
    engagement["kind"] = "bilateral"
    engagement["coverage"] = "closed"
    engagement["participants"][1]["role"] = "counterpartt"
    text = as_yaml(document).decode()
    found = problems(text)
    assert found == [
        f"trip.yaml:{line_of(text, 'MEX')}: unknown country 'MEX': use an ISO 3166-1 alpha-2 code such as MX "
        "(did you mean 'MX'?)",
        f"trip.yaml:{line_of(text, 'Mexico_Cty')}: unknown time zone 'America/Mexico_Cty': "
        "use an IANA name such as America/Mexico_City (did you mean 'America/Mexico_City'?)",
        f"trip.yaml:{line_of(text, '- esp')}: unknown language 'esp': use an ISO 639-1 code such as es "
        "(did you mean 'es'?)",
        f"trip.yaml:{line_of(text, 'kind: bilateral')}: unknown kind 'bilateral' (did you mean "
        "'bilateral_meeting'?): use one of 'bilateral_meeting', 'site_tour', 'town_hall', 'roundtable', "
        "'remarks', 'press_availability' or 'press_briefing'",
        f"trip.yaml:{line_of(text, 'coverage: closed')}: unknown coverage 'closed' (did you mean "
        "'closed_press'?): use one of 'open_press', 'pool_spray' or 'closed_press'",
        f"trip.yaml:{line_of(text, 'counterpartt')}: unknown role 'counterpartt' (did you mean "
        "'counterpart'?): use one of 'principal', 'counterpart', 'delegation', 'host', 'guide', "
        "'moderator', 'briefer', 'press', 'staff', 'audience' or 'interpreter'",
    ]


def test_unknown_person_is_refused_where_referenced() -> None:
    document = trip_document()
    document["trip"]["principal"] = "ministr"
    document["destinations"][1]["engagements"][0]["participants"][1]["person"] = "nobody"
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'principal: ministr')}: unknown person 'ministr': add them under "
        "people (did you mean 'minister'?)",
        f"trip.yaml:{line_of(text, 'person: nobody')}: unknown person 'nobody': add them under people",
    ]


def test_duplicate_ids_name_the_first() -> None:
    document = trip_document()
    document["people"].append(copy.deepcopy(document["people"][0]))
    document["destinations"][1]["engagements"][0]["id"] = "mx-meeting"
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'id: minister', 2)}: duplicate person id 'minister' "
        f"(first on line {line_of(text, 'id: minister')})",
        f"trip.yaml:{line_of(text, 'id: mx-meeting', 2)}: duplicate engagement id 'mx-meeting' "
        f"(first on line {line_of(text, 'id: mx-meeting')})",
    ]


def test_duplicate_key_is_refused() -> None:
    text = (
        as_yaml(trip_document())
        .decode()
        .replace("  title: Test trip\n", "  title: Test trip\n  title: Again\n")
    )
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'title: Again')}: key 'title' appears twice "
        f"(first on line {line_of(text, 'title: Test trip')})"
    ]


def test_ends_must_be_after_starts() -> None:
    document = trip_document()
    document["destinations"][0]["engagements"][0]["ends"] = "2021-02-26T10:15"
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'ends: 2021-02-26T10:15')}: engagement 'mx-meeting' ends "
        "(2021-02-26T10:15) before it starts (2021-02-26T10:15): ends must be after starts"
    ]


def test_local_time_skipped_by_daylight_saving_is_refused() -> None:
    document = trip_document()
    press = document["destinations"][1]["engagements"][0]
    press["starts"], press["ends"] = "2021-03-14T02:30", "2021-03-14T04:00"
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'starts: 2021-03-14T02:30')}: starts: 2021-03-14 02:30 does not "
        "exist in America/New_York: the clocks skip it for daylight saving time"
    ]


def test_ambiguous_local_time_is_refused_with_both_offsets() -> None:
    document = trip_document()
    press = document["destinations"][1]["engagements"][0]
    press["starts"], press["ends"] = "2021-11-07T01:30", "2021-11-07T03:00"
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'starts: 2021-11-07T01:30')}: starts: 2021-11-07 01:30 happens "
        "twice in America/New_York because the clocks go back; give the offset, e.g. "
        "2021-11-07T01:30-04:00 or 2021-11-07T01:30-05:00"
    ]


def test_double_booked_person_names_both_engagements() -> None:
    document = trip_document()
    private = document["destinations"][0]["engagements"][1]
    private["starts"], private["ends"] = "2021-02-26T10:45", "2021-02-26T11:30"
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, '- id: mx-private')}: person 'minister' is in two engagements at "
        f"once: 'mx-meeting' (line {line_of(text, '- id: mx-meeting')}) and 'mx-private' overlap"
    ]


def test_back_to_back_engagements_do_not_overlap() -> None:
    document = trip_document()
    private = document["destinations"][0]["engagements"][1]
    private["starts"], private["ends"] = "2021-02-26T11:00", "2021-02-26T11:30"
    assert len(check_trip_file(as_yaml(document)).engagements) == 3


def test_counterpart_outside_local_office_hours_is_a_warning() -> None:
    document = trip_document()
    meeting = document["destinations"][0]["engagements"][0]
    meeting["starts"], meeting["ends"] = "2021-02-26T06:30", "2021-02-26T07:15"
    text = as_yaml(document).decode()
    planned = check_trip_file(text.encode())
    assert [w.render("trip.yaml") for w in planned.warnings] == [
        f"trip.yaml:{line_of(text, '- id: mx-meeting')}: warning: engagement 'mx-meeting' runs "
        "06:30–07:15 in America/Mexico_City, outside 07:00–21:00 local time for counterpart 'counterpart'"
    ]


TRAPS = """\
format: virtualtrip/1
trip:
  slug: norway-trip
  title: 1984
  principal: minister
  home: {city: Oslo, timezone: Europe/Oslo}
people:
  - {id: 007, name: Ana Minister, country: NO, languages: [no, en]}
  - {id: minister, name: Other, country: US}
destinations:
  - country: NO
    timezone: Europe/Oslo
    engagements:
      - id: no-meeting
        kind: bilateral_meeting
        title: Meeting
        starts: 2021-02-26T10:15
        ends: 2021-02-26T11:00
        coverage: closed_press
        public: true
"""


def test_yaml_traps_are_read_as_meant() -> None:
    planned = check_trip_file(TRAPS.encode())
    assert (planned.spec.trip.title, planned.spec.people[0].id, planned.spec.people[0].country) == (
        "1984",
        "007",
        "NO",
    )
    assert planned.spec.people[0].languages == ["no", "en"]
    assert planned.spec.destinations[0].country == "NO"


def test_yaml_traps_that_cannot_be_meant_are_refused_with_advice() -> None:
    text = (
        TRAPS.replace("public: true", "public: yes")
        .replace("starts: 2021-02-26T10:15", "starts: 10:15")
        .replace("title: Meeting", "title: ON")
        .replace("title: 1984", "title: true")
    )
    assert problems(text) == [
        'trip.yaml:4: title must be text, but YAML reads true as a boolean: quote it ("true")',
        "trip.yaml:20: public must be true or false, not 'yes' (yes, no, on and off are not booleans here)",
    ]
    text = TRAPS.replace("starts: 2021-02-26T10:15", "starts: 10:15")
    assert problems(text) == [
        "trip.yaml:17: starts: '10:15' is a time without a date (YAML 1.1 reads it as a number of seconds); "
        "write the date and the time, e.g. 2021-02-26T10:15"
    ]


def test_yaml_tags_are_refused() -> None:
    text = TRAPS.replace("title: 1984", "title: !!python/object:os.system echo")
    assert problems(text) == [
        "trip.yaml:4: YAML tag tag:yaml.org,2002:python/object:os.system is not allowed: remove it"
    ]


def test_every_problem_is_reported_not_only_the_first() -> None:
    document = trip_document()
    document["trip"]["home"]["timezone"] = "Mars/Olympus"
    document["people"][1]["country"] = "XX"
    document["destinations"][0]["engagements"][0]["coverage"] = "open"
    assert len(problems(as_yaml(document))) == 3


LIMITS = [
    (("trip", "slug"), 100),
    (("trip", "title"), 300),
    (("trip", "summary"), 4000),
    (("trip", "home", "city"), 200),
    (("people", 0, "name"), 200),
    (("people", 0, "title"), 300),
    (("people", 0, "label"), 200),
    (("people", 2, "outlet"), 200),
    (("destinations", 0, "mission"), 200),
    (("destinations", 0, "engagements", 0, "title"), 300),
    (("destinations", 0, "engagements", 0, "location"), 200),
]


def _set(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    place: Any = document
    for part in path[:-1]:
        place = place[part]
    place[path[-1]] = value


@pytest.mark.parametrize(("path", "limit"), LIMITS, ids=[".".join(map(str, p)) for p, _ in LIMITS])
def test_text_longer_than_its_limit_is_refused(path: tuple[str | int, ...], limit: int) -> None:
    document = trip_document()
    _set(document, path, "x" * limit)
    check_trip_file(as_yaml(document))
    _set(document, path, "x" * (limit + 1))
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, f'{path[-1]}: xxx')}: {path[-1]} is {limit + 1:,} characters long; "
        f"it may be at most {limit:,}"
    ]


def test_summary_of_one_long_word_is_refused() -> None:
    document = trip_document()
    document["trip"]["summary"] = "x" * 60_000
    text = as_yaml(document).decode()
    assert problems(text) == [
        f"trip.yaml:{line_of(text, 'summary:')}: summary is 60,000 characters long; it may be at most 4,000"
    ]


def test_limits_stay_within_what_the_database_stores() -> None:
    from django.db import models
    from pydantic import BaseModel

    from virtualtrip.trips.models import Destination, Engagement, Person, Trip
    from virtualtrip.trips.tripfile import spec

    fields: dict[type[BaseModel], tuple[type[models.Model], dict[str, str]]] = {
        spec.TripSpec: (Trip, {"slug": "slug", "title": "title"}),
        spec.HomeSpec: (Trip, {"city": "home_city", "timezone": "home_timezone"}),
        spec.PersonSpec: (
            Person,
            {"id": "key", "name": "name", "title": "title", "label": "label", "outlet": "outlet"},
        ),
        spec.DestinationSpec: (Destination, {"timezone": "timezone", "mission": "mission"}),
        spec.EngagementSpec: (
            Engagement,
            {"id": "key", "title": "title", "location": "location", "timezone": "timezone"},
        ),
    }
    for model, (table, columns) in fields.items():
        schema = model.model_json_schema()["properties"]
        for key, column in columns.items():
            limit = schema[key].get("maxLength") or next(
                option["maxLength"] for option in schema[key]["anyOf"] if "maxLength" in option
            )
            field = table._meta.get_field(column)
            assert isinstance(field, models.Field)
            assert limit <= field.max_length, (model.__name__, key)


def test_long_values_are_quoted_short_in_messages() -> None:
    document = trip_document()
    word = "y" * 60_000
    engagement = document["destinations"][0]["engagements"][0]
    engagement |= {"kind": word, "coverage": word, "public": word, "timezone": word, word: 1}
    document["people"][0]["country"] = word
    document["trip"]["principal"] = word
    found = problems(as_yaml(document))
    assert len(found) == 7
    assert max(len(message) for message in found) < 300, found
