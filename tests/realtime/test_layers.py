"""The in-memory layer the app uses: a group's message reaches each member once, expired messages
and memberships still go, and a full member is skipped without failing the others."""

import asyncio
from typing import Any

import pytest

from virtualtrip.realtime import layers
from virtualtrip.realtime.layers import InMemoryChannelLayer


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_each_member_gets_the_message_once_and_others_none() -> None:
    async def go() -> list[dict]:
        layer = InMemoryChannelLayer()
        members = [await layer.new_channel() for _ in range(300)]
        outsider = await layer.new_channel()
        for channel in members:
            await layer.group_add("floor-7", channel)
        await layer.group_send("floor-7", {"type": "realtime.event", "event": {"seq": 1}})
        got = [await asyncio.wait_for(layer.receive(channel), 1) for channel in members]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(members[0]), 0.05)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(outsider), 0.05)
        return got

    got = run(go())
    assert got == [{"type": "realtime.event", "event": {"seq": 1}}] * 300


def test_the_sender_can_change_its_message_afterwards(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def go() -> Any:
        layer = InMemoryChannelLayer()
        channel = await layer.new_channel()
        await layer.group_add("g", channel)
        body = [1]
        await layer.group_send("g", {"type": "x", "event": {"body": body}})
        body.append(2)
        return await layer.receive(channel)

    assert run(go()) == {"type": "x", "event": {"body": [1]}}


def test_expired_messages_and_their_channels_are_still_swept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def go() -> tuple[bool, bool]:
        layer = InMemoryChannelLayer(expiry=0)
        channel = await layer.new_channel()
        await layer.group_add("g", channel)
        await layer.group_send("g", {"type": "x"})
        await asyncio.sleep(0.01)
        monkeypatch.setattr(layers, "SWEEP_EVERY_S", 0)
        await layer.group_send("g", {"type": "y"})  # sweeps first: the old message expired
        return channel in layer.channels, channel in layer.groups.get("g", {})

    assert run(go()) == (False, False)


def test_a_full_member_misses_the_message_and_the_others_get_it() -> None:
    async def go() -> Any:
        layer = InMemoryChannelLayer(capacity=1)
        slow, fast = await layer.new_channel(), await layer.new_channel()
        for channel in (slow, fast):
            await layer.group_add("g", channel)
        await layer.group_send("g", {"type": "first"})
        await layer.receive(fast)
        await layer.group_send("g", {"type": "second"})  # slow's queue is full
        return await layer.receive(fast)

    assert run(go()) == {"type": "second"}


def test_a_queue_is_made_only_where_none_is_and_dropped_once_read_empty() -> None:
    async def go() -> tuple[bool, bool, bool]:
        layer = InMemoryChannelLayer()
        channel = await layer.new_channel()
        await layer.group_add("g", channel)
        await layer.group_send("g", {"type": "first"})
        queue = layer.channels[channel]
        await layer.group_send("g", {"type": "second"})
        same = layer.channels[channel] is queue
        await layer.receive(channel)
        kept_while_not_empty = layer.channels.get(channel) is queue
        await layer.receive(channel)
        return same, kept_while_not_empty, channel in layer.channels

    assert run(go()) == (True, True, False)


def test_one_layer_serves_one_event_loop_after_another() -> None:
    """As tests do: each runs its own loop, the process's layer is the same."""
    layer = InMemoryChannelLayer()

    async def one_loop(name: str) -> Any:
        channel = "specific.test!socket"
        await layer.group_add("g", channel)
        await layer.group_send("g", {"type": name})
        waiting = asyncio.ensure_future(layer.receive(channel))
        got = await asyncio.wait_for(waiting, 1)
        left = asyncio.ensure_future(layer.receive(channel))  # a socket closed while it waited
        await asyncio.sleep(0)
        assert not left.done(), left.exception()  # waiting, on a queue of this loop
        left.cancel()
        return got

    assert [run(one_loop(name)) for name in ("a", "b")] == [{"type": "a"}, {"type": "b"}]


def test_a_full_channel_refuses_a_direct_send() -> None:
    from channels.exceptions import ChannelFull

    async def go() -> None:
        layer = InMemoryChannelLayer(capacity=1)
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "a"})
        await layer.send(channel, {"type": "b"})

    with pytest.raises(ChannelFull):
        run(go())
