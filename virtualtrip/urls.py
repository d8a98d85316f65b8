from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from virtualtrip.api import api
from virtualtrip.publishing.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
# Pages in English have no prefix; the same pages in Spanish and French live under /es/ and /fr/.
urlpatterns += i18n_patterns(
    path("accounts/", include("django.contrib.auth.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("virtualtrip.rooms.urls")),
    path("", include("virtualtrip.floor.urls")),
    path("", include("virtualtrip.speech.urls")),
    path("", include("virtualtrip.publishing.urls")),
    path("", include("virtualtrip.trips.urls")),
    prefix_default_language=False,
)
