"""Public pages of the itinerary: parse the request, call a query, render."""

import hashlib
from datetime import date, datetime
from weakref import WeakKeyDictionary

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import condition

from virtualtrip.trips import queries
from virtualtrip.trips.calendar import trip_calendar
from virtualtrip.trips.display import zone_context
from virtualtrip.trips.models import Trip
from virtualtrip.trips.schedule import public_schedule

# A rendered calendar is kept under its version, so it never goes stale; the timeout only frees
# the memory of calendars nobody asks for.
CALENDAR_CACHE_SECONDS = 24 * 60 * 60


def _trip_or_404(slug: str) -> Trip:
    try:
        return queries.get_trip(slug)
    except Trip.DoesNotExist:
        raise Http404(f"No trip called {slug!r}") from None


def trip_index(request: HttpRequest) -> HttpResponse:
    return render(request, "trips/index.html", {"trips": queries.list_trips()})


def schedule_day(request: HttpRequest, slug: str, day: date) -> HttpResponse:
    trip = _trip_or_404(slug)
    picked, context = zone_context(request, trip)
    context |= {"trip": trip, "schedule": public_schedule(trip, day, picked)}
    status = 400 if context["zone_error"] else 200
    return render(request, "trips/schedule_day.html", context, status=status)


# The calendar's version, read once per request although the ETag, the Last-Modified date and the
# cache key all need it.
_versions: "WeakKeyDictionary[HttpRequest, tuple[queries.CalendarVersion, str] | None]" = WeakKeyDictionary()


def _calendar_version(request: HttpRequest, slug: str) -> tuple[queries.CalendarVersion, str] | None:
    """The trip's calendar version, and a digest of it with all else the text depends on (the
    language of its words, the address its links point to); None when there is no such trip."""
    if request not in _versions:
        version = queries.calendar_version(slug)
        if version is None:
            _versions[request] = None
        else:
            parts = [slug, version.fingerprint, get_language() or "", request.build_absolute_uri("/")]
            _versions[request] = version, hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return _versions[request]


def _calendar_etag(request: HttpRequest, slug: str) -> str | None:
    found = _calendar_version(request, slug)
    return found[1][:32] if found else None


def _calendar_modified(request: HttpRequest, slug: str) -> datetime | None:
    found = _calendar_version(request, slug)
    return found[0].modified if found else None


@condition(etag_func=_calendar_etag, last_modified_func=_calendar_modified)
def schedule_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The calendar, rendered once per version: a re-import or an edit makes a new one, and a
    reader's calendar asking again with the ETag it has gets a 304 without a render."""
    found = _calendar_version(request, slug)
    if found is None:
        raise Http404(f"No trip called {slug!r}")
    key = f"trips:calendar:{found[1]}"
    body = cache.get(key)
    if not isinstance(body, bytes):
        trip = _trip_or_404(slug)
        body = trip_calendar(trip, request.build_absolute_uri(trip.get_absolute_url()))
        cache.set(key, body, CALENDAR_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slug}.ics"'
    return response
