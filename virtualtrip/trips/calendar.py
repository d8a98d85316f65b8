"""The trip's public engagements as an RFC 5545 calendar, made with `icalendar`."""

from icalendar import Calendar, Event

from virtualtrip.trips.display import times_sentence
from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.places import country_name
from virtualtrip.trips.queries import visible_engagements
from virtualtrip.trips.schedule import coverage_line

PRODID = "-//Virtual Trip//virtualtrip//EN"


def engagement_uid(engagement: Engagement, trip: Trip) -> str:
    """Stable across re-imports: made of the ids a planner wrote, not of database keys."""
    return f"{engagement.key}.{trip.slug}@virtualtrip"


def trip_calendar(trip: Trip, trip_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", trip.title)
    # An event names no participants, so they are not read.
    for engagement in visible_engagements(trip).prefetch_related(None):
        calendar.add_component(_event(engagement, trip, trip_url))
    ical: bytes = calendar.to_ical()
    return ical


def _event(engagement: Engagement, trip: Trip, trip_url: str) -> Event:
    event = Event()
    event.add("uid", engagement_uid(engagement, trip))
    event.add("summary", engagement.title)
    event.add("dtstart", engagement.starts_at)
    event.add("dtend", engagement.ends_at)
    event.add("dtstamp", engagement.updated_at)
    event.add("last-modified", engagement.updated_at)
    event.add(
        "location",
        ", ".join(p for p in (engagement.location, country_name(engagement.destination.country)) if p),
    )
    event.add(
        "description",
        f"{engagement.get_kind_display()}. {coverage_line(engagement.coverage)}\n"
        f"{times_sentence(engagement, trip)}",
    )
    event.add("categories", [engagement.get_kind_display()])
    event.add("url", f"{trip_url}#{engagement.key}")
    return event
