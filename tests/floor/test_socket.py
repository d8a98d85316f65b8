"""The floor socket on the in-memory layer and on Redis: the snapshot, fan-out of events to every
socket of the room, resume with missed events or a snapshot, refusals with stable codes, and the
cap on one seat's sockets."""

from typing import Any

import pytest
from channels.db import database_sync_to_async

from tests.factories.rooms import seat
from tests.floor.conftest import Briefing, admit, make_briefing
from tests.floor.sockets import FloorSocket
from tests.janus import run_async
from tests.rooms.sockets import claimed
from virtualtrip.floor.consumers import OPEN
from virtualtrip.floor.state import stream_key
from virtualtrip.realtime import journal
from virtualtrip.rooms.seats import person_seat_key
from virtualtrip.trips.enums import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_lasting_connections")]


@pytest.fixture
def briefing(layer) -> Briefing:  # type: ignore[no-untyped-def]
    made = make_briefing()
    admit(made.moderator, *made.journalists)
    return made


def test_events_reach_every_socket_in_order_and_commands_are_answered(briefing: Briefing) -> None:
    moderator, isabel, li = (claimed(p) for p in [briefing.moderator, *briefing.journalists[:2]])

    async def run() -> None:
        console, hers, his = (FloorSocket(c, briefing.engagement.pk) for c in (moderator, isabel, li))
        for socket in (console, hers, his):
            state = await socket.open()
            assert state["type"] == "floor.state"
            assert state["seq"] == 0
        assert (await hers.command("hand.raise"))["type"] == "ok"
        raised = [await socket.until("hand.raised") for socket in (console, his)]
        assert [event["seq"] for event in raised] == [1, 1]
        question = raised[0]["body"]["queue"][0]["question"]
        await his.command("question.ask", text="<b>bold</b> question")
        asked = await console.until("question.asked")
        assert asked["body"]["queue"][1]["text"] == "<b>bold</b> question"
        assert "text" not in (await hers.until("question.asked"))["body"]["queue"][1]
        # Encoded once per view in this process: the author still sees their own text.
        assert (await his.until("question.asked"))["body"]["queue"][1]["text"] == "<b>bold</b> question"
        assert (await console.command("floor.give", question=question))["type"] == "ok"
        granted = await hers.until("floor.granted")
        assert granted["body"]["floor"]["name"] == "Isabel González"
        assert granted["seq"] == 3
        for socket in (console, hers, his):
            await socket.close()

    run_async(run)


def test_a_journalists_give_floor_gets_an_error_code_and_nothing_changes(briefing: Briefing) -> None:
    isabel = claimed(briefing.journalists[0])

    async def run() -> None:
        socket = FloorSocket(isabel, briefing.engagement.pk)
        await socket.open()
        answer = await socket.command("floor.give", person=briefing.journalists[0].person_id)
        assert (answer["type"], answer["code"], answer["seq"]) == ("error", "forbidden", None)
        assert (await socket.command("floor.give", question="1"))["code"] == "invalid"
        assert (await socket.command("floor.seize"))["code"] == "unknown_command"
        assert (await socket.command("question.ask", text="x" * 2001))["code"] == "too_long"
        await socket.socket.send_to(text_data="{not json")
        assert (await socket.next())["code"] == "not_json"
        await socket.close()

    run_async(run)
    assert journal.head(stream_key(briefing.engagement.pk)) == 0


def test_a_reconnecting_socket_gets_what_it_missed_or_a_snapshot(briefing: Briefing, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    isabel, li = claimed(briefing.journalists[0]), claimed(briefing.journalists[1])

    async def run() -> None:
        first = FloorSocket(isabel, briefing.engagement.pk)
        await first.open()
        await first.command("hand.raise")
        await first.close()  # the page drops
        other = FloorSocket(li, briefing.engagement.pk)
        await other.open()
        await other.command("hand.raise")
        await other.command("question.ask", text="¿Y la frontera?")
        await other.close()
        back = FloorSocket(isabel, briefing.engagement.pk, since=1)
        missed = [await back.open(), await back.next(), await back.next()]
        assert [(m["type"], m["seq"]) for m in missed] == [
            ("hand.raised", 2),
            ("question.asked", 3),
            ("resumed", 3),
        ]
        assert "text" not in missed[1]["body"]["queue"][2]
        await back.close()
        monkeypatch.setattr(journal, "RESUME_LIMIT", 1)
        late = FloorSocket(isabel, briefing.engagement.pk, since=1)
        state = await late.open()
        assert (state["type"], state["seq"]) == ("floor.state", 3)
        mine = [
            entry for entry in state["body"]["queue"] if entry["person"] == briefing.journalists[0].person_id
        ]
        assert [(entry["kind"], entry["place"]) for entry in mine] == [
            ("hand", 1)
        ]  # the hand survived the drop
        await late.close()
        for odd in ("%C2%B2", "-1", "1e3", "%EF%BC%91"):  # ², a minus, an exponent, a full-width 1
            strange = FloorSocket(isabel, briefing.engagement.pk)
            strange.socket.scope["query_string"] = f"since={odd}".encode()
            assert (await strange.open())["type"] == "floor.state"
            await strange.close()
        forged = FloorSocket(isabel, briefing.engagement.pk, since=999)
        assert (await forged.open())["type"] == "floor.state"
        await forged.close()

    run_async(run)


def test_a_gap_in_the_fan_out_is_filled_from_the_journal(briefing: Briefing) -> None:
    """Events committed by two processes may arrive out of order: the socket sends them in seq order."""
    isabel = claimed(briefing.journalists[0])

    async def run() -> None:
        socket = FloorSocket(isabel, briefing.engagement.pk)
        await socket.open()
        from channels.layers import get_channel_layer

        first = await database_sync_to_async(journal.append)(
            stream_key(briefing.engagement.pk), "test.one", {"log": {}}
        )
        second = await database_sync_to_async(journal.append)(
            stream_key(briefing.engagement.pk), "test.two", {"log": {}}
        )
        assert (await socket.next())["seq"] == first.seq
        assert (await socket.next())["seq"] == second.seq
        layer = get_channel_layer()
        await layer.group_send(
            stream_key(briefing.engagement.pk), {"type": "realtime.event", "event": first.as_message()}
        )
        third = await database_sync_to_async(journal.append)(
            stream_key(briefing.engagement.pk), "test.three", {"log": {}}
        )
        assert (await socket.next())["seq"] == third.seq  # the repeat of the first was dropped
        await socket.close()

    run_async(run)


def test_a_flooding_socket_is_slowed_and_told_so(briefing: Briefing) -> None:
    isabel = claimed(briefing.journalists[0])

    async def run() -> None:
        socket = FloorSocket(isabel, briefing.engagement.pk)
        await socket.open()
        for number in range(40):
            await socket.socket.send_json_to({"type": "hand.lower", "id": f"f{number}", "body": {}})
        answers = [await socket.next() for _ in range(40)]
        codes = [answer.get("code") for answer in answers]
        assert "too_fast" in codes
        assert codes[0] is None  # the first ones were done
        dropped = [answer["in_response"] for answer in answers if answer.get("code") == "too_fast"]
        assert dropped[0] == f"f{codes.index('too_fast')}"  # the page learns which one
        await socket.close()

    run_async(run)


def test_no_seat_no_socket(layer) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    engagement = make_briefing().engagement

    async def run() -> None:
        socket = FloorSocket(Client(), engagement.pk)
        connected, _ = await socket.socket.connect()
        assert connected
        assert (await socket.socket.receive_output(timeout=5))["code"] == 4403
        await socket.close()

    run_async(run)


def test_when_the_moderator_drops_the_floor_stays_and_another_staff_member_runs_it(
    briefing: Briefing,
) -> None:

    host = seat(briefing.engagement, Role.HOST, name="Hôte de Mission")
    moderator, isabel, backup = claimed(briefing.moderator), claimed(briefing.journalists[0]), claimed(host)

    async def run() -> None:
        console, hers = (
            FloorSocket(moderator, briefing.engagement.pk),
            FloorSocket(isabel, briefing.engagement.pk),
        )
        await console.open()
        await hers.open()
        await hers.command("hand.raise")
        question = (await console.until("hand.raised"))["body"]["queue"][0]["question"]
        await console.command("floor.give", question=question)
        await console.close()  # the moderator's connection drops
        other = FloorSocket(backup, briefing.engagement.pk)
        state = (await other.open())["body"]
        assert state["floor"]["name"] == "Isabel González"
        assert state["me"]["console"] is True
        assert (await other.command("floor.take_back"))["type"] == "ok"
        assert (await hers.until("floor.withdrawn"))["body"]["floor"] is None
        await other.close()
        await hers.close()

    run_async(run)


def test_a_replaced_link_loses_its_floor_socket(briefing: Briefing) -> None:
    from virtualtrip.rooms.actions import do_issue_join_link

    isabel = claimed(briefing.journalists[0])

    async def run() -> None:
        socket = FloorSocket(isabel, briefing.engagement.pk)
        await socket.open()
        await database_sync_to_async(do_issue_join_link)(
            briefing.journalists[0], acting_user=None, reissue=True
        )
        assert (await socket.socket.receive_output(timeout=5))["code"] == 4403
        await socket.close()

    run_async(run)
    assert journal.head(stream_key(briefing.engagement.pk)) == 0


async def turned_away(socket: FloorSocket) -> tuple[dict[str, Any], int]:
    """A socket the app accepts, answers with an error and closes: the error and the close code."""
    connected, _ = await socket.socket.connect()
    assert connected
    refused = await socket.next()
    closed = await socket.socket.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    return refused, closed["code"]


def test_a_seat_holds_at_most_eight_floor_sockets_and_the_ninth_is_refused_with_a_code(
    briefing: Briefing,
) -> None:
    isabel, li = claimed(briefing.journalists[0]), claimed(briefing.journalists[1])

    async def run() -> None:
        hers = [FloorSocket(isabel, briefing.engagement.pk) for _ in range(8)]
        for socket in hers:
            assert (await socket.open())["type"] == "floor.state"
        ninth = FloorSocket(isabel, briefing.engagement.pk)
        refused, code = await turned_away(ninth)
        assert (refused["type"], refused["code"], refused["in_response"], code) == (
            "error",
            "too_many_sockets",
            None,
            4431,
        )
        assert "8 floor sockets" in refused["reason"]
        await ninth.close()
        his = FloorSocket(li, briefing.engagement.pk)  # another seat has places of its own
        assert (await his.open())["type"] == "floor.state"
        await hers[0].close()  # a tab closes: its place is free again
        again = FloorSocket(isabel, briefing.engagement.pk)
        assert (await again.open())["type"] == "floor.state"
        for socket in [*hers[1:], again, his]:
            await socket.close()

    run_async(run)
    assert OPEN.open == {}


def test_sockets_per_seat_is_a_setting(briefing: Briefing, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_SOCKETS_PER_SEAT = 1
    isabel = claimed(briefing.journalists[0])

    async def run() -> None:
        first = FloorSocket(isabel, briefing.engagement.pk)
        await first.open()
        second = FloorSocket(isabel, briefing.engagement.pk)
        refused, code = await turned_away(second)
        assert (refused["code"], code) == ("too_many_sockets", 4431)
        await second.close()
        await first.close()

    run_async(run)
    assert OPEN.open == {}


def test_a_socket_gives_its_place_back_however_it_ends(briefing: Briefing, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Closed by the server (too large a message, a replaced link) or failing while it connects."""
    from virtualtrip.floor.consumers import FloorConsumer
    from virtualtrip.rooms.actions import do_issue_join_link

    settings.FLOOR_SOCKETS_PER_SEAT = 1
    isabel = claimed(briefing.journalists[0])
    key = (briefing.engagement.pk, person_seat_key(briefing.journalists[0].person_id))

    async def run() -> None:
        flooding = FloorSocket(isabel, briefing.engagement.pk)
        await flooding.open()
        await flooding.socket.send_to(text_data="x" * 20_000)
        assert (await flooding.socket.receive_output(timeout=5))["type"] == "websocket.send"
        assert (await flooding.socket.receive_output(timeout=5))["code"] == 4413
        await flooding.close()
        assert OPEN.open == {}
        with monkeypatch.context() as broken:
            broken.setattr(FloorConsumer, "snapshot", lambda self, viewer: 1 / 0)
            failing = FloorSocket(isabel, briefing.engagement.pk)
            assert (await failing.socket.connect())[0]  # accepted, then the snapshot fails
            with pytest.raises(ZeroDivisionError):
                await failing.socket.receive_output(timeout=5)
        assert OPEN.open == {}
        replaced = FloorSocket(isabel, briefing.engagement.pk)
        await replaced.open()
        assert OPEN.open == {key: 1}
        await database_sync_to_async(do_issue_join_link)(
            briefing.journalists[0], acting_user=None, reissue=True
        )
        assert (await replaced.socket.receive_output(timeout=5))["code"] == 4403
        await replaced.close()
        assert OPEN.open == {}

    run_async(run)


def test_a_command_from_a_seat_replaced_without_its_event_closes_the_socket_and_changes_nothing(
    briefing: Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seat is looked at again with each command, in the same hop as its handling: a revocation
    whose event never reached this process still stops the command."""
    from virtualtrip.floor.consumers import FloorConsumer
    from virtualtrip.rooms.actions import do_issue_join_link

    isabel, moderator = claimed(briefing.journalists[0]), claimed(briefing.moderator)

    async def ignored(self: Any, payload: dict[str, Any]) -> None:
        return None

    async def run() -> None:
        hers = FloorSocket(isabel, briefing.engagement.pk)
        await hers.open()
        monkeypatch.setattr(FloorConsumer, "room_event", ignored)
        await database_sync_to_async(do_issue_join_link)(
            briefing.journalists[0], acting_user=None, reissue=True
        )
        await hers.socket.send_json_to({"type": "hand.raise", "id": "c1", "body": {}})
        assert (await hers.socket.receive_output(timeout=5))["code"] == 4403
        await hers.close()
        console = FloorSocket(moderator, briefing.engagement.pk)
        state = await console.open()
        assert state["seq"] == 0
        assert state["body"]["queue"] == []
        await console.close()

    run_async(run)
