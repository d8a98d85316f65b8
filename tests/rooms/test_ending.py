"""The sweep that ends rooms left empty past their end, against the real Janus."""

from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tests.factories.rooms import ended_engagement
from tests.janus import run_async
from virtualtrip.rooms import actions, live
from virtualtrip.rooms.ending import ENDED_BY_SCHEDULE, end_empty_rooms
from virtualtrip.rooms.janus.client import janus_client
from virtualtrip.rooms.janus.servers import server_at
from virtualtrip.rooms.models import Room

pytestmark = [pytest.mark.janus, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_lasting_connections(monkeypatch) -> None:
    """The sweep reads the database from threads of its own: they close their connections after each
    read, so none outlives the test (and the test database can be dropped)."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


def room_on_janus(ended_minutes_ago: float) -> Room:
    engagement = ended_engagement(timedelta(minutes=ended_minutes_ago))
    room = actions.do_open_room(engagement)
    run_async(lambda: live.ensure_janus_room(room, engagement.title))
    return room


async def exists(room: Room) -> bool:
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        return bool((await janus.videoroom({"request": "exists", "room": room.janus_room}))["exists"])


def sweep(seen_empty: set[int]) -> list[int]:
    return run_async(lambda: end_empty_rooms(timezone.now(), seen_empty))


def test_a_room_empty_on_two_sweeps_past_its_end_is_ended_and_destroyed(own_janus) -> None:
    room = room_on_janus(ended_minutes_ago=10)
    seen_empty: set[int] = set()
    assert sweep(seen_empty) == []  # once could be a Janus restart
    room.refresh_from_db()
    assert room.ended_at is None
    assert sweep(seen_empty) == [room.engagement_id]
    room.refresh_from_db()
    assert room.ended_at is not None
    assert room.ended_by == ENDED_BY_SCHEDULE
    assert run_async(lambda: exists(room)) is False


def test_a_room_within_its_grace_or_with_people_in_it_stays_open(own_janus) -> None:
    recent = room_on_janus(ended_minutes_ago=1)
    busy = room_on_janus(ended_minutes_ago=10)

    async def sit_in_busy_room_and_sweep() -> list[int]:
        server = server_at(busy.server)
        async with janus_client(server.url, server.api_secret) as guest:
            joined = await guest.videoroom(
                {"request": "join", "ptype": "publisher", "room": busy.janus_room, "pin": busy.pin}
            )
            assert joined["videoroom"] == "joined"
            seen_empty: set[int] = set()
            return await end_empty_rooms(timezone.now(), seen_empty) + await end_empty_rooms(
                timezone.now(), seen_empty
            )

    assert run_async(sit_in_busy_room_and_sweep) == []
    for room in (recent, busy):
        room.refresh_from_db()
        assert room.ended_at is None


def test_the_sweep_on_the_serving_loop_tells_the_room_at_once(own_janus) -> None:
    """`serve` sweeps on the loop its sockets wait on: the in-memory layer's `room.ended` reaches a
    waiting socket as soon as the sweep ends the room (sent from another thread's loop, it waited
    for the loop to wake for something else)."""
    import asyncio

    from channels.layers import get_channel_layer

    from virtualtrip.rooms import protocol
    from virtualtrip.rooms.ending import sweep_forever

    room = room_on_janus(ended_minutes_ago=10)

    async def ended_event() -> tuple[str, float]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(protocol.room_group(room.engagement_id), channel)
        sweeping = asyncio.create_task(sweep_forever(every=0.2))
        started = asyncio.get_running_loop().time()
        try:
            message = await asyncio.wait_for(layer.receive(channel), timeout=10)
        finally:
            sweeping.cancel()
            await asyncio.gather(sweeping, return_exceptions=True)
        return message["event"]["type"], asyncio.get_running_loop().time() - started

    kind, waited = run_async(ended_event)
    assert kind == "room.ended"
    assert waited < 5  # two sweeps 0.2 s apart, and the Janus and database round trips
