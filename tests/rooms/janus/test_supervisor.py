"""The app's own Janus, for real: configuration, start, restart after a crash, health."""

import json
import os
import re
import resource
import signal
import time
from pathlib import Path

import pytest
from django.test import Client

from tests.janus import free_port, run_async, start_janus
from virtualtrip.rooms.janus.client import JanusError, janus_client
from virtualtrip.rooms.janus.config import load_secrets

pytestmark = pytest.mark.janus
SAMPLE_SECRETS = {"janusrocks", "janusoverlord", "supersecret", "janus"}


def test_config_has_generated_secrets_and_loopback_ports(tmp_path) -> None:
    supervisor = start_janus(tmp_path)
    try:
        kept = load_secrets(tmp_path)
        assert not SAMPLE_SECRETS & set(vars(kept).values())
        assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600
        core = (tmp_path / "config" / "janus.jcfg").read_text()
        assert f'api_secret = "{kept.api_secret}"' in core
        sockets = (tmp_path / "config" / "janus.transport.websockets.jcfg").read_text()
        assert sockets.count('ip = "127.0.0.1"') == 2
        assert "8188" not in sockets
    finally:
        supervisor.stop()


async def _info(url: str, secret: str) -> dict:
    async with janus_client(url, secret) as janus:
        return await janus.request({"janus": "info"})


def test_janus_refuses_a_wrong_api_secret(janus_server) -> None:
    with pytest.raises(JanusError, match="Unauthorized"):
        run_async(lambda: _info(f"ws://127.0.0.1:{janus_server.ports.websocket}", "wrong"))


def test_supervisor_restarts_janus_when_it_dies(tmp_path) -> None:
    supervisor = start_janus(tmp_path)
    try:
        first = supervisor.process
        assert first is not None
        first.kill()
        deadline = time.monotonic() + 10
        while supervisor.process is first or not supervisor.port_open():
            assert time.monotonic() < deadline, "janus was not restarted"
            time.sleep(0.1)
        supervisor.wait_ready()
        kept = load_secrets(tmp_path)
        info = run_async(lambda: _info(f"ws://127.0.0.1:{supervisor.ports.websocket}", kept.api_secret))
        assert info["version_string"] == "1.1.2"
        assert supervisor.restarts == 1
    finally:
        supervisor.stop()


@pytest.mark.django_db
def test_healthz_reports_the_database_and_each_janus(own_janus, settings) -> None:
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    url = f"ws://127.0.0.1:{own_janus.ports.websocket}"
    assert json.loads(answer.content) == {
        "ok": True,
        "database": {"ok": True},
        "janus": [{"url": url, "ok": True, "version": "1.1.2"}],
    }
    settings.JANUS_WS_PORT = free_port()
    down = json.loads(Client().get("/healthz").content)
    assert down["ok"] is False
    assert down["janus"][0]["ok"] is False


def test_a_crashing_janus_leaves_no_core_file_in_the_working_folder(tmp_path, monkeypatch) -> None:
    """Even where the user allows core files (as a developer's shell may), Janus may write none, and
    its working folder is its own, not the checkout `serve` was started from."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard == 0:
        pytest.skip("core files are off for this process: nothing to show")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    try:
        supervisor = start_janus(tmp_path / "janus")
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
    janus = supervisor.process
    assert janus is not None
    try:
        pid = janus.pid
        limits = Path(f"/proc/{pid}/limits").read_text()
        assert re.search(r"^Max core file size\s+0\s+0\s", limits, re.MULTILINE), limits
        assert Path(f"/proc/{pid}/cwd").resolve() == (tmp_path / "janus").resolve()
        os.kill(pid, signal.SIGSEGV)
        janus.wait(timeout=10)
    finally:
        supervisor.stop()
    assert list(checkout.iterdir()) == []
    assert not [path for path in (tmp_path / "janus").iterdir() if path.name.startswith("core")]


def test_janus_is_stopped_with_its_own_clean_shutdown(tmp_path) -> None:
    supervisor = start_janus(tmp_path)
    process = supervisor.process
    assert process is not None
    supervisor.stop()
    assert process.returncode == 0  # SIGINT: Janus hangs up and exits by itself; a kill would be -9
