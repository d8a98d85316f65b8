"""Whatever bytes come in, the reader gives a plan or problems with lines, never another exception."""

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.tripfile.check import PlannedTrip, check_trip_file
from virtualtrip.trips.tripfile.problems import TripFileError

VALID = as_yaml(trip_document()).decode()
YAML_PUNCTUATION = "-?:,[]{}#&*!|>'\"%@`~<= \t\n\r\\"
SOME_CHARACTERS = st.characters(codec="utf-8") | st.sampled_from(
    ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\uffff", "\U0010ffff"]
)
YAMLISH = st.text(st.sampled_from(YAML_PUNCTUATION + "abnoty01") | SOME_CHARACTERS, max_size=200)
ESCAPES = st.sampled_from(
    ["\\0", "\\a", "\\x07", "\\u0000", "\\ud800", "\\U00110000", "\\N", "\\L", "\\e", "\\"]
)
EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def read(raw: bytes) -> PlannedTrip | TripFileError:
    """The plan, or the error with its problems checked: some, each on a line of the file."""
    try:
        return check_trip_file(raw)
    except TripFileError as error:
        refused = error
    last_line = raw.count(b"\n") + 1
    rendered = [problem.render("trip.yaml") for problem in refused.problems]
    assert rendered
    assert all(1 <= problem.line <= last_line and problem.message for problem in refused.problems), rendered
    return refused


@EXAMPLES
@given(st.binary(max_size=300))
def test_any_bytes_give_a_plan_or_problems(raw: bytes) -> None:
    read(raw)


@EXAMPLES
@given(YAMLISH)
def test_any_yaml_ish_text_gives_a_plan_or_problems(text: str) -> None:
    read(text.encode())


@EXAMPLES
@given(st.data())
def test_a_valid_file_with_text_spliced_in_gives_a_plan_or_problems(data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(VALID)))
    cut = data.draw(st.integers(0, 20))
    piece = data.draw(YAMLISH | ESCAPES.map(lambda escape: f'"{escape}"'))
    read((VALID[:at] + piece + VALID[at + cut :]).encode())


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


PATHS = _paths(trip_document())[1:]
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(SOME_CHARACTERS, max_size=30)
    | st.text(max_size=5000),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@EXAMPLES
@given(st.sampled_from(PATHS), VALUES)
def test_any_value_anywhere_gives_a_plan_or_problems(path: tuple[Any, ...], value: Any) -> None:
    document = copy.deepcopy(trip_document())
    place: Any = document
    for part in path[:-1]:
        place = place[part]
    place[path[-1]] = value
    read(yaml.safe_dump(document, allow_unicode=True).encode())
