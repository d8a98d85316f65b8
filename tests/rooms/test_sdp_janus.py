"""The forged offers against the real Janus: straight to Janus, each gets its video taken; through
the app's proxy, each is refused and Janus lists no publication. Janus answers an offer only where it
can gather media candidates: run inside the test network namespace (scripts/in-netns.sh)."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer, run_async
from tests.rooms.sockets import JanusSocket, SocketBrowser, closed_with
from tests.rooms.test_sdp import AUDIO_ONLY_OFFERS, FORGED_VIDEO_OFFERS
from virtualtrip.rooms import live, protocol
from virtualtrip.rooms.janus.client import janus_client
from virtualtrip.rooms.janus.servers import server_at
from virtualtrip.rooms.models import Room
from virtualtrip.rooms.signaling import MAX_HANDLES, MAX_SESSIONS, MediaSection, media_sections
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Participant

pytestmark = pytest.mark.janus
PUBLISHER_JOIN = {"request": "join", "ptype": "publisher"}


@pytest.fixture
def janus_socket(app_server: AsgiServer) -> Iterator[Callable[[Participant], JanusSocket]]:
    """The proxy socket of a new browser that opened this participant's join link."""
    with ExitStack() as sockets:
        yield lambda participant: SocketBrowser(app_server, sockets, participant).janus(
            participant.engagement_id
        )


def joined_publisher(janus: JanusSocket) -> int:
    handle = janus.videoroom_handle()
    joined = janus.request({"janus": "message", "handle_id": handle, "body": PUBLISHER_JOIN})
    assert joined["plugindata"]["data"]["videoroom"] == "joined", joined
    return handle


def configure(janus: JanusSocket, handle: int, sdp: str) -> dict[str, Any]:
    body = {"request": "configure", "audio": True}
    return janus.request(
        {"janus": "message", "handle_id": handle, "body": body, "jsep": {"type": "offer", "sdp": sdp}}
    )


async def answer_from_janus(room: Room, sdp: str) -> list[MediaSection]:
    """Janus's answer to this offer from a publisher joined with the server's own secret, as the
    proxy would never forward it."""
    server = server_at(room.server)
    async with janus_client(server.url, server.api_secret) as janus:
        join = {**PUBLISHER_JOIN, "room": room.janus_room, "pin": room.pin, "display": "probe"}
        assert (await janus.videoroom(join))["videoroom"] == "joined"
        answered = await janus.request(
            {
                "janus": "message",
                "handle_id": janus.handle_id,
                "body": {"request": "configure", "audio": True, "video": True},
                "jsep": {"type": "offer", "sdp": sdp},
            }
        )
        return media_sections(answered["jsep"]["sdp"])


def test_each_forged_offer_gives_janus_video_and_the_proxy_refuses_it(janus_socket) -> None:
    engagement = live_engagement()
    interpreter = seat(engagement, Role.INTERPRETER)
    janus = janus_socket(interpreter)
    handle = joined_publisher(janus)
    room = Room.objects.get(engagement=engagement)

    refusals = {
        name: configure(janus, handle, sdp)["error"]["code"] for name, sdp in FORGED_VIDEO_OFFERS.items()
    }
    assert list(refusals.values()) == [400, 403, 400, 403, 403, 403, 403]
    listed = run_async(lambda: live.list_participants(room))
    assert [(p["display"], p["publisher"]) for p in listed] == [(interpreter_display(listed), False)]

    straight = {name: janus_takes_video(room, sdp) for name, sdp in FORGED_VIDEO_OFFERS.items()}
    assert straight == dict.fromkeys(FORGED_VIDEO_OFFERS, True)


def janus_takes_video(room: Room, sdp: str) -> bool:
    sections = run_async(lambda: answer_from_janus(room, sdp))
    return any(
        s.kind == "video" and s.port != 0 and s.direction in {"recvonly", "sendrecv"} for s in sections
    )


def interpreter_display(listed: list[dict[str, Any]]) -> str:
    (only,) = listed
    display: str = only["display"]
    return display


def test_an_interpreter_audio_offer_reaches_janus_and_is_answered(janus_socket) -> None:
    engagement = live_engagement()
    janus = janus_socket(seat(engagement, Role.INTERPRETER))
    handle = joined_publisher(janus)
    answered = configure(janus, handle, AUDIO_ONLY_OFFERS["video recvonly"])
    assert answered["plugindata"]["data"]["configured"] == "ok", answered
    sections = media_sections(answered["jsep"]["sdp"])
    assert [(s.kind, s.direction) for s in sections if s.port != 0] == [
        ("audio", "recvonly"),
        ("video", "inactive"),
    ]


def test_a_publisher_join_refused_for_its_offer_can_join_after(janus_socket) -> None:
    engagement = live_engagement()
    janus = janus_socket(seat(engagement, Role.COUNTERPART))
    handle = janus.videoroom_handle()
    offer = {"type": "offer", "sdp": FORGED_VIDEO_OFFERS["video with bare line feeds"]}
    refused = janus.request({"janus": "message", "handle_id": handle, "body": PUBLISHER_JOIN, "jsep": offer})
    assert refused["error"] == {"code": 403, "reason": "the counterpart role may not send media with 'join'"}
    not_a_body = janus.request({"janus": "message", "handle_id": handle, "body": "join"})
    assert not_a_body["error"] == {"code": 400, "reason": "a message needs a body: a JSON object"}
    joined = janus.request({"janus": "message", "handle_id": handle, "body": PUBLISHER_JOIN})
    assert joined["plugindata"]["data"]["videoroom"] == "joined"


def test_a_thousand_sessions_on_one_proxy_socket_are_refused_after_the_cap(janus_socket) -> None:
    engagement = live_engagement()
    janus = janus_socket(seat(engagement, Role.PRINCIPAL))
    answers = []
    for _ in range(1000):
        answers.append(janus.request({"janus": "create"}))
        if answers[-1]["janus"] == "error":
            break
    assert [answer["janus"] for answer in answers] == ["success"] * MAX_SESSIONS + ["error"]
    assert answers[-1]["error"] == {"code": 429, "reason": "at most 4 Janus sessions on one connection"}
    assert closed_with(janus.socket) == protocol.CLOSE_TOO_MANY_HANDLES


def test_handles_on_one_proxy_socket_are_refused_after_the_cap(janus_socket) -> None:
    engagement = live_engagement()
    janus = janus_socket(seat(engagement, Role.PRINCIPAL))
    janus.videoroom_handle()
    attach = {"janus": "attach", "plugin": "janus.plugin.videoroom"}
    answers = [janus.request(attach) for _ in range(MAX_HANDLES)]
    assert [answer["janus"] for answer in answers] == ["success"] * (MAX_HANDLES - 1) + ["error"]
    assert answers[-1]["error"]["code"] == 429
    assert closed_with(janus.socket) == protocol.CLOSE_TOO_MANY_HANDLES
