"""Resumable sockets on their room's hub (the floor's, on the in-memory layer and on Redis): each
follows the hub while open and leaves it however it ends; a socket that closes, or whose sends
wait, mid-broadcast holds up only itself; each still sends in seq order, an event committed while
it catches up after its state, and a command's answer before the events the command made."""

import asyncio
from typing import Any, cast

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from tests.floor.conftest import Briefing, admit, make_briefing
from tests.floor.sockets import FloorSocket
from tests.janus import run_async
from tests.rooms.sockets import claimed
from virtualtrip.floor.consumers import FloorConsumer
from virtualtrip.floor.state import stream_key
from virtualtrip.realtime import hub, journal
from virtualtrip.realtime.consumers import ResumableConsumer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_lasting_connections")]


@pytest.fixture
def briefing(layer: str) -> Briefing:
    made = make_briefing()
    admit(made.moderator, *made.journalists)
    return made


def followers(briefing: Briefing) -> list[ResumableConsumer]:
    """The sockets of this loop that follow the briefing's floor."""
    found = hub.hub_of(get_channel_layer(), stream_key(briefing.engagement.pk))
    return [] if found is None else [cast(ResumableConsumer, member) for member in found.members]


async def append(briefing: Briefing, type_: str) -> journal.Event:
    made: journal.Event = await database_sync_to_async(journal.append)(
        stream_key(briefing.engagement.pk), type_, {"log": {}}
    )
    return made


def test_a_socket_follows_the_rooms_hub_while_open_and_leaves_it_when_it_closes(briefing: Briefing) -> None:
    moderator, isabel = claimed(briefing.moderator), claimed(briefing.journalists[0])

    async def run() -> list[int]:
        console, hers = (
            FloorSocket(moderator, briefing.engagement.pk),
            FloorSocket(isabel, briefing.engagement.pk),
        )
        await console.open()
        await hers.open()
        counts = [len(followers(briefing))]
        await hers.close()
        counts.append(len(followers(briefing)))
        event = await append(briefing, "test.one")
        assert (await console.next())["seq"] == event.seq  # the hub goes on for the socket still open
        await console.close()
        counts.append(len(followers(briefing)))
        return counts

    assert run_async(run) == [2, 1, 0]


def test_a_socket_turned_away_never_follows_the_room(briefing: Briefing, settings: Any) -> None:
    settings.FLOOR_SOCKETS_PER_SEAT = 1
    isabel = claimed(briefing.journalists[0])

    async def run() -> int:
        first, second = (
            FloorSocket(isabel, briefing.engagement.pk),
            FloorSocket(isabel, briefing.engagement.pk),
        )
        await first.open()
        assert (await second.socket.connect())[0]
        assert (await second.next())["code"] == "too_many_sockets"
        count = len(followers(briefing))
        await second.close()
        await first.close()
        return count

    assert run_async(run) == 1


def test_a_socket_closed_mid_broadcast_is_dropped_and_the_others_get_the_event(briefing: Briefing) -> None:
    isabel, li = claimed(briefing.journalists[0]), claimed(briefing.journalists[1])

    async def run() -> tuple[int, int, int]:
        hers, his = FloorSocket(isabel, briefing.engagement.pk), FloorSocket(li, briefing.engagement.pk)
        await hers.open()
        await his.open()
        gone = next(s for s in followers(briefing) if s.viewer.person_id == briefing.journalists[0].person_id)

        async def closed(message: dict[str, Any]) -> None:
            raise OSError("the browser went away")  # as the server's send says it (ClientDisconnected)

        gone.base_send = closed
        first = await append(briefing, "test.one")
        assert (await his.next())["seq"] == first.seq
        second = await append(briefing, "test.two")
        assert (await his.next())["seq"] == second.seq
        assert gone.shut
        await hers.close()
        left = len(followers(briefing))
        await his.close()
        return first.seq, second.seq, left

    assert run_async(run) == (1, 2, 1)


def test_a_socket_whose_send_waits_holds_up_itself_only_and_then_sends_in_order(briefing: Briefing) -> None:
    isabel, li = claimed(briefing.journalists[0]), claimed(briefing.journalists[1])

    async def run() -> tuple[list[int], list[int]]:
        hers, his = FloorSocket(isabel, briefing.engagement.pk), FloorSocket(li, briefing.engagement.pk)
        await hers.open()
        await his.open()
        slow = next(s for s in followers(briefing) if s.viewer.person_id == briefing.journalists[0].person_id)
        drained, send = asyncio.Event(), slow.base_send

        async def full_buffer(message: dict[str, Any]) -> None:
            await drained.wait()  # as the server's send waits for a full write buffer to drain
            await send(message)

        slow.base_send = full_buffer
        for type_ in ("test.one", "test.two", "test.three"):
            await append(briefing, type_)
        his_seqs = [(await his.next())["seq"] for _ in range(3)]
        assert slow.sending is not None  # the first waits,
        assert len(slow.backlog) == 2  # and two behind it
        drained.set()
        her_seqs = [(await hers.next())["seq"] for _ in range(3)]
        await hers.close()
        await his.close()
        return his_seqs, her_seqs

    assert run_async(run) == ([1, 2, 3], [1, 2, 3])


def test_an_event_committed_while_a_socket_catches_up_is_sent_after_its_state(
    briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    isabel = claimed(briefing.journalists[0])
    snapshot = FloorConsumer.snapshot

    def snapshot_after_an_event(self: FloorConsumer, viewer: Any) -> dict[str, Any]:
        journal.append(stream_key(briefing.engagement.pk), "test.meanwhile", {"log": {}})
        return snapshot(self, viewer)

    monkeypatch.setattr(FloorConsumer, "snapshot", snapshot_after_an_event)

    async def run() -> list[tuple[str, int]]:
        hers = FloorSocket(isabel, briefing.engagement.pk)
        first = await hers.open()
        then = await hers.next()
        await hers.close()
        return [(first["type"], first["seq"]), (then["type"], then["seq"])]

    assert run_async(run) == [("floor.state", 0), ("test.meanwhile", 1)]


def test_a_commands_answer_comes_before_the_events_it_made(briefing: Briefing) -> None:
    isabel = claimed(briefing.journalists[0])

    async def run() -> list[str]:
        hers = FloorSocket(isabel, briefing.engagement.pk)
        await hers.open()
        await hers.socket.send_json_to({"type": "hand.raise", "id": "c1", "body": {}})
        got = [await hers.next(), await hers.next()]
        await hers.close()
        return [message["type"] for message in got]

    assert run_async(run) == ["ok", "hand.raised"]
