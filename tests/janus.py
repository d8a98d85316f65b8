"""The real Janus and the real ASGI server, for tests that need them (marker `janus`)."""

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from django.db import connections

from virtualtrip.rooms.janus.config import JanusPorts
from virtualtrip.rooms.janus.supervisor import JanusSupervisor

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_janus(runtime_dir: Path) -> JanusSupervisor:
    low = 30000 + (free_port() % 200) * 100
    ports = JanusPorts(free_port(), free_port(), f"{low}-{low + 99}")
    supervisor = JanusSupervisor(runtime_dir, ports)
    supervisor.start()
    return supervisor


class AsgiServer:
    """The app's ASGI application under uvicorn, in a thread of the test process (so it reads the
    test database), WebSockets included."""

    def __init__(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            "virtualtrip.asgi:application",
            host="127.0.0.1",
            port=self.port,
            ws="websockets-sansio",
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "AsgiServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def janus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusSupervisor]:
    supervisor = start_janus(tmp_path_factory.mktemp("janus"))
    yield supervisor
    supervisor.stop()


@pytest.fixture
def own_janus(janus_server: JanusSupervisor, settings) -> JanusSupervisor:
    """Point the app at the test run's Janus."""
    settings.JANUS_URLS = []
    settings.JANUS_RUNTIME_DIR = janus_server.runtime_dir
    settings.JANUS_WS_PORT = janus_server.ports.websocket
    return janus_server


@pytest.fixture
def app_server(transactional_db: None, own_janus: JanusSupervisor, monkeypatch) -> Iterator[AsgiServer]:
    """The app under uvicorn, on the test database and the test run's Janus."""
    # The server's threads close their connections after each request, so none outlives the test.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with AsgiServer() as running:
        yield running


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync test code, in a thread of its own: Playwright's sync
    API keeps an event loop running in the test thread once a browser test has run."""
    with ThreadPoolExecutor(1) as other:
        return other.submit(lambda: asyncio.run(make())).result()


def in_other_thread(work: Callable[[], T]) -> T:
    """Run ORM work that sends room events from sync test code whose thread Playwright's loop holds
    (an event is sent through async_to_sync, which refuses a thread with a running loop)."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as other:
        return other.submit(run).result()
