"""An async client for the Janus API over its WebSocket transport, as the app (not a browser) uses it.

One `JanusClient` is one WebSocket, one Janus session and one VideoRoom handle. The app uses it to
create, inspect and destroy engagement rooms and to kick participants: the requests that need the room
secret or the admin key, which never leave the server.
"""

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from virtualtrip.rooms.janus.tokens import VIDEOROOM

JsonObject = dict[str, Any]
KEEPALIVE_S = 25.0
TIMEOUT_S = 10.0


class JanusError(Exception):
    """Janus refused a request, or could not be reached."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason if code is None else f"{reason} (Janus error {code})")
        self.reason = reason
        self.code = code


class JanusUnavailable(JanusError):
    """No answer from the media server: not running, or not reachable."""


class JanusClient:
    def __init__(self, socket: ClientConnection, api_secret: str) -> None:
        self._socket = socket
        self._api_secret = api_secret
        self._pending: dict[str, asyncio.Future[JsonObject]] = {}
        self._numbers = itertools.count(1)
        self._reader = asyncio.create_task(self._read())
        self._keepalive: asyncio.Task[None] | None = None
        self.session_id = 0
        self.handle_id = 0

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                message = json.loads(raw)
                if message.get("janus") == "ack":
                    continue
                future = self._pending.pop(str(message.get("transaction")), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except WebSocketException:
            pass
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(JanusUnavailable("the media server closed the connection"))

    async def request(self, body: JsonObject, timeout: float = TIMEOUT_S) -> JsonObject:
        transaction = f"vt{next(self._numbers)}"
        future: asyncio.Future[JsonObject] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        message = {**body, "transaction": transaction, "apisecret": self._api_secret}
        if self.session_id and "session_id" not in body and body.get("janus") != "info":
            message["session_id"] = self.session_id
        try:
            await self._socket.send(json.dumps(message))
            answer = await asyncio.wait_for(future, timeout)
        except (WebSocketException, TimeoutError) as error:
            raise JanusUnavailable(f"no answer from the media server: {error!s}") from error
        finally:
            self._pending.pop(transaction, None)
        if answer.get("janus") == "error":
            raise JanusError(answer["error"]["reason"], answer["error"]["code"])
        return answer

    async def start(self) -> None:
        self.session_id = (await self.request({"janus": "create"}))["data"]["id"]
        attached = await self.request({"janus": "attach", "plugin": VIDEOROOM})
        self.handle_id = attached["data"]["id"]
        self._keepalive = asyncio.create_task(self._keep_alive())

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_S)
            with contextlib.suppress(JanusError):
                await self.request({"janus": "keepalive"})

    async def videoroom(self, body: JsonObject) -> JsonObject:
        """A synchronous VideoRoom request; its answer's data, or JanusError with the plugin's reason."""
        answer = await self.request({"janus": "message", "handle_id": self.handle_id, "body": body})
        data: JsonObject = answer.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(data["error"], data.get("error_code"))
        return data

    async def close(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
        with contextlib.suppress(JanusError):
            if self.session_id:
                await self.request({"janus": "destroy"}, timeout=2)
        await self._socket.close()
        self._reader.cancel()


@contextlib.asynccontextmanager
async def janus_client(url: str, api_secret: str) -> AsyncIterator[JanusClient]:
    """A started client for the Janus at `url`; JanusUnavailable when it cannot be reached."""
    try:
        socket = await asyncio.wait_for(connect(url, subprotocols=["janus-protocol"]), TIMEOUT_S)  # type: ignore[list-item]
    except (OSError, WebSocketException, TimeoutError) as error:
        raise JanusUnavailable(f"cannot reach the media server at {url}: {error!s}") from error
    client = JanusClient(socket, api_secret)
    try:
        await client.start()
        yield client
    finally:
        await client.close()
