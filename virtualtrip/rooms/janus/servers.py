"""Which Janus servers the app uses: its own, or the ones production points it at."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zlib import crc32

from django.conf import settings

from virtualtrip.rooms.janus.config import JanusPorts, load_secrets


@dataclass(frozen=True)
class JanusServer:
    url: str
    api_secret: str
    token_secret: str
    room_admin_key: str


def owns_janus() -> bool:
    """True when no servers are configured: the app starts and configures its own Janus."""
    return not settings.JANUS_URLS


def own_ports() -> JanusPorts:
    return JanusPorts(settings.JANUS_WS_PORT, settings.JANUS_ADMIN_PORT, settings.JANUS_RTP_PORTS)


@cache
def _own_server(runtime_dir: str, port: int) -> JanusServer:
    kept = load_secrets(Path(runtime_dir))
    return JanusServer(f"ws://127.0.0.1:{port}", kept.api_secret, kept.token_secret, kept.room_admin_key)


def janus_servers() -> list[JanusServer]:
    if owns_janus():
        return [_own_server(str(settings.JANUS_RUNTIME_DIR), settings.JANUS_WS_PORT)]
    return [
        JanusServer(
            url, settings.JANUS_API_SECRET, settings.JANUS_TOKEN_SECRET, settings.JANUS_ROOM_ADMIN_KEY
        )
        for url in settings.JANUS_URLS
    ]


def pick_server(engagement_id: int) -> JanusServer:
    """Spread rooms over the servers; one engagement always lands on the same one."""
    servers = janus_servers()
    return servers[crc32(str(engagement_id).encode()) % len(servers)]


def server_at(url: str) -> JanusServer:
    """The configured server with this URL; the first one when the room's server is gone from the list."""
    servers = janus_servers()
    return next((server for server in servers if server.url == url), servers[0])
