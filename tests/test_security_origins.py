"""Room sockets open only from the site's own scheme, host and port, or a trusted origin."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing.websocket import WebsocketCommunicator
from pytest_django.fixtures import Settings

from virtualtrip.origins import Origin, SameOriginValidator, parse_origin

# Channels' consumers close stale database connections around every message, in their own thread.
pytestmark = pytest.mark.django_db(transaction=True)
SITE = "localhost:8000"


class Accepting(AsyncWebsocketConsumer):  # type: ignore[misc]
    """A room socket stand-in that lets everyone in."""

    async def connect(self) -> None:
        await self.accept()


def handshake(app: Any, origin: str | None, host: str = SITE, scheme: str = "ws", **more: str) -> bool:
    """Whether a handshake with this Origin and Host header is accepted."""
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers += [(name.replace("_", "-").encode(), value.encode()) for name, value in more.items()]

    async def attempt() -> bool:
        communicator = WebsocketCommunicator(app, "/ws/rooms/1/control/", headers=headers)
        communicator.scope["scheme"] = scheme
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return bool(connected)

    return async_to_sync(attempt)()


guarded = SameOriginValidator(Accepting.as_asgi())


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "accepted"),
    [
        ("http://localhost:8000", SITE, "ws", True),
        ("http://LOCALHOST:8000", SITE, "ws", True),
        ("http://localhost:9000", SITE, "ws", False),  # another port of an allowed host
        ("https://localhost:8000", SITE, "ws", False),  # another scheme
        ("http://127.0.0.1:8000", SITE, "ws", False),  # another allowed host
        ("http://localhost", SITE, "ws", False),
        ("http://localhost", "localhost", "ws", True),
        ("http://localhost:80", "localhost", "ws", True),
        ("https://localhost", "localhost", "wss", True),
        ("http://localhost", "localhost", "wss", False),
        ("null", SITE, "ws", False),
        ("http://localhost:8000/room", SITE, "ws", False),
        ("http://localhost:notaport", SITE, "ws", False),
        (None, SITE, "ws", False),
        ("http://evil.example:8000", "evil.example:8000", "ws", False),  # a host not in ALLOWED_HOSTS
        ("http://[::1]:8000", "[::1]:8000", "ws", True),
    ],
)
def test_socket_origin_must_be_the_sites_own(
    origin: str | None, host: str, scheme: str, accepted: bool
) -> None:
    assert handshake(guarded, origin, host=host, scheme=scheme) is accepted


def test_socket_origin_may_be_a_trusted_origin(settings: Settings) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://trips.example.org", "https://*.trips.example.net"]
    assert [
        handshake(guarded, origin)
        for origin in [
            "https://trips.example.org",
            "https://trips.example.org:8443",
            "http://trips.example.org",
            "https://eu.trips.example.net",
            "https://trips.example.net.evil.example",
        ]
    ] == [True, False, False, True, False]


def test_socket_scheme_behind_a_proxy_comes_from_its_header(settings: Settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["trips.example.org"]
    site = "trips.example.org"
    assert [
        handshake(guarded, "https://trips.example.org", host=site, x_forwarded_proto="https"),
        handshake(guarded, "http://trips.example.org", host=site, x_forwarded_proto="https"),
        handshake(guarded, "https://trips.example.org", host=site, x_forwarded_proto="http"),
        handshake(guarded, "https://trips.example.org", host=site),
    ] == [True, False, False, False]


def test_room_socket_from_another_port_is_refused_at_the_handshake() -> None:
    from virtualtrip.asgi import application

    # The same origin reaches the room, which accepts then closes a socket with no seat.
    assert handshake(application, "http://localhost:8000") is True
    assert handshake(application, "http://localhost:8001") is False


def test_origin_parsing() -> None:
    assert [
        parse_origin("https://Trips.Example.org"),
        parse_origin("http://trips.example.org:8080"),
        parse_origin("ftp://trips.example.org"),
        parse_origin("https://"),
    ] == [Origin("https", "trips.example.org", 443), Origin("http", "trips.example.org", 8080), None, None]


def test_validator_guards_sockets_only() -> None:
    async def http() -> None:
        await guarded({"type": "http"}, None, None)

    with pytest.raises(ValueError, match="guards WebSockets only, not 'http'"):
        async_to_sync(http)()
