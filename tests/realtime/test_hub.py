"""A stream's hub: one layer channel in the stream's group for all of this process's sockets of it,
each handed every event in order; it ends with its last socket. On the in-memory layer and on Redis."""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from virtualtrip.realtime import hub
from virtualtrip.realtime.journal import EVENT_MESSAGE, Event

AT = datetime(2021, 2, 26, 10, 15, tzinfo=UTC)
WAIT_S = 5


class Socket:
    """A member that notes the seqs it is handed, and says when it has `expect` of them."""

    def __init__(self, expect: int = 1) -> None:
        self.seqs: list[int] = []
        self.expect = expect
        self.all_in = asyncio.Event()

    def hand(self, event: Event) -> None:
        self.seqs.append(event.seq)
        if len(self.seqs) >= self.expect:
            self.all_in.set()


class Broken(Socket):
    def hand(self, event: Event) -> None:
        raise RuntimeError("this socket fails")


def message(seq: int) -> dict[str, Any]:
    return {"type": EVENT_MESSAGE, "event": Event(seq, "floor.follow_up", {"log": {}}, AT).as_message()}


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_one_channel_receives_for_every_socket_and_each_is_handed_each_event_in_order(
    channel_layer: Any,
) -> None:
    async def go() -> tuple[list[list[int]], int]:
        sockets = [Socket(expect=3) for _ in range(3)]
        for socket in sockets:
            await hub.join(channel_layer, "floor-1", socket)
        for seq in (1, 2, 3):
            await channel_layer.group_send("floor-1", message(seq))
        for socket in sockets:
            await asyncio.wait_for(socket.all_in.wait(), WAIT_S)
        found = hub.hub_of(channel_layer, "floor-1")
        assert found is not None
        channels = {found.channel}
        for socket in sockets:
            await hub.leave(channel_layer, "floor-1", socket)
        return [socket.seqs for socket in sockets], len(channels)

    assert run(go()) == ([[1, 2, 3]] * 3, 1)


def test_the_in_memory_group_holds_the_hubs_channel_alone() -> None:
    from virtualtrip.realtime.layers import InMemoryChannelLayer

    async def go() -> tuple[list[str], list[str]]:
        layer = InMemoryChannelLayer()
        sockets = [Socket() for _ in range(50)]
        for socket in sockets:
            await hub.join(layer, "floor-1", socket)
        found = hub.hub_of(layer, "floor-1")
        assert found is not None
        members = list(layer.groups["floor-1"])
        for socket in sockets:
            await hub.leave(layer, "floor-1", socket)
        return members, list(layer.groups.get("floor-1", {}))

    members, after = run(go())
    assert (len(members), after) == (1, [])


def test_the_last_socket_to_leave_ends_the_hub_and_a_later_one_starts_another(channel_layer: Any) -> None:
    async def go() -> tuple[bool, bool, list[int], list[int]]:
        first, second = Socket(), Socket()
        await hub.join(channel_layer, "floor-1", first)
        await hub.join(channel_layer, "floor-1", second)
        await hub.leave(channel_layer, "floor-1", first)
        still = hub.hub_of(channel_layer, "floor-1") is not None
        await hub.leave(channel_layer, "floor-1", second)
        await hub.leave(channel_layer, "floor-1", second)  # a socket that ends twice
        gone = hub.hub_of(channel_layer, "floor-1") is None
        await channel_layer.group_send("floor-1", message(1))  # nobody follows the room now
        later = Socket()
        await hub.join(channel_layer, "floor-1", later)
        await channel_layer.group_send("floor-1", message(2))
        await asyncio.wait_for(later.all_in.wait(), WAIT_S)
        await hub.leave(channel_layer, "floor-1", later)
        return still, gone, first.seqs + second.seqs, later.seqs

    assert run(go()) == (True, True, [], [2])


def test_a_socket_that_left_is_handed_nothing_more(channel_layer: Any) -> None:
    async def go() -> tuple[list[int], list[int]]:
        staying, leaving = Socket(expect=2), Socket()
        await hub.join(channel_layer, "floor-1", staying)
        await hub.join(channel_layer, "floor-1", leaving)
        await channel_layer.group_send("floor-1", message(1))
        await asyncio.wait_for(leaving.all_in.wait(), WAIT_S)
        await hub.leave(channel_layer, "floor-1", leaving)
        await channel_layer.group_send("floor-1", message(2))
        await asyncio.wait_for(staying.all_in.wait(), WAIT_S)
        await hub.leave(channel_layer, "floor-1", staying)
        return staying.seqs, leaving.seqs

    assert run(go()) == ([1, 2], [1])


def test_two_rooms_each_get_their_own_events(channel_layer: Any) -> None:
    async def go() -> tuple[list[int], list[int], bool]:
        one, two = Socket(expect=2), Socket(expect=1)
        await hub.join(channel_layer, "floor-1", one)
        await hub.join(channel_layer, "floor-2", two)
        await channel_layer.group_send("floor-1", message(1))
        await channel_layer.group_send("floor-2", message(7))
        await channel_layer.group_send("floor-1", message(2))
        await asyncio.wait_for(one.all_in.wait(), WAIT_S)
        await asyncio.wait_for(two.all_in.wait(), WAIT_S)
        apart = hub.hub_of(channel_layer, "floor-1") is not hub.hub_of(channel_layer, "floor-2")
        await hub.leave(channel_layer, "floor-1", one)
        await hub.leave(channel_layer, "floor-2", two)
        return one.seqs, two.seqs, apart

    assert run(go()) == ([1, 2], [7], True)


def test_a_failing_socket_does_not_keep_the_event_from_the_others(
    channel_layer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def go() -> list[int]:
        broken, fine = Broken(), Socket()
        await hub.join(channel_layer, "floor-1", broken)
        await hub.join(channel_layer, "floor-1", fine)
        await channel_layer.group_send("floor-1", message(1))
        await asyncio.wait_for(fine.all_in.wait(), WAIT_S)
        await hub.leave(channel_layer, "floor-1", broken)
        await hub.leave(channel_layer, "floor-1", fine)
        return fine.seqs

    with caplog.at_level(logging.ERROR, logger="virtualtrip.realtime.hub"):
        assert run(go()) == [1]
    assert [record.getMessage() for record in caplog.records] == [
        "a socket of floor-1 failed to take event 1"
    ]


def test_other_messages_to_the_group_and_unreadable_events_are_not_handed_on(
    channel_layer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def go() -> list[int]:
        socket = Socket()
        await hub.join(channel_layer, "floor-1", socket)
        await channel_layer.group_send("floor-1", {"type": "room.event", "event": {"type": "seat.revoked"}})
        await channel_layer.group_send("floor-1", {"type": EVENT_MESSAGE, "event": {"seq": 1}})
        await channel_layer.group_send("floor-1", message(2))
        await asyncio.wait_for(socket.all_in.wait(), WAIT_S)
        await hub.leave(channel_layer, "floor-1", socket)
        return socket.seqs

    with caplog.at_level(logging.ERROR, logger="virtualtrip.realtime.hub"):
        assert run(go()) == [2]
    logged = [record.getMessage() for record in caplog.records]
    assert logged == ["an unreadable event for floor-1 was dropped"]


def test_each_event_loop_has_hubs_of_its_own(channel_layer: Any) -> None:
    """As tests do: one loop after another on the process's layer."""

    async def one_loop(seq: int) -> list[int]:
        socket = Socket()
        await hub.join(channel_layer, "floor-1", socket)
        await channel_layer.group_send("floor-1", message(seq))
        await asyncio.wait_for(socket.all_in.wait(), WAIT_S)
        await hub.leave(channel_layer, "floor-1", socket)
        return socket.seqs

    assert [run(one_loop(seq)) for seq in (1, 2)] == [[1], [2]]
