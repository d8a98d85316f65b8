from django.urls import path

from virtualtrip.rooms import consumers

websocket_urlpatterns = [
    path("ws/rooms/<int:engagement_id>/janus/", consumers.JanusProxyConsumer.as_asgi()),
    path("ws/rooms/<int:engagement_id>/control/", consumers.RoomControlConsumer.as_asgi()),
]
