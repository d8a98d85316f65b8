"""Channels' session and user in a socket's scope, without its wrapper around every message sent.

Channels' `SessionMiddleware` wraps `send` to save a modified session on `http.response.start`, the
one message that can carry its cookie. A WebSocket sends no such message after its handshake, yet
the wrapper looks at the session (`modified`, `is_empty()`, through Django's lazy object) on every
frame: with one event to 5,000 sockets that was a seventh of the fan-out's time (docs/benchmarks.md).
For sockets, this stack gives the scope the same lazy session and user and passes `send` through.
An HTTP scope gets Channels' own wrapper unchanged.
"""

from typing import Any

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware

ASGIApp = Any


class SocketSessionMiddleware(SessionMiddleware):  # type: ignore[misc]
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            return await super().__call__(scope, receive, send)
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


def SocketAuthMiddlewareStack(inner: ASGIApp) -> ASGIApp:  # noqa: N802 (named as Channels' stack)
    """Channels' `AuthMiddlewareStack`, with the session of `SocketSessionMiddleware`."""
    return CookieMiddleware(SocketSessionMiddleware(AuthMiddleware(inner)))
