"""`virtualtrip serve` runs the background workers of settings.SERVE_WORKERS beside the app (the speech
worker): started with it, started again when one dies, stopped with it however it stops; none with
`--no-workers`. Serve runs here on Janus servers said to be elsewhere, so that it starts no Janus."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.janus import free_port

pytestmark = pytest.mark.slow
WORKER = "speech-worker"


def children(pid: int) -> dict[int, str]:
    """pid -> command line of each process whose parent is `pid` (from /proc)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # gone meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and cmdline:
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition: Callable[[], object], failure: Callable[[], str], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, failure()
        time.sleep(0.1)


class Served:
    def __init__(self, data_dir: Path, *args: str) -> None:
        self.port = free_port()
        self.env = {
            "PATH": os.environ["PATH"],
            "VIRTUALTRIP_DATA_DIR": str(data_dir),
            "VIRTUALTRIP_JANUS_URLS": f"ws://127.0.0.1:{free_port()}",
            "VIRTUALTRIP_JANUS_API_SECRET": "api-secret-for-tests",
            "VIRTUALTRIP_JANUS_TOKEN_SECRET": "token-secret-for-tests",
            "VIRTUALTRIP_JANUS_ROOM_ADMIN_KEY": "room-admin-key-for-tests",
        }
        subprocess.run(
            [sys.executable, "-m", "virtualtrip.cli", "migrate", "-v0"], env=self.env, check=True, timeout=120
        )
        self.output = data_dir / "serve.out"
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "virtualtrip.cli", "serve", "--port", str(self.port), *args],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # it answers, whatever its Janus says
        except OSError:
            return False

    def workers(self) -> list[int]:
        return [pid for pid, command in children(self.process.pid).items() if WORKER in command]

    def said(self) -> str:
        return self.output.read_text()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*args: str) -> Served:
        started.append(Served(tmp_path / f"serve-{len(started)}", *args))
        return started[-1]

    try:
        yield start
    finally:
        for served in started:
            leftover = served.workers()
            if served.process.poll() is None:
                served.process.kill()
                served.process.wait(timeout=10)
            for pid in leftover:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


def test_serve_runs_a_worker_starts_it_again_when_it_dies_and_stops_it_on_exit(serve) -> None:  # type: ignore[no-untyped-def]
    served = serve()
    wait_until(served.answers, lambda: f"serve never answered:\n{served.said()}")
    wait_until(served.workers, lambda: f"no worker beside serve:\n{served.said()}")
    [first] = served.workers()
    assert f"{WORKER} running (pid {first})" in served.said()

    os.kill(first, signal.SIGKILL)
    wait_until(lambda: served.workers() not in ([], [first]), lambda: f"not restarted:\n{served.said()}")
    wait_until(lambda: f"{WORKER} running" in served.said().split("again in 1 s")[-1], served.said)
    [second] = served.workers()
    assert second != first, served.said()
    assert f"{WORKER} exited with status -9; again in 1 s" in served.said()

    served.process.send_signal(signal.SIGINT)  # Ctrl-C
    assert served.process.wait(timeout=30) == 0
    assert not alive(second)


def test_a_killed_serve_takes_its_worker_down_with_it(serve) -> None:  # type: ignore[no-untyped-def]
    served = serve()
    wait_until(served.workers, lambda: f"no worker beside serve:\n{served.said()}")
    [worker] = served.workers()
    served.process.kill()  # no clean-up code runs: the kernel tells the worker (PR_SET_PDEATHSIG)
    served.process.wait(timeout=10)
    wait_until(lambda: not alive(worker), lambda: "the worker outlived serve", timeout_s=20)


def test_serve_with_no_workers_starts_none(serve) -> None:  # type: ignore[no-untyped-def]
    served = serve("--no-workers")
    wait_until(served.answers, lambda: f"serve never answered:\n{served.said()}")
    time.sleep(1)
    assert served.workers() == []
    assert WORKER not in served.said()
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=30) == 0
