"""The floor socket in the test process, through Channels' communicator, with a join link's cookies."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.rooms.sockets import cookie_header
from virtualtrip.floor.routing import websocket_urlpatterns

FLOOR_SOCKET = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
WAIT_S = 5


class FloorSocket:
    def __init__(self, client: Client, engagement_id: int, since: int | None = None) -> None:
        query = f"?since={since}" if since is not None else ""
        self.socket = WebsocketCommunicator(
            FLOOR_SOCKET,
            f"/ws/floor/{engagement_id}/{query}",
            headers=[(b"cookie", cookie_header(client).encode())],
        )
        self.sent = 0

    async def open(self) -> dict[str, Any]:
        """Connect, and return the first message: the state, or the first event missed."""
        connected, _ = await self.socket.connect()
        assert connected
        return await self.next()

    async def next(self) -> dict[str, Any]:
        message: dict[str, Any] = await self.socket.receive_json_from(timeout=WAIT_S)
        return message

    async def command(self, type_: str, **body: Any) -> dict[str, Any]:
        """Send a command and return its answer, keeping the events that came before it."""
        self.sent += 1
        command_id = f"c{self.sent}"
        await self.socket.send_json_to({"type": type_, "id": command_id, "body": body})
        while True:
            message = await self.next()
            if message.get("in_response") == command_id:
                return message

    async def until(self, type_: str) -> dict[str, Any]:
        while True:
            message = await self.next()
            if message["type"] == type_:
                return message

    async def close(self) -> None:
        await self.socket.disconnect()
