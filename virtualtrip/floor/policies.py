"""The order the moderator's queue is offered in: pure functions of the waiting questions.

The moderator may still give the floor to anyone out of order; the policy only decides which
question is at the top."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from virtualtrip.trips.enums import QueuePolicy


@dataclass(frozen=True)
class Waiting:
    question: int
    person: int
    outlet: str
    country: str
    created_at: datetime
    outlet_has_asked: bool
    """Someone of this outlet (or this person, without an outlet) already had a question answered."""


def _first_come(entry: Waiting) -> tuple[datetime, int]:
    return (entry.created_at, entry.question)


def _priority_rank(entry: Waiting, priority: Sequence[str]) -> int:
    """The place of the first priority entry that names the question's outlet or country
    (`len(priority)` when none does). Outlets compare without case; countries are two capitals."""
    for rank, wanted in enumerate(priority):
        if wanted == entry.country or (entry.outlet and wanted.casefold() == entry.outlet.casefold()):
            return rank
    return len(priority)


def ordered(entries: Sequence[Waiting], policy: str, priority: Sequence[str] = ()) -> list[Waiting]:
    """The waiting questions in the order the policy offers them."""
    if policy == QueuePolicy.ONE_PER_OUTLET:
        return sorted(entries, key=lambda entry: (entry.outlet_has_asked, *_first_come(entry)))
    if policy == QueuePolicy.PRIORITY:
        return sorted(entries, key=lambda entry: (_priority_rank(entry, priority), *_first_come(entry)))
    return sorted(entries, key=_first_come)
