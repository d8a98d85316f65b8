"""Property tests: whatever a browser sends the room sockets (text, binary, JSON of any shape, deep
nesting, Janus messages with odd types), it gets an answer and never an exception; the pure parts
(the signaling policy, the offer reader, the message reader) refuse with their own errors only."""

import contextlib
import json
from typing import Any

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories.rooms import live_engagement, seat
from tests.janus import run_async
from tests.rooms.sockets import Answer, Frame, answers, claimed, communicator, next_output
from tests.rooms.test_sdp import offer
from tests.rooms.test_signaling import joined_policy
from tests.rooms.test_socket_limits import (  # noqa: F401 (fixtures)
    connections_closed_after_each_message,
    no_janus,
)
from virtualtrip.rooms import protocol
from virtualtrip.rooms.signaling import Refusal, UnclearOffer, media_sections
from virtualtrip.trips.enums import Role

LIMIT_CLOSES = {protocol.CLOSE_TOO_LARGE, protocol.CLOSE_TOO_FAST, protocol.CLOSE_TOO_MANY_HANDLES}
SOCKET_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def maybe(known: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the values janus.js would send, sometimes anything at all."""
    return st.one_of(known, known, json_values)


sdp_lines = st.sampled_from(
    [
        "a=sendrecv",
        "a=SENDONLY",
        "a=recvonly",
        "a=inactive",
        "a=bundle-only",
        "a=mid:1",
        "a=sendrecv:x",
        "M=video 9 RTP 96",
    ]
)
sdps = st.one_of(
    st.builds(
        offer,
        st.lists(sdp_lines, max_size=3).map(lambda lines: "".join(f"{line}\r\n" for line in lines)),
        st.sampled_from([0, 9]),
    ),
    st.text(max_size=200),
)
jseps = st.fixed_dictionaries({"type": maybe(st.sampled_from(["offer", "answer"])), "sdp": maybe(sdps)})
bodies = st.fixed_dictionaries(
    {"request": maybe(st.sampled_from(["join", "configure", "publish", "start", "leave", "kick", "create"]))},
    optional={
        "ptype": maybe(st.sampled_from(["publisher", "subscriber"])),
        "feed": json_values,
        "streams": json_values,
        "audio": json_values,
    },
)
janus_messages = st.fixed_dictionaries(
    {
        "janus": maybe(
            st.sampled_from(
                ["create", "attach", "message", "trickle", "keepalive", "detach", "destroy", "hangup", "info"]
            )
        ),
        "transaction": maybe(st.text(min_size=1, max_size=6)),
    },
    optional={
        "session_id": maybe(st.sampled_from([11, 12])),
        "handle_id": maybe(st.sampled_from([22, 23])),
        "plugin": maybe(st.just("janus.plugin.videoroom")),
        "body": maybe(bodies),
        "jsep": maybe(jseps),
        "apisecret": json_values,
    },
)
commands = st.fixed_dictionaries(
    {
        "type": maybe(
            st.sampled_from(["lobby.knock", "lobby.admit", "lobby.refuse", "room.end", "room.rename"])
        )
    },
    optional={
        "id": json_values,
        "body": maybe(st.fixed_dictionaries({"person": json_values})),
        "seq": json_values,
    },
)


def frames(messages: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Frame]]:
    frame = st.one_of(
        messages.map(json.dumps),
        json_values.map(json.dumps),
        st.text(max_size=60),
        st.binary(max_size=30),
        st.integers(1, 5_000).map(lambda depth: "[" * depth + "]" * depth),
        st.integers(1, 2_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    )
    return st.lists(frame, min_size=1, max_size=4)


@given(janus_messages)
def test_the_signaling_policy_answers_any_message_with_a_verdict(message: dict[str, Any]) -> None:
    for role in (Role.PRINCIPAL, Role.INTERPRETER, Role.PRESS):
        policy = joined_policy(role)
        policy.inbound(
            {
                **message,
                "janus": "message",
                "session_id": 11,
                "handle_id": 22,
                "transaction": "j",
                "body": {"request": "join", "ptype": "publisher"},
            }
        )
        verdict = policy.inbound(message)
        assert isinstance(verdict, (dict, Refusal))


@given(sdps)
def test_the_offer_reader_reads_or_says_it_cannot(sdp: str) -> None:
    try:
        sections = media_sections(sdp)
    except UnclearOffer:
        return
    assert all(section.kind in {"audio", "video", "application"} for section in sections)


@given(st.one_of(st.text(max_size=300), st.binary(max_size=50), json_values.map(json.dumps)))
def test_the_message_reader_reads_or_says_it_cannot(frame: Frame) -> None:
    text, data = (frame, None) if isinstance(frame, str) else (None, frame)
    with contextlib.suppress(protocol.Unreadable, protocol.TooMuch):
        protocol.read_message(protocol.CONTROL_LIMITS, protocol.CONTROL_LIMITS.budget(), text, data)


async def answers_then_probe(
    client: Client, engagement_id: int, socket: str, sent: list[Frame], probe: dict[str, Any]
) -> None:
    """Every frame gets an answer; then the socket still answers the probe (or it closed for too
    much, with its code)."""
    opened = communicator(client, engagement_id, socket)
    connected, _ = await opened.connect()
    assert connected
    try:
        if socket == "control":
            assert (await next_output(opened))["type"] == "room.state"  # type: ignore[index]
        got = await answers(opened, sent, then_close=False)
        if got and isinstance(got[-1], int):
            assert got[-1] in LIMIT_CLOSES
            return
        assert len(got) == len(sent)
        assert all(is_answer(answer) for answer in got), got
        await opened.send_to(text_data=json.dumps(probe))
        while not answers_probe(answer := await next_output(opened), probe):
            if isinstance(answer, int):
                assert answer in LIMIT_CLOSES
                return
    finally:
        await opened.disconnect()


def is_answer(answer: Answer) -> bool:
    if isinstance(answer, int):
        return False
    if "janus" in answer:
        return answer["janus"] == "error" and isinstance(answer["error"]["reason"], str)
    return answer["type"] in {"ok", "error"} or answer["type"] in {"lobby.changed", "admission.decided"}


def answers_probe(answer: Answer, probe: dict[str, Any]) -> bool:
    if isinstance(answer, int):
        return False
    return answer.get("transaction", answer.get("in_response")) == probe.get("transaction", probe.get("id"))


def test_the_control_channel_answers_anything(transactional_db: None) -> None:
    engagement = live_engagement()
    client = claimed(seat(engagement, Role.PRESS))

    @SOCKET_EXAMPLES
    @given(frames(commands))
    def sends(sent: list[Frame]) -> None:
        run_async(
            lambda: answers_then_probe(client, engagement.pk, "control", sent, {"type": "x", "id": "probe"})
        )

    sends()


def test_the_janus_proxy_answers_anything(transactional_db: None, no_janus) -> None:  # noqa: F811
    engagement = live_engagement()
    client = claimed(seat(engagement, Role.INTERPRETER))

    @SOCKET_EXAMPLES
    @given(frames(janus_messages))
    def sends(sent: list[Frame]) -> None:
        probe = {"janus": "keepalive", "session_id": 1, "transaction": "probe"}
        run_async(lambda: answers_then_probe(client, engagement.pk, "janus", sent, probe))

    sends()
