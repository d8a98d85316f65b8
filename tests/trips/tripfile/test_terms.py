"""A trip file's `terms` (trip and engagement) that a careless or hostile planner writes: each is
refused with its line and what is wrong, and the file is not imported."""

from typing import Any

import pytest

from tests.conftest import as_yaml, trip_document
from tests.trips.tripfile.test_press_terms import briefing_document, line_of, problems
from virtualtrip.trips.tripfile.check import check_trip_file


def with_terms(terms: Any, *, on_trip: bool = False) -> dict[str, Any]:
    document = briefing_document()
    if on_trip:
        document["trip"]["terms"] = terms
    else:
        document["destinations"][-1]["engagements"][0]["terms"] = terms
    return document


@pytest.mark.parametrize("on_trip", [False, True])
def test_501_terms_are_refused_on_their_line(on_trip: bool) -> None:
    document = with_terms([f"Term {n}" for n in range(501)], on_trip=on_trip)
    assert problems(document) == [
        f"trip.yaml:{line_of(document, 'terms:')}: terms: List should have at most 500 items after "
        "validation, not 501"
    ]


def test_500_terms_of_200_characters_are_taken() -> None:
    check_trip_file(as_yaml(with_terms([f"{n:03d}" + "x" * 197 for n in range(500)])))


@pytest.mark.parametrize(
    ("term", "said"),
    [
        ("x" * 201, "terms is 201 characters long; it may be at most 200"),
        ("Gdańsk\x07", "terms contains a control character (U+0007), which cannot be stored: remove it"),
        ("Gdańsk\x00", "terms contains the NUL character (U+0000), which cannot be stored: remove it"),
        ("Gdańsk\nGdynia", "term 'Gdańsk\\nGdynia' must be one line: a term is one name, as it is spelled"),
        ("Gdańsk\tGdynia", "term 'Gdańsk\\tGdynia' must be one line: a term is one name, as it is spelled"),
        (
            "Gda\u202ensk",
            "term 'Gda\\u202ensk' holds a direction override or isolate (U+202E): a term is written as "
            "it reads, without one",
        ),
        ("\u200b\u200d", "term '\\u200b\\u200d' is empty: it holds only invisible characters"),
        ("   ", "terms is empty"),
        (["Gdańsk"], "terms must be text"),
        ({"name": "Gdańsk"}, "terms must be text"),
        (True, 'terms must be text, but YAML reads true as a boolean: quote it ("true")'),
    ],
)
def test_a_term_that_is_no_one_line_name_is_refused_on_its_line(term: Any, said: str) -> None:
    document = with_terms(["Gdańsk Shipyard", term])
    found = problems(document)
    assert len(found) == 1
    assert found[0].split(": ", 1)[1] == said
    line = int(found[0].split(":")[1])
    assert line in {line_of(document, "terms:") + 1, line_of(document, "terms:") + 2}


def test_terms_that_are_not_a_list_are_refused() -> None:
    assert [p.split(": ", 1)[1] for p in problems(with_terms("Gdańsk"))] == ["terms must be a list"]


def test_numbers_are_read_as_the_text_they_are_written_as() -> None:
    planned = check_trip_file(as_yaml(with_terms([5, 1.5])))
    assert planned is not None


def test_right_to_left_terms_are_taken() -> None:
    check_trip_file(as_yaml(with_terms(["وزارة الخارجية", "משרד החוץ"])))


def test_the_trip_document_itself_is_still_valid() -> None:
    check_trip_file(as_yaml(trip_document()))
