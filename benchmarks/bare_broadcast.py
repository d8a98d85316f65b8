"""The floor for Python: a broadcast server written with the `websockets` library alone.

    .venv/bin/python benchmarks/bare_broadcast.py --port 8765 --payload event.json --greeting state.json

`benchmarks/floor_fanout.py` starts it as the baseline of the floor socket. Every connection, at any
path, is sent the greeting file's text (the floor's first state as a client received it) and then
waits; a
message `{"type": "broadcast", "id": ID}` from any connection sends the payload file's text to every
open connection with `websockets.broadcast` (one frame per connection, compressed per connection
when the client negotiated permessage-deflate, as uvicorn does for the app) and answers the sender
`{"type": "ok", "in_response": ID}`. No database, no channel layer, no per-socket JSON: what is left
is the event loop, the WebSocket framing and the kernel's sockets.
"""

import argparse
import asyncio
import json
import signal
from pathlib import Path

from websockets.asyncio.server import ServerConnection, broadcast, serve


class Broadcaster:
    def __init__(self, payload: str, greeting: str) -> None:
        self.payload = payload
        self.greeting = greeting
        self.connections: set[ServerConnection] = set()
        self.sent = 0

    async def handle(self, connection: ServerConnection) -> None:
        self.connections.add(connection)
        try:
            await connection.send(self.greeting)
            async for message in connection:
                command = json.loads(message)
                if command.get("type") == "broadcast":
                    self.sent += 1
                    broadcast(self.connections, self.payload)
                    await connection.send(json.dumps({"type": "ok", "in_response": command.get("id")}))
        finally:
            self.connections.discard(connection)


async def serve_until_stopped(host: str, port: int, payload: str, greeting: str) -> None:
    broadcaster = Broadcaster(payload, greeting)
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(broadcaster.handle, host, port, ping_interval=None, max_size=1024 * 1024):
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payload", type=Path, required=True, help="the text broadcast")
    parser.add_argument("--greeting", type=Path, required=True, help="the text sent on connecting")
    options = parser.parse_args()
    payload, greeting = options.payload.read_text(), options.greeting.read_text()
    asyncio.run(serve_until_stopped(options.host, options.port, payload, greeting))


if __name__ == "__main__":
    main()
