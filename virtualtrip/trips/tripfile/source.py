"""Reading a trip file's bytes into plain data with a line for every place.

YAML 1.1's implicit typing is switched off: a plain scalar is text unless it is `true`, `false` or
`null` (the YAML 1.2 core spellings), so `NO` stays Norway, `001` keeps its zeros and `10:15` is
never 615 seconds. Fields that want a boolean refuse anything else with a message. Anchors,
aliases, merge keys and tags are refused, so a small file can never expand into a large one.

The data is built straight from the parser's events, without YAML's composer: an anchor or an alias
is refused the moment the parser reports it, nothing is ever expanded, and nesting is followed with
an explicit stack, so a title of a thousand `[` is a problem on its line, not a recursion error.
libyaml parses when PyYAML was built with it (`yaml.__with_libyaml__`); PyYAML's own parser, ten
times slower, gives the same events and the same lines when it was not.
"""

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from virtualtrip.trips.tripfile.problems import LineMap, Path, Problem, TripFileError, shown
from virtualtrip.trips.validators import describe_character, text_problem

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 12
"""The deepest a trip file nests is 7 (participants in an engagement in a destination)."""
MAX_RAW_PROBLEMS = 20
TRUE = frozenset({"true", "True", "TRUE"})
FALSE = frozenset({"false", "False", "FALSE"})
NULL = frozenset({"", "~", "null", "Null", "NULL"})

RAW_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters a trip file may not hold as written: control characters (NUL among them), and the
Unicode line and paragraph separators, which YAML counts as line breaks and editors do not."""


class EventSource(Protocol):
    def get_event(self) -> Event | None: ...


Parser = Callable[[str], EventSource]


def _python_parser(text: str) -> EventSource:
    return yaml.SafeLoader(text)


def _libyaml_parser() -> Parser | None:
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None
    return CParser


PYTHON_PARSER: Parser = _python_parser
LIBYAML_PARSER: Parser | None = _libyaml_parser()
DEFAULT_PARSER: Parser = LIBYAML_PARSER or PYTHON_PARSER
parser: Parser = DEFAULT_PARSER
"""The parser `load` uses: libyaml's when PyYAML has it."""


class _Refused(Exception):
    """A construct that stops the reading at once (anchors, aliases, nesting too deep)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def decode(raw: bytes) -> str:
    """The text of a trip file, or `TripFileError` for a file too large or not UTF-8."""
    if len(raw) > MAX_BYTES:
        raise TripFileError(
            [Problem(1, f"file is {len(raw):,} bytes; a trip file may be at most {MAX_BYTES:,} bytes (5 MB)")]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TripFileError(
            [
                Problem(
                    line,
                    f"not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded; save the file as UTF-8",
                )
            ]
        ) from None


def load(text: str) -> tuple[Any, LineMap]:
    """Plain data (dicts, lists, str, bool, None) and the line of each place in it."""
    _refuse_forbidden_characters(text)
    builder = _Builder()
    try:
        builder.read(parser(text))
    except _Refused as refused:
        problems = [refused.problem]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems = [Problem(line, f"not YAML: {_one_line(error.problem or str(error))}")]
    except yaml.YAMLError as error:
        problems = [Problem(1, f"not YAML: {_one_line(str(error))}")]
    except ValueError as error:  # PyYAML's own scanner, on an escape such as "\U00110000"
        problems = [Problem(builder.line, f"not YAML: {error}")]
    else:
        problems = builder.problems
    if problems:
        raise TripFileError(_within(problems, text.count("\n") + 1))
    if builder.root is _NOTHING:
        raise TripFileError([Problem(1, "the file is empty")])
    return builder.root, LineMap(builder.lines)


def _within(problems: list[Problem], last_line: int) -> list[Problem]:
    """libyaml puts the end of a file without a final line break on the line after it."""
    return [replace(problem, line=min(problem.line, last_line)) for problem in problems]


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _refuse_forbidden_characters(text: str) -> None:
    """One problem per line holding a character no trip file may hold, with its column."""
    problems: list[Problem] = []
    found = RAW_FORBIDDEN.search(text)
    while found is not None:
        line_start = text.rfind("\n", 0, found.start()) + 1
        line = text.count("\n", 0, line_start) + 1
        if len(problems) == MAX_RAW_PROBLEMS:
            problems.append(Problem(line, "this line and others after it hold such characters too"))
            break
        problems.append(
            Problem(
                line,
                f"{describe_character(found.group())} at column {found.start() - line_start + 1} "
                "is not allowed in a trip file: remove it",
            )
        )
        line_end = text.find("\n", found.start())
        found = RAW_FORBIDDEN.search(text, line_end) if line_end >= 0 else None
    if problems:
        raise TripFileError(problems)


_NOTHING: Any = object()
_DISCARD = object()
"""The key of a mapping entry whose value is read and dropped (the key itself was refused)."""


class _Collection:
    """A mapping or sequence being read, and in a mapping, the key waiting for its value."""

    __slots__ = ("key", "path", "value")

    def __init__(self, value: dict[str, Any] | list[Any], path: Path) -> None:
        self.value = value
        self.path = path
        self.key: object = None


class _Builder:
    """Plain data from a stream of parser events, checked as it is built."""

    def __init__(self) -> None:
        self.root: Any = _NOTHING
        self.lines: dict[Path, int] = {}
        self.problems: list[Problem] = []
        self.line = 1
        self._stack: list[_Collection] = []
        self._documents = 0
        self._done = False

    def read(self, events: EventSource) -> None:
        handlers: dict[type[Event], Callable[[Any], None]] = {
            ScalarEvent: self._scalar,
            MappingStartEvent: self._start,
            SequenceStartEvent: self._start,
            MappingEndEvent: self._end,
            SequenceEndEvent: self._end,
            AliasEvent: self._alias,
            DocumentStartEvent: self._document,
            DocumentEndEvent: _ignore,
            StreamStartEvent: _ignore,
            StreamEndEvent: self._stream_end,
        }
        while not self._done:
            event = events.get_event()
            assert event is not None
            assert event.start_mark is not None
            self.line = event.start_mark.line + 1
            handlers[type(event)](event)

    def _stream_end(self, event: StreamEndEvent) -> None:
        self._done = True

    def _document(self, event: DocumentStartEvent) -> None:
        self._documents += 1
        if self._documents > 1:
            self.problems.append(Problem(self.line, "a trip file holds one YAML document, not several"))
            self._done = True

    def _alias(self, event: AliasEvent) -> None:
        raise _Refused(
            Problem(self.line, f"alias *{event.anchor} is not allowed: write the value out in full")
        )

    def _refuse_anchor_and_tag(self, event: ScalarEvent | CollectionStartEvent) -> None:
        if event.anchor is not None:
            raise _Refused(
                Problem(self.line, f"anchor &{event.anchor} is not allowed: write the value out in full")
            )
        if event.tag is not None:
            self.problems.append(Problem(self.line, f"YAML tag {event.tag} is not allowed: remove it"))

    def _start(self, event: CollectionStartEvent) -> None:
        self._refuse_anchor_and_tag(event)
        if len(self._stack) == MAX_DEPTH:
            raise _Refused(
                Problem(self.line, f"nested more than {MAX_DEPTH} levels deep: a trip file needs at most 7")
            )
        value: dict[str, Any] | list[Any] = {} if isinstance(event, MappingStartEvent) else []
        self._stack.append(_Collection(value, self._path()))

    def _end(self, event: Event) -> None:
        self._deliver(self._stack.pop().value, is_text=False)

    def _path(self) -> Path:
        """The path of the node starting now, recording its line."""
        if not self._stack:
            path: Path = ()
        else:
            parent = self._stack[-1]
            if isinstance(parent.value, list):
                path = (*parent.path, len(parent.value))
            elif isinstance(parent.key, str):
                path = (*parent.path, parent.key)
            else:
                return (*parent.path, "")  # a key, or a value being dropped: no line to keep
        self.lines.setdefault(path, self.line)
        return path

    def _scalar(self, event: ScalarEvent) -> None:
        self._refuse_anchor_and_tag(event)
        text = event.value
        plain = event.tag is None and event.implicit[0]
        if plain and text in NULL:
            value: Any = None
        elif plain and (text in TRUE or text in FALSE):
            value = text in TRUE
        else:
            value = text
            self._check_text(text)
        if not self._stack or isinstance(self._stack[-1].value, list):
            self._path()  # a mapping's value has the line of its key, recorded with the key
        self._deliver(value, is_text=isinstance(value, str))

    def _check_text(self, text: str) -> None:
        problem = text_problem(text)
        if problem is None:
            return
        parent = self._stack[-1] if self._stack else None
        if parent is not None and isinstance(parent.value, dict) and parent.key is None:
            what = "a key"
        else:
            names = [part for part in self._path() if isinstance(part, str) and part]
            what = names[-1] if names else "the document"
        self.problems.append(Problem(self.line, f"{what} {problem}"))

    def _deliver(self, value: Any, *, is_text: bool) -> None:
        """Put a finished node where it belongs: the root, a list, or a mapping's key or value."""
        if not self._stack:
            self.root = value
            return
        parent = self._stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.key is None:
            self._key(parent, value, is_text=is_text)
        else:
            if isinstance(parent.key, str):
                parent.value[parent.key] = value
            parent.key = None

    def _key(self, mapping: _Collection, key: Any, *, is_text: bool) -> None:
        assert isinstance(mapping.value, dict)
        mapping.key = _DISCARD
        if not is_text:
            self.problems.append(Problem(self.line, "a key must be plain text"))
        elif key == "<<":
            self.problems.append(
                Problem(self.line, "merge keys (<<) are not allowed: write the keys out in full")
            )
        elif (*mapping.path, key) in self.lines:
            first = self.lines[(*mapping.path, key)]
            self.problems.append(
                Problem(self.line, f"key '{shown(key)}' appears twice (first on line {first})")
            )
        else:
            mapping.key = key
            self.lines[(*mapping.path, key)] = self.line


def _ignore(event: Event) -> None:
    """Stream start and document end carry nothing a trip file needs."""
