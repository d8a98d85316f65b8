import asyncio
import contextlib
import ctypes
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from virtualtrip.realtime import layer_is_local
from virtualtrip.realtime.relay import Relay
from virtualtrip.rooms.ending import Sweeper, sweep_forever
from virtualtrip.rooms.janus.servers import own_ports, owns_janus
from virtualtrip.rooms.janus.supervisor import JanusNotInstalled, JanusSupervisor

WEBSOCKET_MAX_BYTES = 1024 * 1024
PR_SET_PDEATHSIG = 1
WORKER_STOP_WAIT_S = 10.0
"""How long a worker may take to finish the task it is running when serve stops, before it is told
again (a task worker then gives its job back) and, 5 s later, killed."""
WORKER_RESTART_DELAYS_S = (1.0, 60.0)
"""A worker that exits is started again after the first delay, doubled for each exit in a row
within a minute of its start, up to the second."""


def _stop_with_parent() -> None:
    """In a worker, between fork and exec: Linux stops it when serve goes, however serve goes."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Workers:
    """The commands of `settings.SERVE_WORKERS` (`virtualtrip` arguments, `["speech-worker"]`), each a
    child process beside the app: started with it, started again when one exits, stopped with it.
    Serve knows them only by their commands: the apps that need a worker put theirs in the list."""

    def __init__(self, commands: list[list[str]], out: OutputWrapper) -> None:
        self.commands = [list(command) for command in commands]
        self.out = out
        self.processes: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="serve-workers", daemon=True)

    def start(self) -> None:
        self.processes = [self._spawn(command) for command in self.commands]
        if self.commands:
            self._watcher.start()

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603 (this Python running this project's own command)
            [sys.executable, "-m", "virtualtrip.cli", *command],
            start_new_session=True,  # Ctrl-C in a terminal reaches serve only, which stops them in turn
            preexec_fn=_stop_with_parent,  # only prctl runs between fork and exec
        )
        self._say(f"{' '.join(command)} running (pid {process.pid})")
        return process

    def _say(self, line: str) -> None:
        self.out.write(line)
        self.out.flush()  # beside the workers' own output, in order

    def _watch(self) -> None:
        first, longest = WORKER_RESTART_DELAYS_S
        started = [time.monotonic()] * len(self.commands)
        delays = [0.0] * len(self.commands)
        while not self._stopping.wait(0.2):
            for number, process in enumerate(self.processes):
                if process.poll() is None:
                    continue
                ran_long = time.monotonic() - started[number] > longest
                delays[number] = first if ran_long or not delays[number] else min(delays[number] * 2, longest)
                command = " ".join(self.commands[number])
                self._say(
                    f"{command} exited with status {process.returncode}; again in {delays[number]:.0f} s"
                )
                if self._stopping.wait(delays[number]):
                    return
                self.processes[number] = self._spawn(self.commands[number])
                started[number] = time.monotonic()

    def stop(self) -> None:
        """Ask each worker to stop (a task worker finishes its task first), ask again after
        `WORKER_STOP_WAIT_S`, kill what is left 5 s later."""
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join(timeout=5)
        running = [process for process in self.processes if process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for wait, then in ((WORKER_STOP_WAIT_S, signal.SIGTERM), (5.0, signal.SIGKILL)):
            deadline = time.monotonic() + wait
            for process in running:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(deadline - time.monotonic(), 0))
            running = [process for process in running if process.poll() is None]
            for process in running:
                process.send_signal(then)
        for process in running:
            process.wait()


class Command(BaseCommand):
    help = (
        "Serve the app (pages and room sockets), its background workers (settings.SERVE_WORKERS) and, "
        "unless Janus servers are configured, its own Janus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument(
            "--no-workers",
            action="store_true",
            help="start none of the background workers of settings.SERVE_WORKERS (they run elsewhere); "
            "not to be confused with --workers, the processes that serve pages",
        )

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
        workers = Workers(
            [] if options["no_workers"] else getattr(settings, "SERVE_WORKERS", []), self.stdout
        )
        try:
            workers.start()
            self._serve(options["host"], options["port"], options["workers"])
        finally:
            workers.stop()
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
