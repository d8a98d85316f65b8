from datetime import UTC, datetime, timedelta

from virtualtrip.floor.policies import Waiting, ordered
from virtualtrip.trips.enums import QueuePolicy

START = datetime(2021, 3, 4, 14, 0, tzinfo=UTC)


def waiting(question: int, outlet: str, country: str, minutes: int, asked: bool = False) -> Waiting:
    return Waiting(question, question * 10, outlet, country, START + timedelta(minutes=minutes), asked)


QUEUE = [
    waiting(1, "CBC", "CA", 3, asked=True),
    waiting(2, "El Universal", "MX", 1),
    waiting(3, "Reuters", "GB", 2),
    waiting(4, "", "US", 0),
]


def order(policy: str, priority: list[str] | None = None) -> list[int]:
    return [entry.question for entry in ordered(QUEUE, policy, priority or [])]


def test_first_come_first_served() -> None:
    assert order(QueuePolicy.FIRST_COME) == [4, 2, 3, 1]


def test_outlets_that_asked_wait_for_the_others() -> None:
    assert order(QueuePolicy.ONE_PER_OUTLET) == [4, 2, 3, 1]
    assert order(QueuePolicy.ONE_PER_OUTLET)[-1] == 1


def test_priority_by_country_and_outlet_in_the_lists_order() -> None:
    assert order(QueuePolicy.PRIORITY, ["CA", "reuters"]) == [1, 3, 4, 2]
    assert order(QueuePolicy.PRIORITY, []) == [4, 2, 3, 1]


def test_ties_keep_the_order_they_came_in() -> None:
    same = [waiting(7, "A", "MX", 0), waiting(5, "B", "MX", 0)]
    assert [entry.question for entry in ordered(same, QueuePolicy.FIRST_COME)] == [5, 7]
