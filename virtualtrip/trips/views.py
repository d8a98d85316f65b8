"""Public pages of the itinerary: parse the request, call a query, render."""

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from virtualtrip.trips import queries
from virtualtrip.trips.calendar import trip_calendar
from virtualtrip.trips.display import zone_context
from virtualtrip.trips.models import Trip
from virtualtrip.trips.schedule import public_schedule


def _trip_or_404(slug: str) -> Trip:
    try:
        return queries.get_trip(slug)
    except Trip.DoesNotExist:
        raise Http404(f"No trip called {slug!r}") from None


def trip_index(request: HttpRequest) -> HttpResponse:
    return render(request, "trips/index.html", {"trips": queries.list_trips()})


def schedule_day(request: HttpRequest, slug: str, day: date) -> HttpResponse:
    trip = _trip_or_404(slug)
    picked, context = zone_context(request)
    context |= {"trip": trip, "schedule": public_schedule(trip, day, picked)}
    status = 400 if context["zone_error"] else 200
    return render(request, "trips/schedule_day.html", context, status=status)


def schedule_ics(request: HttpRequest, slug: str) -> HttpResponse:
    trip = _trip_or_404(slug)
    trip_url = request.build_absolute_uri(trip.get_absolute_url())
    response = HttpResponse(trip_calendar(trip, trip_url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{trip.slug}.ics"'
    return response
