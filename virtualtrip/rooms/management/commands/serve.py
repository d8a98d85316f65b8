import asyncio
import contextlib
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualtrip.realtime import layer_is_local
from virtualtrip.realtime.relay import Relay
from virtualtrip.rooms.ending import Sweeper, sweep_forever
from virtualtrip.rooms.janus.servers import own_ports, owns_janus
from virtualtrip.rooms.janus.supervisor import JanusNotInstalled, JanusSupervisor

WEBSOCKET_MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = "Serve the app (pages and room sockets) and, unless Janus servers are configured, its own Janus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] > 1 and not settings.REDIS_URL:
            # Each process would keep its own room events: a lobby admission made in one would never
            # reach a person whose sockets are served by another.
            raise CommandError(
                f"--workers {options['workers']} needs REDIS_URL: the processes share room events "
                "through Redis; without it, serve with one worker"
            )
        supervisor = None
        if owns_janus():
            try:
                supervisor = JanusSupervisor(settings.JANUS_RUNTIME_DIR, own_ports())
                supervisor.start()
            except (JanusNotInstalled, RuntimeError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Janus running on ws://127.0.0.1:{own_ports().websocket} (log: {supervisor.log_path})"
            )
        try:
            self._serve(options["host"], options["port"], options["workers"])
        finally:
            if supervisor is not None:
                supervisor.stop()

    @staticmethod
    def _serve(host: str, port: int, workers: int) -> None:
        """Serve the app; with one process and no Redis, relay the room events other processes make
        (a planner's `join-link --reissue`, a re-import) to this one's sockets."""
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "ws": "websockets-sansio",
            # Far above the sockets' own limits (docs/protocol.md), which answer with an error first;
            # a frame beyond this is cut by uvicorn itself (close 1009) before it is buffered whole.
            "ws_max_size": WEBSOCKET_MAX_BYTES,
            "log_level": "warning",
            "lifespan": "off",
        }
        if workers > 1 or not layer_is_local():
            sweeper = Sweeper()
            sweeper.start()
            try:
                uvicorn.run("virtualtrip.asgi:application", workers=workers, **options)
            finally:
                sweeper.stop()
            return
        server = uvicorn.Server(uvicorn.Config("virtualtrip.asgi:application", **options))
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the server, as uvicorn.run does
            asyncio.run(_serve_in_one_process(server))


async def _serve_in_one_process(server: uvicorn.Server) -> None:
    """The server, the relay and the sweep on one event loop: the in-memory channel layer's events
    must be sent from the loop its sockets wait on."""
    background = [asyncio.create_task(Relay().forever()), asyncio.create_task(sweep_forever())]
    try:
        await server.serve()
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
