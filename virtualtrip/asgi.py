"""The ASGI application: Django's pages and the room sockets (`virtualtrip serve` runs it)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtualtrip.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from virtualtrip.floor.routing import websocket_urlpatterns as floor_sockets  # noqa: E402
from virtualtrip.origins import SameOriginValidator  # noqa: E402
from virtualtrip.realtime.sessions import SocketAuthMiddlewareStack  # noqa: E402
from virtualtrip.rooms.routing import websocket_urlpatterns as room_sockets  # noqa: E402

websocket_urlpatterns = room_sockets + floor_sockets

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": SameOriginValidator(SocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
