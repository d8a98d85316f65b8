"""`virtualtrip serve` as a real process: it starts its own Janus next to the system's, serves pages
and health, and takes its Janus down with it however it stops."""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.janus import free_port, run_async
from virtualtrip.rooms.janus.client import janus_client
from virtualtrip.rooms.janus.supervisor import port_answers

pytestmark = [pytest.mark.janus, pytest.mark.slow]
SYSTEM_JANUS_PORT = 8188
"""Where the janus package's own service listens, with Debian's configuration in /etc/janus."""


@pytest.fixture(scope="module")
def system_janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Janus as the Debian package configures it: the running service if there is one, else one
    started here from /etc/janus."""
    if port_answers(SYSTEM_JANUS_PORT):
        yield SYSTEM_JANUS_PORT
        return
    folder = tmp_path_factory.mktemp("system-janus")
    process = subprocess.Popen(
        [
            shutil.which("janus") or "/usr/bin/janus",
            "-F",
            "/etc/janus",
            "-L",
            str(folder / "janus.log"),
            "--disable-colors",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Debian's audiobridge plugin may abort as Janus exits: no core file, and none in the checkout.
        cwd=folder,
        preexec_fn=no_core_files,
    )
    try:
        wait_until(lambda: port_answers(SYSTEM_JANUS_PORT), "the system Janus did not start")
        yield SYSTEM_JANUS_PORT
    finally:
        process.terminate()
        process.wait(timeout=10)


def no_core_files() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def wait_until(condition, failure: str, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)


class Served:
    """One `virtualtrip serve` process in a data folder of its own (SQLite, its own Janus)."""

    def __init__(
        self, data_dir: Path, janus_port: int | None = None, extra_env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.janus_port = janus_port or free_port()
        self.env = {
            "PATH": os.environ["PATH"],
            "VIRTUALTRIP_DATA_DIR": str(data_dir),
            "VIRTUALTRIP_JANUS_PORT": str(self.janus_port),
            "VIRTUALTRIP_JANUS_ADMIN_PORT": str(free_port()),
            **(extra_env or {}),
        }
        subprocess.run(
            [sys.executable, "-m", "virtualtrip.cli", "migrate", "-v0"], env=self.env, check=True, timeout=120
        )
        self.output = data_dir / "serve.out"
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "virtualtrip.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Another `virtualtrip` process on the same data, as a planner runs one beside `serve`."""
        return subprocess.run(
            [sys.executable, "-m", "virtualtrip.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def health(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except OSError:
            return 0, {}

    def wait_healthy(self) -> dict:
        wait_until(lambda: self.health()[0] == 200, f"serve never became healthy: {self.health()}")
        return self.health()[1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


async def janus_version(port: int, secret: str = "") -> str:
    async with janus_client(f"ws://127.0.0.1:{port}", secret) as janus:
        return str((await janus.request({"janus": "info"}))["version_string"])


def test_serve_runs_its_own_janus_beside_the_system_one_and_stops_it_on_exit(tmp_path, system_janus) -> None:
    served = Served(tmp_path)
    try:
        health = served.wait_healthy()
        assert health["janus"] == [
            {"url": f"ws://127.0.0.1:{served.janus_port}", "ok": True, "version": "1.1.2"}
        ]
        assert run_async(lambda: janus_version(system_janus)) == "1.1.2"  # the system one, untouched
        served.process.send_signal(signal.SIGINT)  # Ctrl-C
        assert served.process.wait(timeout=20) == 0
        wait_until(lambda: not port_answers(served.janus_port), "serve's Janus outlived it")
        assert port_answers(system_janus)
    finally:
        served.stop()


def test_a_killed_serve_takes_its_janus_down_with_it(tmp_path) -> None:
    served = Served(tmp_path)
    try:
        served.wait_healthy()
        served.process.kill()  # no clean-up code runs: the kernel stops Janus (PR_SET_PDEATHSIG)
        served.process.wait(timeout=10)
        wait_until(lambda: not port_answers(served.janus_port), "serve's Janus outlived it")
    finally:
        served.stop()


def test_serve_on_the_system_janus_port_says_so_and_exits(tmp_path, system_janus) -> None:
    served = Served(tmp_path, janus_port=system_janus)
    try:
        assert served.process.wait(timeout=60) != 0
        output = served.output.read_text()
        assert f"port {system_janus} is taken, by another Janus perhaps: set VIRTUALTRIP_JANUS_PORT" in output
    finally:
        served.stop()


def test_several_workers_without_redis_are_refused_before_anything_starts(run) -> None:
    answer = run("serve", "--workers", "2")
    assert answer.returncode == 1
    assert "--workers 2 needs REDIS_URL: the processes share room events through Redis" in answer.stderr
