from django.urls import path

import virtualtrip.trips.urls  # noqa: F401  (registers the "isodate" converter the day pages take)
from virtualtrip.publishing import views
from virtualtrip.publishing.feeds import SiteFeed, TripFeed

app_name = "publishing"
urlpatterns = [
    path("trips/<slug:slug>/", views.trip_page, name="trip"),
    path("trips/<slug:slug>/itinerary/<isodate:day>/", views.itinerary_day, name="itinerary-day"),
    path("trips/<slug:slug>/documents/<int:pk>/", views.document_page, name="document"),
    path(
        "trips/<slug:slug>/documents/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("trips/<slug:slug>/engagements/<slug:key>/", views.engagement_page, name="engagement"),
    path("trips/<slug:slug>/feed.atom", TripFeed(), name="trip-feed"),
    path("feed.atom", SiteFeed(), name="site-feed"),
    path("search/", views.search, name="search"),
]
