"""Each room socket in the test process, without Janus: input that is not a message it reads gets
an `error` and the socket stays open; more than it takes (size, rate) gets an `error`, then a close
with the code that says why."""

import json
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from tests.factories.rooms import live_engagement, seat
from tests.janus import free_port, run_async
from tests.rooms.sockets import Answer, Frame, answers, claimed, communicator, next_output
from virtualtrip.rooms import protocol
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.django_db(transaction=True)
TEN_MB = "x" * 10_000_000
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_AND_SHORT = "[" * 5_000 + "]" * 5_000
"""Deeper than Python's JSON reader goes, and within the control channel's size limit."""


@pytest.fixture(autouse=True)
def connections_closed_after_each_message(monkeypatch) -> None:
    """The consumers reach the database from a thread of their own: its connection closes after
    each use, so none outlives the test (PostgreSQL would not drop the test database)."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@pytest.fixture
def no_janus(settings) -> None:
    """Point the app at a media server that is not there: the proxy answers `create` with 503."""
    settings.JANUS_URLS = [f"ws://127.0.0.1:{free_port()}"]
    settings.JANUS_API_SECRET = settings.JANUS_TOKEN_SECRET = settings.JANUS_ROOM_ADMIN_KEY = "test"


def host_client() -> tuple[Client, int]:
    engagement = live_engagement()
    return claimed(seat(engagement, Role.HOST)), engagement.pk


def talk(socket: str, frames: list[Frame]) -> list[Answer]:
    """Open the room socket as a host, send the frames, and give back the answers (the control
    channel's opening room.state left out)."""
    client, engagement_id = host_client()
    return run_async(lambda: _talk(client, engagement_id, socket, frames))


async def _talk(client: Client, engagement_id: int, socket: str, frames: list[Frame]) -> list[Answer]:
    opened = communicator(client, engagement_id, socket)
    connected, _ = await opened.connect()
    assert connected
    if socket == "control":
        assert (await next_output(opened))["type"] == "room.state"  # type: ignore[index]
    try:
        return await answers(opened, frames)
    finally:
        await opened.disconnect()


def reasons(got: list[Answer]) -> list[Any]:
    """Each answer's kind and reason: `(type, reason)` from the control channel, `(code, reason)` from
    the proxy, or the close code."""
    picked: list[Any] = []
    for answer in got:
        if isinstance(answer, int):
            picked.append(answer)
        elif "janus" in answer:
            picked.append((answer["error"]["code"], answer["error"]["reason"]))
        else:
            picked.append((answer["type"], answer["body"].get("reason")))
    return picked


KNOCK = json.dumps({"type": "lobby.knock", "id": "k"})


def test_control_channel_answers_what_is_not_a_command_and_stays_open() -> None:
    frames: list[Frame] = ["not json", b"\x00binary", DEEP_AND_SHORT, "[[[[" * 9 + "]]]]" * 9]
    got = talk("control", [*frames, "[1, 2]", "NaN", KNOCK])
    assert reasons(got) == [
        ("error", "not JSON"),
        ("error", "binary messages are not read here: send JSON text"),
        ("error", "JSON nested more than 32 levels deep"),
        ("error", "JSON nested more than 32 levels deep"),
        ("error", "not a command: Input should be a valid dictionary or instance of Command"),
        ("error", "not JSON"),
        ("ok", None),
    ]


def test_control_channel_closes_on_json_nested_a_hundred_thousand_deep() -> None:
    assert reasons(talk("control", [DEEP])) == [
        ("error", "a message of more than 16384 characters"),
        protocol.CLOSE_TOO_LARGE,
    ]


def test_an_admission_for_a_person_id_no_database_holds_is_refused() -> None:
    admit = {"type": "lobby.admit", "id": "a", "body": {"person": 10**30}}
    got = talk("control", [json.dumps(admit), json.dumps({**admit, "body": {"person": True}})])
    assert reasons(got) == [
        ("error", "not a command: body.person: Input should be less than or equal to 9223372036854775807"),
        ("error", "not a command: body.person: Input should be a valid integer"),
    ]
    assert [answer["in_response"] for answer in got] == ["a", "a"]  # type: ignore[index]


def test_a_command_with_its_id_that_is_no_command_is_answered_with_that_id() -> None:
    (got,) = talk("control", [json.dumps({"type": "lobby.knock", "id": "x", "extra": 1})])
    assert got == {
        "type": "error",
        "id": "s2",
        "seq": 2,
        "body": {"reason": "not a command: extra: Extra inputs are not permitted"},
        "in_response": "x",
        "code": "not_a_command",
        "reason": "not a command: extra: Extra inputs are not permitted",
    }


def test_control_channel_closes_on_a_ten_megabyte_message() -> None:
    assert reasons(talk("control", [TEN_MB, KNOCK])) == [
        ("error", "a message of more than 16384 characters"),
        protocol.CLOSE_TOO_LARGE,
    ]


def test_control_channel_closes_on_a_flood_of_commands() -> None:
    got = reasons(talk("control", [KNOCK] * 1000))
    assert got[-2:] == [("error", "more than 60 messages in a short time"), protocol.CLOSE_TOO_FAST]
    assert 60 <= len(got) - 2 < 70
    assert set(got[:-2]) == {("ok", None)}


def janus_message(**fields: Any) -> str:
    return json.dumps({"transaction": "t", **fields})


def test_proxy_answers_bad_messages_with_a_janus_error(no_janus) -> None:
    got = talk(
        "janus",
        [
            "not json",
            b"binary",
            DEEP,
            "[]",
            janus_message(janus="message", body="join"),
            janus_message(janus="message", session_id=[1], handle_id=2, body={"request": "join"}),
            janus_message(janus="keepalive", session_id={"a": 1}),
            janus_message(janus="trickle", session_id=1, handle_id="2"),
            janus_message(janus="keepalive", session_id=True),
            json.dumps({"janus": "keepalive", "session_id": 1, "transaction": {"t": 1}}),
            janus_message(janus=["create"]),
            janus_message(janus="create"),
        ],
    )
    assert reasons(got) == [
        (400, "not JSON"),
        (400, "binary messages are not read here: send JSON text"),
        (400, "JSON nested more than 32 levels deep"),
        (400, "not a Janus message"),
        (458, "no such session on this connection"),
        (400, "'session_id' must be an integer"),
        (400, "'session_id' must be an integer"),
        (400, "'handle_id' must be an integer"),
        (400, "'session_id' must be an integer"),
        (400, "a Janus message needs 'transaction': a string"),
        (400, "a Janus message needs 'janus': a string"),
        (503, "media_unavailable: media server unavailable"),
    ]
    assert [answer["transaction"] for answer in got[4:]] == ["t"] * 5 + [None, "t", "t"]  # type: ignore[index]


def test_proxy_closes_on_a_ten_megabyte_message(no_janus) -> None:
    assert reasons(talk("janus", [TEN_MB])) == [
        (413, "a message of more than 262144 characters"),
        protocol.CLOSE_TOO_LARGE,
    ]


def test_proxy_closes_on_a_flood_of_requests(no_janus) -> None:
    got = reasons(talk("janus", [janus_message(janus="keepalive", session_id=1)] * 1000))
    assert got[-2:] == [(429, "more than 200 messages in a short time"), protocol.CLOSE_TOO_FAST]
    assert 200 <= len(got) - 2 < 230
    assert set(got[:-2]) == {(458, "no such session on this connection")}


def test_the_budget_refills_with_time(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("virtualtrip.realtime.limits.time.monotonic", lambda: clock[0])
    budget = protocol.MessageBudget(burst=2, per_second=4)
    assert [budget.spend(), budget.spend(), budget.spend()] == [True, True, False]
    clock[0] += 0.25
    assert [budget.spend(), budget.spend()] == [True, False]
    clock[0] += 60
    assert [budget.spend(), budget.spend(), budget.spend()] == [True, True, False]


def test_a_turned_away_proxy_answers_once_and_then_sends_nothing() -> None:
    """Requests already on their way when the proxy closes get no answer: nothing may follow a close."""
    engagement_id = live_engagement().pk
    create = janus_message(janus="create")

    async def turned_away() -> tuple[list[Answer], bool]:
        opened = communicator(Client(), engagement_id, "janus")
        assert (await opened.connect())[0]
        for _ in range(3):
            await opened.send_to(text_data=create)
        got = [await next_output(opened), await next_output(opened)]
        quiet = await opened.receive_nothing(timeout=0.3)
        await opened.disconnect()
        return got, quiet

    got, quiet = run_async(turned_away)
    assert (reasons(got), quiet) == ([(403, "no_seat: you have no seat in this room"), 4403], True)
