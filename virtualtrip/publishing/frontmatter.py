"""A document written as a file: YAML front matter between `---` lines, then the Markdown body.

The front matter is read with the trip file's loader (no implicit typing, no anchors), so the
same rules and the same `PATH:LINE: what is wrong` messages hold for both kinds of file.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from virtualtrip.publishing.actions import DocumentPlace, DocumentText
from virtualtrip.publishing.problems import DocumentInputError
from virtualtrip.trips.times import OutsideTripYears, check_year
from virtualtrip.trips.tripfile import source
from virtualtrip.trips.tripfile.problems import Problem, TripFileError

KEYS = (
    "kind",
    "title",
    "date",
    "language",
    "destination",
    "engagement",
    "embargo",
    "translation_of",
    "question",
)
REQUIRED = ("kind", "title", "date")
FENCE = "---"


class DocumentFileError(Exception):
    """The file was refused; nothing was created."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems)


@dataclass(frozen=True)
class DocumentFile:
    place: DocumentPlace
    text: DocumentText
    lines: dict[str, int]

    def problems_of(self, error: DocumentInputError) -> DocumentFileError:
        """The action's problems, each on the line of the key it is about (the body's first line)."""
        return DocumentFileError(
            [Problem(self.lines.get(p.field, 1), f"{p.field}: {p.message}") for p in error.problems]
        )


def read_document_file(raw: bytes) -> DocumentFile:
    try:
        text = source.decode(raw)
    except TripFileError as error:
        raise DocumentFileError(error.problems) from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise DocumentFileError(
            [Problem(1, "a document file starts with a '---' line, then its front matter")]
        )
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == FENCE), None)
    if end is None:
        raise DocumentFileError([Problem(1, "the front matter has no closing '---' line")])
    data = _front_matter("\n".join(lines[1:end]))
    body = "\n".join(lines[end + 1 :]).strip("\n") + "\n"
    return _document(data, body, body_line=end + 2)


def _front_matter(yaml_text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The keys and the file line of each (the front matter starts on line 2)."""
    try:
        data, line_map = source.load(yaml_text)
    except TripFileError as error:
        raise DocumentFileError([Problem(p.line + 1, p.message) for p in error.problems]) from None
    if not isinstance(data, dict):
        raise DocumentFileError(
            [Problem(2, "the front matter must be keys and values, such as 'kind: readout'")]
        )
    return data, {
        path[0]: line + 1
        for path, line in line_map.lines.items()
        if len(path) == 1 and isinstance(path[0], str)
    }


def _document(front: tuple[dict[str, Any], dict[str, int]], body: str, body_line: int) -> DocumentFile:
    data, lines = front
    lines["body"] = body_line
    problems = [
        Problem(lines[key], f"unknown key '{key}': expected one of {', '.join(KEYS)}")
        for key in data
        if key not in KEYS
    ]
    problems += [Problem(1, f"'{key}' is missing") for key in REQUIRED if data.get(key) in (None, "")]
    for key, value in data.items():
        if key in KEYS and value is not None and not isinstance(value, str):
            problems.append(Problem(lines[key], f"{key}: expected text, found {value!r}"))
    fields = {key: value for key, value in data.items() if isinstance(value, str)}
    day = _parsed(fields, "date", _day, "a date such as 2021-02-26", lines, problems)
    embargo = _parsed(fields, "embargo", _moment, "a time such as 2021-03-01T09:00-05:00", lines, problems)
    original = _parsed(fields, "translation_of", int, "a document id, such as 12", lines, problems)
    if problems:
        raise DocumentFileError(problems)
    place = DocumentPlace(
        kind=fields["kind"],
        language=fields.get("language", "en"),
        destination=fields.get("destination"),
        engagement=fields.get("engagement"),
        translation_of=original,
    )
    text = DocumentText(fields["title"], day, body, fields.get("question", ""), embargo)
    return DocumentFile(place, text, lines)


def _day(text: str) -> date:
    day = date.fromisoformat(text)
    check_year(day)
    return day


def _moment(text: str) -> datetime:
    """An instant within the years a trip may take (an embargo of 9999-12-31 would overflow)."""
    moment = datetime.fromisoformat(text)
    check_year(moment.date())
    return moment


def _parsed(
    fields: dict[str, str],
    key: str,
    parse: Any,
    expected: str,
    lines: dict[str, int],
    problems: list[Problem],
) -> Any:
    if key not in fields:
        return None
    try:
        return parse(fields[key])
    except OutsideTripYears as error:
        problems.append(Problem(lines[key], f"{key}: {error}"))
    except ValueError:
        problems.append(Problem(lines[key], f"{key}: {fields[key]!r} is not {expected}"))
    return None
