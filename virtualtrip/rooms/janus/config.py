"""Janus's configuration, written by the app from its own settings.

The app never uses the sample secrets Janus ships with: `load_secrets` generates an API secret, an
admin secret, a token signing secret and a VideoRoom admin key on first use and keeps them, readable
by the owner only, in the runtime folder.
"""

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

JANUS_LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
KEPT_PLUGIN = "libjanus_videoroom.so"
KEPT_TRANSPORT = "libjanus_websockets.so"


@dataclass(frozen=True)
class JanusSecrets:
    api_secret: str
    admin_secret: str
    token_secret: str
    room_admin_key: str

    @classmethod
    def generate(cls) -> "JanusSecrets":
        return cls(*(secrets.token_urlsafe(32) for _ in range(4)))


@dataclass(frozen=True)
class JanusPorts:
    """Where the app's own Janus listens: loopback only, away from the system service's 8188/7188."""

    websocket: int = 8989
    admin_websocket: int = 7989
    rtp_range: str = "20000-20999"


def load_secrets(folder: Path) -> JanusSecrets:
    """The secrets kept in `folder`, generated and written (mode 0600) the first time."""
    path = folder / "secrets.json"
    if path.exists():
        return JanusSecrets(**json.loads(path.read_text()))
    folder.mkdir(parents=True, exist_ok=True)
    fresh = JanusSecrets.generate()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(fresh), file)
    return fresh


def _unused(folder: Path, kept: str) -> str:
    """Every library in `folder` but `kept`, as Janus's `disable` lists them."""
    names = sorted(p.name for p in folder.glob("*.so")) if folder.exists() else []
    return ",".join(name for name in names if name != kept)


def render_core(folder: Path, secrets_: JanusSecrets, ports: JanusPorts, lib: Path = JANUS_LIB) -> str:
    return f"""general: {{
	configs_folder = "{folder}"
	plugins_folder = "{lib / "plugins"}"
	transports_folder = "{lib / "transports"}"
	events_folder = "{lib / "events"}"
	loggers_folder = "{lib / "loggers"}"
	debug_level = 4
	api_secret = "{secrets_.api_secret}"
	token_auth = true
	token_auth_secret = "{secrets_.token_secret}"
	admin_secret = "{secrets_.admin_secret}"
	session_timeout = 60
	server_name = "virtualtrip"
}}
certificates: {{
}}
media: {{
	rtp_port_range = "{ports.rtp_range}"
}}
nat: {{
	ice_lite = false
	ice_tcp = false
	ignore_mdns = true
}}
plugins: {{
	disable = "{_unused(lib / "plugins", KEPT_PLUGIN)}"
}}
transports: {{
	disable = "{_unused(lib / "transports", KEPT_TRANSPORT)}"
}}
loggers: {{
	disable = "{_unused(lib / "loggers", "")}"
}}
events: {{
	broadcast = false
}}
"""


def render_websockets(ports: JanusPorts) -> str:
    return f"""general: {{
	json = "plain"
	ws = true
	ws_port = {ports.websocket}
	ws_ip = "127.0.0.1"
	wss = false
}}
admin: {{
	admin_ws = true
	admin_ws_port = {ports.admin_websocket}
	admin_ws_ip = "127.0.0.1"
	admin_wss = false
}}
"""


def render_videoroom(secrets_: JanusSecrets) -> str:
    # No rooms in the file: the app creates each engagement's room on demand, with its own secret
    # and pin, and only the app holds the admin key that creating a room needs.
    return f"""general: {{
	admin_key = "{secrets_.room_admin_key}"
	lock_rtp_forward = true
	events = false
}}
"""


def write_config(folder: Path, secrets_: JanusSecrets, ports: JanusPorts) -> Path:
    """Write the three files Janus reads into `folder`; returns the folder for `janus -F`."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "janus.jcfg": render_core(folder, secrets_, ports),
        "janus.transport.websockets.jcfg": render_websockets(ports),
        "janus.plugin.videoroom.jcfg": render_videoroom(secrets_),
    }
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        path.chmod(0o600)
    return folder
