from django.urls import path

from virtualtrip.rooms import views

app_name = "rooms"
urlpatterns = [
    path("join/<str:token>/", views.join, name="join"),
    path("rooms/<int:engagement_id>/", views.room, name="room"),
    path("rooms/<int:engagement_id>/travel/", views.travel, name="travel"),
    path("rooms/<int:engagement_id>/links/", views.join_links, name="links"),
    path(
        "rooms/<int:engagement_id>/recordings/<int:track_id>/", views.recording_track, name="recording-track"
    ),
    path("healthz", views.healthz, name="healthz"),
]
