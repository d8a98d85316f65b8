"""Reads of documents for pages, feeds, the sitemap, the API, search and other apps.

Every public surface reads through `visible_documents`, so an embargo or an unpublished draft cannot
leak through a surface that forgot to filter. `now` is a parameter so that tests can move the clock.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from virtualtrip.publishing.enums import ORIGINAL_LANGUAGE, DocumentKind
from virtualtrip.publishing.models import Attachment, Document
from virtualtrip.trips.enums import Coverage
from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.places import country_name


def _public(now: datetime, prefix: str = "") -> Q:
    """Published and past any embargo at `now` (of the document `prefix` leads to)."""
    return Q(**{f"{prefix}live": True, f"{prefix}live_revision__isnull": False}) & (
        Q(**{f"{prefix}go_live_at__isnull": True}) | Q(**{f"{prefix}go_live_at__lte": now})
    )


def visible_documents(now: datetime | None = None) -> QuerySet[Document]:
    """Documents the public may see at `now`: published, past any embargo, and not about a private
    engagement; a translation only while its original is public too, so it never leaves before the
    original's embargo lifts (nor stays once the original is withdrawn). Newest first."""
    now = now or timezone.now()
    return (
        Document.objects.filter(_public(now))
        .filter(Q(translation_of__isnull=True) | _public(now, "translation_of__"))
        .filter(Q(engagement__isnull=True) | Q(engagement__public=True))
        .select_related("trip", "destination", "engagement", "live_revision")
        .order_by("-live_revision__date", "-first_published_at", "-pk")
    )


def trip_documents(trip: Trip, now: datetime | None = None) -> QuerySet[Document]:
    return visible_documents(now).filter(trip=trip)


def get_visible_document(trip: Trip, pk: int, now: datetime | None = None) -> Document:
    """One public document; `Document.DoesNotExist` when there is none to show at `now`."""
    return trip_documents(trip, now).get(pk=pk)


def in_language(documents: list[Document], language: str) -> list[Document]:
    """Each original once, replaced by its version in `language` where that one is visible too.

    `documents` must hold the originals and their visible translations.
    """
    versions = {(d.translation_of_id, d.language): d for d in documents if d.translation_of_id}
    present = {d.pk for d in documents}
    return [
        versions.get((d.pk, language), d)
        for d in documents
        if d.translation_of_id is None or d.translation_of_id not in present
    ]


def translations(document: Document, now: datetime | None = None) -> list[Document]:
    """Every visible version of the document, the original first, then by language."""
    original_id = document.translation_of_id or document.pk
    family = visible_documents(now).filter(Q(pk=original_id) | Q(translation_of_id=original_id))
    return sorted(family, key=lambda d: (d.language != ORIGINAL_LANGUAGE, d.language))


def public_attachments(document: Document) -> QuerySet[Attachment]:
    return document.attachments.filter(published=True)


@dataclass(frozen=True)
class ReadoutNotice:
    """What an engagement's page says about its readout: one will follow, or here it is."""

    expected: bool
    readout: Document | None


def first_readouts(documents: list[Document]) -> dict[int, Document]:
    """Each engagement's first readout among `documents`: the one whose original was written first
    (a translation counts by its original's id)."""
    found: dict[int, Document] = {}
    for document in sorted(documents, key=lambda d: d.translation_of_id or d.pk):
        if document.kind == DocumentKind.READOUT and document.engagement_id:
            found.setdefault(document.engagement_id, document)
    return found


def readout_notice(engagement: Engagement, documents: list[Document]) -> ReadoutNotice:
    """Closed-press engagements get a readout; until it is public, the page says one will follow.
    `documents` are the engagement's visible documents in the page's language."""
    return ReadoutNotice(
        engagement.coverage == Coverage.CLOSED_PRESS, first_readouts(documents).get(engagement.pk)
    )


def search_problem(query: str) -> str | None:
    """What is wrong with search words that cannot be searched for (PostgreSQL cannot compare text
    holding a NUL character), or None."""
    if "\x00" in query:
        return _("The search contains the NUL character (U+0000), which cannot be searched for: remove it.")
    return None


def search_documents(query: str, now: datetime | None = None) -> QuerySet[Document]:
    """Visible documents whose live title or text holds every word of `query`."""
    found = visible_documents(now)
    for word in query.split()[:10]:
        found = found.filter(Q(live_revision__title__icontains=word) | Q(live_revision__body__icontains=word))
    return found


@dataclass(frozen=True)
class DocumentGroup:
    """The documents of one place of the trip: its home city, or a destination."""

    heading: str
    anchor: str
    documents: list[Document]


@dataclass(frozen=True)
class TripDocuments:
    public_schedules: list[Document]
    groups: list[DocumentGroup]
    readouts: dict[int, ReadoutNotice]


def listed_documents(trip: Trip, language: str, now: datetime | None = None) -> QuerySet[Document]:
    """What a list of the trip's documents in `language` needs: originals and their versions in that
    language, without the texts (a list shows titles)."""
    return (
        trip_documents(trip, now)
        .filter(Q(translation_of__isnull=True) | Q(language=language))
        .defer(
            "body", "question", "live_revision__body", "live_revision__body_html", "live_revision__question"
        )
    )


def trip_page_documents(trip: Trip, language: str, now: datetime | None = None) -> TripDocuments:
    """The trip's public documents in `language` where translated, read once: public schedules apart,
    the rest grouped by place (home first, then destinations in order), newest first; and the
    readout notice of each engagement that has or expects one."""
    documents = in_language(list(listed_documents(trip, language, now)), language)
    schedules = [d for d in documents if d.kind == DocumentKind.PUBLIC_SCHEDULE]
    others = [d for d in documents if d.kind != DocumentKind.PUBLIC_SCHEDULE]
    groups = [DocumentGroup(trip.home_city, "home", [d for d in others if d.destination_id is None])]
    for destination in trip.destinations.order_by("position"):
        mine = [d for d in others if d.destination_id == destination.pk]
        groups.append(DocumentGroup(country_name(destination.country), f"documents-{destination.pk}", mine))
    readouts = first_readouts(documents)
    closed = set(trip.engagements.filter(coverage=Coverage.CLOSED_PRESS).values_list("pk", flat=True))
    notices = {pk: ReadoutNotice(pk in closed, readouts.get(pk)) for pk in closed | set(readouts)}
    return TripDocuments(schedules, [group for group in groups if group.documents], notices)
