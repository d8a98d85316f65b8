"""The socket stack: a socket's scope has the session and the user as under Channels' stack, and its
sends go straight to the server; an HTTP scope keeps Channels' session wrapper."""

from typing import Any

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from tests.floor.conftest import admit, make_briefing
from tests.janus import run_async
from tests.rooms.sockets import claimed, cookie_header
from virtualtrip.floor.routing import websocket_urlpatterns
from virtualtrip.realtime.sessions import SocketAuthMiddlewareStack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_lasting_connections")]


class Inner:
    """An ASGI app that notes the scope and the `send` it was called with."""

    scope: dict[str, Any]
    send: Any

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scope, self.send = scope, send


def called_with(scope_type: str) -> tuple[Inner, Any]:
    inner = Inner()

    async def send(message: dict[str, Any]) -> None:
        """The server's send."""

    async def receive() -> dict[str, Any]:
        return {}

    scope = {"type": scope_type, "headers": [(b"cookie", b"sessionid=abc")], "path": "/"}
    run_async(lambda: SocketAuthMiddlewareStack(inner)(scope, receive, send))
    return inner, send


def test_a_socket_gets_the_session_and_the_user_and_the_servers_own_send() -> None:
    inner, send = called_with("websocket")
    assert inner.send is send
    assert inner.scope["session"].session_key is None  # no such session: a fresh, empty one
    assert not inner.scope["user"].is_authenticated


def test_an_http_scope_keeps_channels_session_wrapper() -> None:
    inner, send = called_with("http")
    assert inner.send is not send
    assert inner.send.__qualname__ == "InstanceSessionWrapper.send"


def test_a_floor_socket_reads_its_seat_from_the_session_through_the_socket_stack(layer: str) -> None:
    briefing = make_briefing()
    admit(briefing.moderator, *briefing.journalists)
    isabel = claimed(briefing.journalists[0])

    async def run() -> tuple[str, str]:
        socket = WebsocketCommunicator(
            SocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
            f"/ws/floor/{briefing.engagement.pk}/",
            headers=[(b"cookie", cookie_header(isabel).encode())],
        )
        assert (await socket.connect())[0]
        state = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "hand.raise", "id": "c1", "body": {}})
        answer = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return state["type"], answer["type"]

    assert run_async(run) == ("floor.state", "ok")
