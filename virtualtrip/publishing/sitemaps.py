"""The sitemap: trips' landing pages and every public document, nothing embargoed."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap

from virtualtrip.publishing import queries
from virtualtrip.publishing.models import Document
from virtualtrip.trips import queries as trip_queries
from virtualtrip.trips.models import Trip


class TripSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "daily"

    def items(self) -> list[Trip]:
        return list(trip_queries.list_trips())

    def lastmod(self, trip: Trip) -> datetime:
        return trip.updated_at


class DocumentSitemap(Sitemap):  # type: ignore[type-arg]
    def items(self) -> list[Document]:
        return list(queries.visible_documents())

    def lastmod(self, document: Document) -> datetime | None:
        return document.last_published_at


SITEMAPS = {"trips": TripSitemap, "documents": DocumentSitemap}
