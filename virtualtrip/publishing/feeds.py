"""Atom feeds of published documents: one per trip, one for the whole site (Django's syndication)."""

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from virtualtrip.publishing import queries
from virtualtrip.publishing.models import Document
from virtualtrip.trips.models import Trip

FEED_SIZE = 50


class _DocumentFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def item_title(self, item: Document) -> str:
        return item.live_revision.title if item.live_revision else item.title

    def item_description(self, item: Document) -> str:
        return item.live_revision.body_html if item.live_revision else ""

    def item_link(self, item: Document) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Document) -> datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: Document) -> datetime | None:
        return item.last_published_at

    def item_categories(self, item: Document) -> list[str]:
        return [item.get_kind_display()]


class TripFeed(_DocumentFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Trip:
        return get_object_or_404(Trip, slug=slug)

    def title(self, trip: Trip) -> str:
        return trip.title

    def subtitle(self, trip: Trip) -> str:
        return _("Documents published for %(trip)s") % {"trip": trip.title}

    def link(self, trip: Trip) -> str:
        return trip.get_absolute_url()

    def items(self, trip: Trip) -> list[Document]:
        return list(queries.trip_documents(trip).order_by("-last_published_at", "-pk")[:FEED_SIZE])


class SiteFeed(_DocumentFeed):
    link = "/"

    def title(self) -> str:
        return _("Virtual Trip: new documents")

    def subtitle(self) -> str:
        return _("Documents published for every trip")

    def items(self) -> list[Document]:
        return list(queries.visible_documents().order_by("-last_published_at", "-pk")[:FEED_SIZE])
