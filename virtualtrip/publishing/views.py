"""Public pages of publishing: the trip's landing page and its itinerary's days, documents, engagements,
search.

Every read goes through `queries`, whose `visible_documents` hides drafts and embargoed documents.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language

from virtualtrip.publishing import queries
from virtualtrip.publishing.attachments import attachment_response
from virtualtrip.publishing.models import Attachment, Document
from virtualtrip.trips import queries as trip_queries
from virtualtrip.trips.display import (
    ItineraryLeg,
    itinerary_legs,
    itinerary_outline,
    readings,
    zone_context,
)
from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.places import country_name
from virtualtrip.trips.schedule import coverage_line

# Up to this many engagements, the trip page lists the whole itinerary; a longer trip's page lists
# its days, each a page of its own, so that the page stays a size a reader can take in.
ITINERARY_ON_ONE_PAGE = 60


def _trip(slug: str) -> Trip:
    return get_object_or_404(trip_queries.list_trips(), slug=slug)


def trip_page(request: HttpRequest, slug: str) -> HttpResponse:
    trip = _trip(slug)
    picked, context = zone_context(request, trip)
    documents = queries.trip_page_documents(trip, get_language())
    outline = itinerary_outline(trip, request.user)
    on_one_page = sum(day.engagements for leg in outline for day in leg.days) <= ITINERARY_ON_ONE_PAGE
    context |= {
        "trip": trip,
        "documents": documents,
        "legs": itinerary_legs(trip, request.user, picked) if on_one_page else [],
        "outline": [] if on_one_page else outline,
        "readouts": documents.readouts,
        "days": trip_queries.principal_days(trip, ZoneInfo(trip.home_timezone)),
        "sees_private": trip_queries.sees_private(request.user),
    }
    status = 400 if context["zone_error"] else 200
    return render(request, "publishing/trip.html", context, status=status)


def _day_readouts(trip: Trip, legs: list[ItineraryLeg], language: str) -> dict[int, queries.ReadoutNotice]:
    """The readout notice of each engagement of a day, from that day's documents alone."""
    engagements = [item.engagement for leg in legs for item in leg.engagements]
    listed = queries.listed_documents(trip, language).filter(engagement__in=[e.pk for e in engagements])
    documents = queries.in_language(list(listed), language)
    return {engagement.pk: queries.readout_notice(engagement, documents) for engagement in engagements}


def itinerary_day(request: HttpRequest, slug: str, day: date) -> HttpResponse:
    """One day of the itinerary: the engagements that happen on `day` where they happen."""
    trip = _trip(slug)
    picked, context = zone_context(request, trip)
    days = sorted({d.day for leg in trip_queries.itinerary_days(trip, request.user) for d in leg.days})
    if day not in days:
        raise Http404("No engagement the viewer may see happens on this day")
    legs = itinerary_legs(trip, request.user, picked, on=day)
    at = days.index(day)
    context |= {
        "trip": trip,
        "day": day,
        "legs": legs,
        "readouts": _day_readouts(trip, legs, get_language()),
        "previous_day": days[at - 1] if at > 0 else None,
        "next_day": days[at + 1] if at + 1 < len(days) else None,
        "sees_private": trip_queries.sees_private(request.user),
    }
    status = 400 if context["zone_error"] else 200
    return render(request, "publishing/itinerary_day.html", context, status=status)


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
        "takes_registrations": trip_queries.takes_press_registrations(engagement, timezone.now()),
    }
    return render(request, "publishing/engagement.html", context)


def attachment(request: HttpRequest, slug: str, pk: int, attachment_id: int) -> FileResponse:
    trip = _trip(slug)
    try:
        document = queries.get_visible_document(trip, pk)
        found = queries.public_attachments(document).get(pk=attachment_id)
    except (Document.DoesNotExist, Attachment.DoesNotExist):
        raise Http404("No such attachment is published") from None
    return attachment_response(found)


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    problem = queries.search_problem(query)
    if problem:
        context = {"search_query": "", "results": [], "search_error": problem}
        return render(request, "publishing/search.html", context, status=400)
    results = list(queries.search_documents(query)[:50]) if query else []
    return render(request, "publishing/search.html", {"search_query": query, "results": results})
