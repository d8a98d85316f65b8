"""Problems found in a trip file, each tied to the line it is about."""

from dataclasses import dataclass, field
from enum import StrEnum

Path = tuple[str | int, ...]

SHOWN_LENGTH = 60


def shown(value: object) -> str:
    """A value as a message quotes it: cut short, so a long word does not flood the terminal."""
    text = str(value)
    return text if len(text) <= SHOWN_LENGTH else f"{text[: SHOWN_LENGTH - 1]}…"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def render(self, source: str) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{source}:{self.line}: {prefix}{self.message}"


@dataclass
class LineMap:
    """The line each place of the document starts on (1-based), by its path of keys and indexes."""

    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest enclosing place (a missing key has no line)."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


class TripFileError(Exception):
    """The file was refused; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems)
