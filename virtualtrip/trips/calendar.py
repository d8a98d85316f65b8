"""The trip's public engagements as an RFC 5545 calendar, made with `icalendar`."""

from dataclasses import dataclass

from icalendar import Calendar, Event

from virtualtrip.trips.display import times_sentence
from virtualtrip.trips.enums import EngagementKind
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
    # Labels read once per kind and coverage: Django's get_FOO_display looks its choices up anew on
    # every call, a third of a long trip's calendar.
    labels = Labels(kinds={kind: str(label) for kind, label in EngagementKind.choices}, coverage={})
    # An event names no participants, so they are not read.
    for engagement in visible_engagements(trip).prefetch_related(None):
        calendar.add_component(_event(engagement, trip, trip_url, labels))
    ical: bytes = calendar.to_ical()
    return ical


@dataclass(frozen=True)
class Labels:
    kinds: dict[str, str]
    coverage: dict[str, str]

    def coverage_of(self, coverage: str) -> str:
        if coverage not in self.coverage:
            self.coverage[coverage] = str(coverage_line(coverage))
        return self.coverage[coverage]


def _event(engagement: Engagement, trip: Trip, trip_url: str, labels: Labels) -> Event:
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
        f"{labels.kinds[engagement.kind]}. {labels.coverage_of(engagement.coverage)}\n"
        f"{times_sentence(engagement, trip)}",
    )
    event.add("categories", [labels.kinds[engagement.kind]])
    event.add("url", f"{trip_url}#{engagement.key}")
    return event
