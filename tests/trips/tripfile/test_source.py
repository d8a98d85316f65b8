"""Reading a trip file: characters no text may hold, nesting, several documents, the parsers."""

import pytest
import yaml
from yaml._yaml import CParser

from tests.conftest import as_yaml, trip_document
from tests.trips.tripfile.conftest import PARSERS
from virtualtrip.trips.management.commands.load_demo import DEMO_TRIP
from virtualtrip.trips.tripfile import source
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.problems import LineMap, TripFileError
from virtualtrip.trips.tripfile.source import MAX_BYTES

VALID = as_yaml(trip_document()).decode()
TITLE_LINE = 4


def problems(text: str) -> list[str]:
    with pytest.raises(TripFileError) as caught:
        check_trip_file(text.encode())
    return [problem.render("trip.yaml") for problem in caught.value.problems]


def with_title(title: str) -> str:
    assert VALID.splitlines()[TITLE_LINE - 1] == "  title: Test trip"
    return VALID.replace("  title: Test trip\n", f"  title: {title}\n")


@pytest.mark.parametrize(
    ("title", "line"), [("[" * 400, TITLE_LINE), ("{a: " * 400, TITLE_LINE), ("\n    " + "- " * 400, 5)]
)
def test_deep_nesting_is_refused_on_its_line(title: str, line: int) -> None:
    assert problems(with_title(title + "x")) == [
        f"trip.yaml:{line}: nested more than 12 levels deep: a trip file needs at most 7"
    ]


def test_nesting_as_deep_as_a_trip_file_needs_is_read() -> None:
    assert source.load(with_title("[[[[[[[[[[x]]]]]]]]]]"))[0]["trip"]["title"] == [[[[[[[[[["x"]]]]]]]]]]


@pytest.mark.parametrize(
    ("character", "described"),
    [
        ("\x00", "the NUL character (U+0000)"),
        ("\x07", "a control character (U+0007)"),
        ("\x1b", "the ESC character (U+001B)"),
        ("\x7f", "the DEL character (U+007F)"),
        ("\x85", "a control character (U+0085)"),
        ("\u2028", "the LINE SEPARATOR character (U+2028)"),
        ("\uffff", "the character U+FFFF"),
    ],
)
def test_control_character_written_in_the_file_is_refused_with_line_and_column(
    character: str, described: str
) -> None:
    assert problems(with_title(f"Test{character}trip")) == [
        f"trip.yaml:{TITLE_LINE}: {described} at column 14 is not allowed in a trip file: remove it"
    ]


def test_control_characters_are_reported_once_a_line() -> None:
    text = with_title("a\x00b\x00c").replace("Ana Minister", "Ana\x01Minister")
    assert problems(text) == [
        f"trip.yaml:{TITLE_LINE}: the NUL character (U+0000) at column 11 is not allowed in a trip file: "
        "remove it",
        "trip.yaml:12: a control character (U+0001) at column 12 is not allowed in a trip file: remove it",
    ]


@pytest.mark.parametrize(
    ("escape", "described"),
    [
        ("\\0", "the NUL character (U+0000)"),
        ("\\x00", "the NUL character (U+0000)"),
        ("\\u0000", "the NUL character (U+0000)"),
        ("\\a", "a control character (U+0007)"),
        ("\\e", "the ESC character (U+001B)"),
        ("\\N", "a control character (U+0085)"),
        ("\\L", "the LINE SEPARATOR character (U+2028)"),
    ],
)
def test_control_character_from_an_escape_is_refused(escape: str, described: str) -> None:
    assert problems(with_title(f'"Test{escape}trip"')) == [
        f"trip.yaml:{TITLE_LINE}: title contains {described}, which cannot be stored: remove it"
    ]


def test_tab_and_line_breaks_from_escapes_are_text() -> None:
    planned = check_trip_file(
        VALID.replace("summary: A short trip for tests.", 'summary: "a\\tb\\r\\nc"').encode()
    )
    assert planned.spec.trip.summary == "a\tb\r\nc"


def test_control_characters_in_keys_and_lists_are_refused() -> None:
    text = VALID.replace("  - en\n", '  - "e\\0n"\n', 1).replace(
        "  slug: test-trip", '  "sl\\bug": test-trip'
    )
    assert problems(text) == [
        "trip.yaml:3: a key contains a control character (U+0008), which cannot be stored: remove it",
        "trip.yaml:17: languages contains the NUL character (U+0000), which cannot be stored: remove it",
    ]


def test_escape_beyond_unicode_is_refused(yaml_parser: str) -> None:
    message = {
        "libyaml": "found invalid Unicode character escape code",
        "python": "chr() arg not in range(0x110000)",
    }
    assert problems(with_title('"\\U00110000"')) == [
        f"trip.yaml:{TITLE_LINE}: not YAML: {message[yaml_parser]}"
    ]


def test_lone_surrogate_escape_is_refused(yaml_parser: str) -> None:
    message = {
        "libyaml": "not YAML: found invalid Unicode character escape code",
        "python": "title contains the character U+D800, which cannot be stored: remove it",
    }
    assert problems(with_title('"\\ud800"')) == [f"trip.yaml:{TITLE_LINE}: {message[yaml_parser]}"]


def test_error_at_the_end_of_a_file_without_a_final_line_break_is_on_its_last_line() -> None:
    found = problems("format: virtualtrip/1\ntrip: {")
    assert [line.split(":")[1] for line in found] == ["2"]


def test_several_documents_are_refused() -> None:
    assert problems(VALID + "---\nformat: virtualtrip/1\n") == [
        f"trip.yaml:{VALID.count(chr(10)) + 1}: a trip file holds one YAML document, not several"
    ]


def test_comments_only_is_an_empty_file() -> None:
    assert problems("# nothing yet\n") == ["trip.yaml:1: the file is empty"]


@pytest.mark.parametrize(
    ("tagged", "tag"),
    [
        ("title: !!str Test trip", "tag:yaml.org,2002:str"),
        ("title: ! Test trip", "!"),
        ("title: !local Test trip", "!local"),
        ("home: !!map", "tag:yaml.org,2002:map"),
    ],
)
def test_every_tag_is_refused(tagged: str, tag: str) -> None:
    key = tagged.split(":")[0]
    line = next(i for i, text in enumerate(VALID.splitlines(), 1) if text.startswith(f"  {key}:"))
    text = VALID.replace(f"  {key}:{' Test trip' if key == 'title' else ''}\n", f"  {tagged}\n", 1)
    assert problems(text) == [f"trip.yaml:{line}: YAML tag {tag} is not allowed: remove it"]


def test_parsers_give_the_same_data_and_lines() -> None:
    """libyaml and PyYAML's parser agree on every place of the demo trip, written two ways."""
    for text in (DEMO_TRIP.read_text(), as_yaml(yaml.safe_load(DEMO_TRIP.read_text())).decode()):
        results = [_load_with(parser, text) for parser in PARSERS.values() if parser is not None]
        assert results[0][1].lines
        assert all((data, lines.lines) == (results[0][0], results[0][1].lines) for data, lines in results)


def _load_with(parser: source.Parser, text: str) -> tuple[object, LineMap]:
    previous, source.parser = source.parser, parser
    try:
        return source.load(text)
    finally:
        source.parser = previous


def test_libyaml_parses_when_pyyaml_has_it() -> None:
    assert yaml.__with_libyaml__, "PyYAML was built without libyaml: the import is ten times slower"
    assert source.DEFAULT_PARSER is source.LIBYAML_PARSER is CParser


def test_a_file_full_of_control_characters_is_refused_at_once() -> None:
    lines = "\x00" * (MAX_BYTES // 2) + "\n" + "x\x00\n" * 100
    assert problems(lines) == [
        "trip.yaml:1: the NUL character (U+0000) at column 1 is not allowed in a trip file: remove it",
        *[
            f"trip.yaml:{line}: the NUL character (U+0000) at column 2 is not allowed in a trip file: "
            "remove it"
            for line in range(2, 21)
        ],
        "trip.yaml:21: this line and others after it hold such characters too",
    ]
