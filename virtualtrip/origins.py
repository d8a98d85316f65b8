"""Room sockets are opened only by the site's own pages.

A browser sends the page's origin with every WebSocket handshake, and sockets are not covered by the
same-origin policy or by CSRF tokens, so the origin is the one thing that tells a room page served here
from a page elsewhere that reuses a participant's cookies. Channels' `AllowedHostsOriginValidator`
compares host names only, so a page on another port of the same host (or plain http beside https) was
let in; this validator wants the scheme, host and port that the handshake itself came in on, or one of
`CSRF_TRUSTED_ORIGINS` (the addresses the site is reached under behind a proxy).
"""

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

Scope = dict[str, Any]
ASGIApp = Any  # an ASGI application: `await app(scope, receive, send)`

DEFAULT_PORTS = {"http": 80, "https": 443}
# A socket's scheme, spoken as the scheme of the page that opens it.
PAGE_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


class Origin(NamedTuple):
    """A web origin: scheme (http or https), lower-case host, port (the scheme's default if none given)."""

    scheme: str
    host: str
    port: int


def parse_origin(value: str) -> Origin | None:
    """An `Origin` header's origin; None for `null`, a path-bearing URL, or anything that is not http(s)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query:
        return None
    return Origin(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin1")
    return None


def _scheme(scope: Scope) -> str:
    """The handshake's scheme as a page's, trusting `SECURE_PROXY_SSL_HEADER` as Django does."""
    scheme = PAGE_SCHEMES.get(scope.get("scheme", "ws"), "http")
    proxy_header: tuple[str, str] | None = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header is not None:
        name, secure_value = proxy_header
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin1")
        forwarded = _header(scope, header)
        if forwarded is not None:
            scheme = "https" if forwarded.split(",", 1)[0].strip() == secure_value else "http"
    return scheme


def site_origin(scope: Scope) -> Origin | None:
    """The origin the handshake was addressed to (its Host header); None if that host is not allowed."""
    host_header = _header(scope, b"host")
    if host_header is None:
        return None
    host, port = split_domain_port(host_header)
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]  # as Django's HttpRequest.get_host()
    if not host or not validate_host(host, allowed_hosts):
        return None
    scheme = _scheme(scope)
    try:
        return Origin(scheme, host.strip("[]"), int(port) if port else DEFAULT_PORTS[scheme])
    except ValueError:
        return None


def _trusted(origin: Origin, pattern: str) -> bool:
    """Whether `origin` is the trusted origin `pattern`, whose host may start with `*.` as in Django."""
    wildcard = "://*." in pattern
    trusted = parse_origin(pattern.replace("://*.", "://", 1))
    if trusted is None or (trusted.scheme, trusted.port) != (origin.scheme, origin.port):
        return False
    if wildcard:
        return is_same_domain(origin.host, "." + trusted.host)
    return origin.host == trusted.host


def origin_allowed(scope: Scope) -> bool:
    """Whether the handshake's Origin is the site's own scheme://host:port or a trusted origin."""
    header = _header(scope, b"origin")
    origin = parse_origin(header) if header is not None else None
    if origin is None:
        return False
    if origin == site_origin(scope):
        return True
    return any(_trusted(origin, pattern) for pattern in settings.CSRF_TRUSTED_ORIGINS)


class SameOriginValidator:
    """ASGI middleware for sockets: hands on a handshake from the site's own pages, refuses the rest."""

    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError(f"SameOriginValidator guards WebSockets only, not {scope['type']!r}")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
