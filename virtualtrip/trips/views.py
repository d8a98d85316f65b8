"""Public pages of the itinerary: parse the request, call a query, render."""

from datetime import date
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from virtualtrip.trips import queries
from virtualtrip.trips.calendar import trip_calendar
from virtualtrip.trips.display import duration_text, readings
from virtualtrip.trips.models import Trip
from virtualtrip.trips.schedule import coverage_line, public_schedule
from virtualtrip.trips.times import get_zone, known_zones
from virtualtrip.trips.validators import country_name, timezone_problem


def _trip_or_404(slug: str) -> Trip:
    try:
        return queries.get_trip(slug)
    except Trip.DoesNotExist:
        raise Http404(f"No trip called {slug!r}") from None


def _picked_zone(request: HttpRequest) -> tuple[ZoneInfo | None, str | None]:
    """The zone the viewer asked for with ?tz=, and a message when it is not a zone."""
    name = request.GET.get("tz", "").strip()
    if not name:
        return None, None
    problem = timezone_problem(name)
    if problem:
        return None, problem[0].upper() + problem[1:]
    return get_zone(name), None


def _zone_context(request: HttpRequest) -> tuple[ZoneInfo | None, dict[str, object]]:
    """The viewer's zone, and what the zone picker needs to render."""
    picked, zone_error = _picked_zone(request)
    return picked, {
        "picked": picked,
        "zone_error": zone_error,
        "zone_query": request.GET.get("tz", ""),
        "all_zones": sorted(known_zones()),
    }


def trip_index(request: HttpRequest) -> HttpResponse:
    return render(request, "trips/index.html", {"trips": queries.list_trips()})


def trip_detail(request: HttpRequest, slug: str) -> HttpResponse:
    trip = _trip_or_404(slug)
    picked, context = _zone_context(request)
    legs = [
        {
            "destination": leg.destination,
            "country": country_name(leg.destination.country),
            "engagements": [
                {
                    "engagement": engagement,
                    "readings": readings(engagement, trip, picked),
                    "day": engagement.starts_at.astimezone(get_zone(engagement.timezone)).date(),
                    "duration": duration_text(engagement),
                    "coverage": coverage_line(engagement.coverage),
                }
                for engagement in leg.engagements
            ],
        }
        for leg in queries.itinerary(trip, request.user)
    ]
    context |= {
        "trip": trip,
        "legs": legs,
        "days": queries.principal_days(trip, ZoneInfo(trip.home_timezone)),
        "sees_private": queries.sees_private(request.user),
    }
    status = 400 if context["zone_error"] else 200
    return render(request, "trips/trip_detail.html", context, status=status)


def schedule_day(request: HttpRequest, slug: str, day: date) -> HttpResponse:
    trip = _trip_or_404(slug)
    picked, context = _zone_context(request)
    context |= {"trip": trip, "schedule": public_schedule(trip, day, picked)}
    status = 400 if context["zone_error"] else 200
    return render(request, "trips/schedule_day.html", context, status=status)


def schedule_ics(request: HttpRequest, slug: str) -> HttpResponse:
    trip = _trip_or_404(slug)
    trip_url = request.build_absolute_uri(reverse("trips:detail", args=[trip.slug]))
    response = HttpResponse(trip_calendar(trip, trip_url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{trip.slug}.ics"'
    return response
