"""The app's own Janus as a supervised child process: started, watched, restarted when it dies."""

import ctypes
import logging
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from virtualtrip.rooms.janus.config import JanusPorts, load_secrets, write_config

logger = logging.getLogger(__name__)
RESTART_DELAY_S = 0.5
STOP_WAIT_S = 10.0
"""How long Janus may take to hang up its sessions and close its recordings before it is killed."""


PR_SET_PDEATHSIG = 1


def _prepare_child() -> None:
    """In the child, between fork and exec: ask Linux to stop Janus when the process that started it
    goes, however it goes, and never to write a core file for it (a crashing Janus dumps 100 MB or
    more into its working folder, which would be the user's checkout)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class JanusNotInstalled(Exception):
    pass


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


class JanusSupervisor:
    """Runs `janus -F CONFIG -L LOG` and starts it again whenever it exits, until `stop()`."""

    def __init__(self, runtime_dir: Path, ports: JanusPorts, binary: str = "janus") -> None:
        found = shutil.which(binary)
        if found is None:
            raise JanusNotInstalled(f"'{binary}' not found: install Debian's janus package (make demo does)")
        self.binary = found
        self.runtime_dir = runtime_dir
        self.ports = ports
        self.process: subprocess.Popen[bytes] | None = None
        self._spawned: list[subprocess.Popen[bytes]] = []
        self.restarts = 0
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def log_path(self) -> Path:
        return self.runtime_dir / "janus.log"

    def start(self, timeout: float = 10.0) -> None:
        if port_answers(self.ports.websocket):
            raise RuntimeError(
                f"port {self.ports.websocket} is taken, by another Janus perhaps: "
                "set VIRTUALTRIP_JANUS_PORT to a free port"
            )
        config = write_config(self.runtime_dir / "config", load_secrets(self.runtime_dir), self.ports)
        self._command = [self.binary, "-F", str(config), "-L", str(self.log_path), "--disable-colors"]
        self._spawn()
        self.wait_ready(timeout)
        self._watcher = threading.Thread(target=self._watch, name="janus-supervisor", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own binary path and arguments)
            self._command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=self.runtime_dir,  # whatever Janus leaves behind stays in its own folder
            preexec_fn=_prepare_child,  # only prctl and setrlimit run between fork and exec
        )
        self._spawned.append(self.process)
        logger.info("janus started (pid %s)", self.process.pid)

    def port_open(self) -> bool:
        return port_answers(self.ports.websocket)

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not port_answers(self.ports.websocket):
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"janus exited with status {self.process.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"janus did not open port {self.ports.websocket} in {timeout:.0f} s")
            time.sleep(0.05)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self.process
            if process is not None and process.poll() is not None:
                logger.warning("janus exited with status %s; restarting it", process.returncode)
                self.restarts += 1
                time.sleep(RESTART_DELAY_S)
                if self._stopping.is_set():
                    break
                self._spawn()
            self._stopping.wait(0.2)

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=2)
        for process in self._spawned:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # Janus's own clean shutdown, as Ctrl-C in a terminal
            try:
                process.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
