from django.urls import path

from virtualtrip.floor import consumers

websocket_urlpatterns = [
    path("ws/floor/<int:engagement_id>/", consumers.FloorConsumer.as_asgi()),
]
