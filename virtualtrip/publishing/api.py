"""The JSON API of published documents. Every caller, signed in or not, sees what the public sees:
published documents past their embargo (drafts are worked on in the admin)."""

from datetime import date, datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from virtualtrip.publishing import queries
from virtualtrip.publishing.enums import DocumentKind
from virtualtrip.publishing.models import Document
from virtualtrip.trips import queries as trip_queries

router = Router(tags=["documents"])
LanguageCode = Literal["en", "es", "fr"]


class DocumentOut(Schema):
    id: int
    trip: str
    kind: str
    language: str
    translation_of: int | None
    title: str
    date: date
    destination: str | None
    engagement: str | None
    question: str | None
    first_published: datetime | None
    last_published: datetime | None
    url: str


class DocumentDetailOut(DocumentOut):
    body: str
    body_html: str
    translations: dict[str, int]


class DocumentFilter(Schema):
    language: LanguageCode | None = None
    kind: Literal[tuple(DocumentKind.values)] | None = None  # type: ignore[valid-type]


def _out(document: Document) -> dict[str, object]:
    revision = document.live_revision
    assert revision is not None  # visible documents always have one
    return {
        "id": document.pk,
        "trip": document.trip.slug,
        "kind": document.kind,
        "language": document.language,
        "translation_of": document.translation_of_id,
        "title": revision.title,
        "date": revision.date,
        "destination": document.destination.country if document.destination else None,
        "engagement": document.engagement.key if document.engagement else None,
        "question": revision.question or None,
        "first_published": document.first_published_at,
        "last_published": document.last_published_at,
        "url": document.get_absolute_url(),
    }


@router.get("/trips/{slug}/documents", response=list[DocumentOut], summary="A trip's published documents")
def list_documents(
    request: HttpRequest, slug: str, filters: Query[DocumentFilter]
) -> list[dict[str, object]]:
    trip = get_object_or_404(trip_queries.list_trips(), slug=slug)
    documents = queries.trip_documents(trip)
    if filters.language:
        documents = documents.filter(language=filters.language)
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    return [_out(document) for document in documents]


@router.get("/trips/{slug}/documents/{pk}", response=DocumentDetailOut, summary="One published document")
def get_document(request: HttpRequest, slug: str, pk: int) -> dict[str, object]:
    trip = get_object_or_404(trip_queries.list_trips(), slug=slug)
    try:
        document = queries.get_visible_document(trip, pk)
    except Document.DoesNotExist:
        raise Http404(f"No published document {pk} in trip {slug!r}") from None
    revision = document.live_revision
    assert revision is not None
    versions = {v.language: v.pk for v in queries.translations(document) if v.pk != document.pk}
    return _out(document) | {"body": revision.body, "body_html": revision.body_html, "translations": versions}
