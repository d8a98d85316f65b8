"""Reading a trip file's bytes into plain data with a line for every place.

YAML 1.1's implicit typing is switched off: a plain scalar is text unless it is `true`, `false` or
`null` (the YAML 1.2 core spellings), so `NO` stays Norway, `001` keeps its zeros and `10:15` is
never 615 seconds. Fields that want a boolean refuse anything else with a message. Anchors,
aliases, merge keys and tags are refused, so a small file can never expand into a large one.
"""

import re
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from virtualtrip.trips.tripfile.problems import LineMap, Path, Problem, TripFileError

MAX_BYTES = 5 * 1024 * 1024
STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


class AnchorRefused(yaml.YAMLError):
    def __init__(self, mark: Any, what: str) -> None:
        super().__init__(what)
        self.mark = mark
        self.what = what


class TripFileLoader(yaml.SafeLoader):
    """A composer that refuses anchors and aliases and knows only text, booleans and null."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise AnchorRefused(event.start_mark, f"alias *{event.anchor} is not allowed")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise AnchorRefused(event.start_mark, f"anchor &{anchor} is not allowed")
        return super().compose_node(parent, index)


TripFileLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
TripFileLoader.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


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
    try:
        root = yaml.compose(text, Loader=TripFileLoader)
    except AnchorRefused as error:
        raise TripFileError(
            [Problem(error.mark.line + 1, f"{error.what}: write the value out in full")]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise TripFileError([Problem(line, f"not YAML: {error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise TripFileError([Problem(1, f"not YAML: {error}")]) from None
    if root is None:
        raise TripFileError([Problem(1, "the file is empty")])
    lines = LineMap()
    problems: list[Problem] = []
    data = _to_data(root, (), lines, problems)
    if problems:
        raise TripFileError(problems)
    return data, lines


def _to_data(node: Node, path: Path, lines: LineMap, problems: list[Problem]) -> Any:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        return _mapping(node, path, lines, problems)
    if isinstance(node, SequenceNode):
        _check_tag(node, SEQ_TAG, problems)
        return [_to_data(item, (*path, i), lines, problems) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    if not _check_tag(node, None, problems):
        return node.value
    if node.tag == BOOL_TAG and node.value.lower() in {"true", "false"}:
        return node.value.lower() == "true"
    if node.tag == NULL_TAG and node.value in {"", "~", "null", "Null", "NULL"}:
        return None
    if node.tag != STR_TAG:
        problems.append(Problem(node.start_mark.line + 1, f"'{node.value}' is not a {node.tag}"))
    return node.value


def _mapping(node: MappingNode, path: Path, lines: LineMap, problems: list[Problem]) -> dict[str, Any]:
    _check_tag(node, MAP_TAG, problems)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode) or key_node.tag != STR_TAG:
            problems.append(Problem(line, "a key must be plain text"))
            continue
        key = key_node.value
        if key == "<<":
            problems.append(Problem(line, "merge keys (<<) are not allowed: write the keys out in full"))
            continue
        if key in result:
            problems.append(
                Problem(line, f"key '{key}' appears twice (first on line {lines.lines[(*path, key)]})")
            )
            continue
        lines.lines[(*path, key)] = line
        result[key] = _to_data(value_node, (*path, key), lines, problems)
    return result


def _check_tag(node: Node, expected: str | None, problems: list[Problem]) -> bool:
    allowed = {expected} if expected else {STR_TAG, BOOL_TAG, NULL_TAG}
    if node.tag in allowed:
        return True
    problems.append(Problem(node.start_mark.line + 1, f"YAML tag {node.tag} is not allowed: remove it"))
    return False
