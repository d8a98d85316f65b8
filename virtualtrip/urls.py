from django.contrib import admin
from django.urls import include, path

from virtualtrip.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api.urls),
    path("", include("virtualtrip.rooms.urls")),
    path("", include("virtualtrip.trips.urls")),
]
