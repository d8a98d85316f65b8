"""Public pages of publishing: the trip's landing page, documents, engagements, search.

Every read goes through `queries`, whose `visible_documents` hides drafts and embargoed documents.
"""

from zoneinfo import ZoneInfo

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from virtualtrip.publishing import queries
from virtualtrip.publishing.models import Attachment, Document
from virtualtrip.trips import queries as trip_queries
from virtualtrip.trips.display import itinerary_legs, readings, zone_context
from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.schedule import coverage_line
from virtualtrip.trips.validators import country_name


def _trip(slug: str) -> Trip:
    return get_object_or_404(trip_queries.list_trips(), slug=slug)


def trip_page(request: HttpRequest, slug: str) -> HttpResponse:
    trip = _trip(slug)
    picked, context = zone_context(request)
    documents = queries.trip_page_documents(trip, get_language())
    context |= {
        "trip": trip,
        "documents": documents,
        "legs": itinerary_legs(trip, request.user, picked),
        "readouts": documents.readouts,
        "days": trip_queries.principal_days(trip, ZoneInfo(trip.home_timezone)),
        "sees_private": trip_queries.sees_private(request.user),
    }
    status = 400 if context["zone_error"] else 200
    return render(request, "publishing/trip.html", context, status=status)


def document_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    trip = _trip(slug)
    try:
        document = queries.get_visible_document(trip, pk)
    except Document.DoesNotExist:
        raise Http404("No such document is published") from None
    context = {
        "trip": trip,
        "document": document,
        "revision": document.live_revision,
        "versions": queries.translations(document),
        "attachments": queries.public_attachments(document),
        "destination_name": country_name(document.destination.country) if document.destination else "",
    }
    return render(request, "publishing/document.html", context)


def engagement_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    trip = _trip(slug)
    try:
        engagement = trip_queries.get_engagement(trip, key)
    except Engagement.DoesNotExist:
        raise Http404("No such public engagement") from None
    documents = queries.in_language(
        list(queries.trip_documents(trip).filter(engagement=engagement)), get_language()
    )
    context = {
        "trip": trip,
        "engagement": engagement,
        "readings": readings(engagement, trip),
        "coverage": coverage_line(engagement.coverage),
        "documents": documents,
        "readouts": {engagement.pk: queries.readout_notice(engagement, documents)},
    }
    return render(request, "publishing/engagement.html", context)


def attachment(request: HttpRequest, slug: str, pk: int, attachment_id: int) -> FileResponse:
    trip = _trip(slug)
    try:
        document = queries.get_visible_document(trip, pk)
        found = queries.public_attachments(document).get(pk=attachment_id)
    except (Document.DoesNotExist, Attachment.DoesNotExist):
        raise Http404("No such attachment is published") from None
    return FileResponse(
        found.file.open("rb"), content_type=found.content_type, filename=found.file.name.split("/")[-1]
    )


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = list(queries.search_documents(query)[:50]) if query else []
    return render(request, "publishing/search.html", {"search_query": query, "results": results})
