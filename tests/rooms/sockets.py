"""A browser's two room sockets without a browser: the control channel and the Janus proxy, over
real WebSockets to the app under uvicorn, with the cookies a join link left in a Django test client."""

import json
from contextlib import ExitStack
from typing import Any

from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.janus import AsgiServer
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.trips.models import Participant

WAIT_S = 10


def claim(client: Client, path: str):  # type: ignore[no-untyped-def]
    """Open a join link and click Join, as the room page does."""
    client.get(path)  # sets the csrf and device cookies
    return client.post(path, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


class SocketBrowser:
    """One browser: its cookies, and sockets to rooms opened with them (closed by `sockets`)."""

    def __init__(self, server: AsgiServer, sockets: ExitStack, participant: Participant) -> None:
        self.server = server
        self.sockets = sockets
        self.client = Client()
        assert claim(self.client, do_issue_join_link(participant, acting_user=None)).status_code == 200

    def _open(self, path: str, subprotocols: list[str] | None = None) -> ClientConnection:
        cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in self.client.cookies.items())
        connection = connect(
            self.server.url.replace("http", "ws", 1) + path,
            additional_headers={"Cookie": cookies, "Origin": self.server.url},
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
