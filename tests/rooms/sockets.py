"""A browser's two room sockets without a browser: the control channel and the Janus proxy, over
real WebSockets to the app under uvicorn, or in the test process through Channels' communicator,
with the cookies a join link left in a Django test client."""

import json
from contextlib import ExitStack
from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.janus import AsgiServer
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.routing import websocket_urlpatterns
from virtualtrip.trips.models import Participant

WAIT_S = 10
ROOM_SOCKETS = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
"""The room sockets as the ASGI application routes them, behind the session and login middleware."""


def claim(client: Client, path: str):  # type: ignore[no-untyped-def]
    """Open a join link and click Join, as the room page does."""
    client.get(path)  # sets the csrf and device cookies
    return client.post(path, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def cookie_header(client: Client) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def claimed(participant: Participant) -> Client:
    """A test client that has opened this participant's join link and clicked Join."""
    client = Client()
    assert claim(client, do_issue_join_link(participant, acting_user=None)).status_code == 200
    return client


def communicator(client: Client, engagement_id: int, socket: str) -> WebsocketCommunicator:
    """The room page's `control` or `janus` socket in the test process, with the client's cookies."""
    return WebsocketCommunicator(
        ROOM_SOCKETS,
        f"/ws/rooms/{engagement_id}/{socket}/",
        headers=[(b"cookie", cookie_header(client).encode())],
        subprotocols=["janus-protocol"] if socket == "janus" else None,
    )


class SocketBrowser:
    """One browser: its cookies, and sockets to rooms opened with them (closed by `sockets`)."""

    def __init__(self, server: AsgiServer, sockets: ExitStack, participant: Participant) -> None:
        self.server = server
        self.sockets = sockets
        self.client = claimed(participant)

    def _open(self, path: str, subprotocols: list[str] | None = None) -> ClientConnection:
        connection = connect(
            self.server.url.replace("http", "ws", 1) + path,
            additional_headers={"Cookie": cookie_header(self.client), "Origin": self.server.url},
            subprotocols=subprotocols,  # type: ignore[arg-type]
            open_timeout=WAIT_S,
        )
        return self.sockets.enter_context(connection)

    def control(self, engagement_id: int) -> "ControlSocket":
        return ControlSocket(self._open(f"/ws/rooms/{engagement_id}/control/"))

    def janus(self, engagement_id: int) -> "JanusSocket":
        return JanusSocket(self._open(f"/ws/rooms/{engagement_id}/janus/", ["janus-protocol"]))


def closed_with(socket: ClientConnection) -> int | None:
    """The close code the app ended the connection with (after any messages still on their way)."""
    try:
        while True:
            socket.recv(timeout=WAIT_S)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


class ControlSocket:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.count = 0

    def next(self, type_: str) -> dict[str, Any]:
        """The body of the next event of this type (events of other types are passed over)."""
        while True:
            event = json.loads(self.socket.recv(timeout=WAIT_S))
            if event["type"] == type_:
                body: dict[str, Any] = event["body"]
                return body

    def command(self, type_: str, **body: Any) -> dict[str, Any]:
        """Send a command; the answer to it: `ok` or `error`, with its body."""
        self.count += 1
        sent = f"c{self.count}"
        self.socket.send(json.dumps({"type": type_, "id": sent, "body": body}))
        while True:
            event = json.loads(self.socket.recv(timeout=WAIT_S))
            if event.get("in_response") == sent:
                return {"type": event["type"], **event["body"]}


class JanusSocket:
    """The Janus protocol as janus.js speaks it, through the app's proxy."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.count = 0
        self.session: int | None = None

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one Janus request; the first answer to it that is not an `ack`."""
        self.count += 1
        transaction = f"t{self.count}"
        if self.session is not None:
            message = {"session_id": self.session, **message}
        self.socket.send(json.dumps({**message, "transaction": transaction}))
        while True:
            answer: dict[str, Any] = json.loads(self.socket.recv(timeout=WAIT_S))
            if answer.get("transaction") == transaction and answer["janus"] != "ack":
                return answer

    def turned_away(self) -> tuple[dict[str, Any], int | None]:
        """For a socket the app turns away: its answer to the first request, and the close code."""
        answer = self.request({"janus": "create"})
        return answer["error"], closed_with(self.socket)

    def videoroom_handle(self) -> int:
        """A session and a VideoRoom handle on it; the handle's id."""
        self.session = self.request({"janus": "create"})["data"]["id"]
        handle: int = self.request({"janus": "attach", "plugin": "janus.plugin.videoroom"})["data"]["id"]
        return handle


Frame = str | bytes
Answer = dict[str, Any] | int
"""A socket's answer to one frame: the JSON it sent back, or the code it closed with instead."""


async def answers(
    socket: WebsocketCommunicator, frames: list[Frame], then_close: bool = True
) -> list[Answer]:
    """Send each frame and read the socket's next output: its answer, or its close (then stop);
    after the last answer (`then_close`), the close if one follows."""
    got: list[Answer] = []
    for frame in frames:
        kind = "text" if isinstance(frame, str) else "bytes"
        await socket.send_input({"type": "websocket.receive", kind: frame})  # empty frames too
        got.append(await next_output(socket))
        if isinstance(got[-1], int):
            return got
    if then_close and not await socket.receive_nothing(timeout=0.2):
        got.append(await next_output(socket))
    return got


async def next_output(socket: WebsocketCommunicator) -> Answer:
    output = await socket.receive_output(WAIT_S)
    if output["type"] == "websocket.close":
        code: int = output.get("code", 1000)
        return code
    answer: dict[str, Any] = json.loads(output["text"])
    return answer
