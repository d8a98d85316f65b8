"""How an engagement's time reads to people in different zones, and the itinerary as pages show it."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from virtualtrip.trips import queries
from virtualtrip.trips.models import Destination, Engagement, Trip
from virtualtrip.trips.places import country_name, zone_city
from virtualtrip.trips.schedule import coverage_line
from virtualtrip.trips.times import clock, get_zone
from virtualtrip.trips.validators import timezone_problem


@dataclass(frozen=True)
class Reading:
    """One engagement start as seen from one place: '10:15 a.m. in Mexico City'."""

    moment: datetime
    place: str
    zone: str
    other_day: bool

    def __str__(self) -> str:
        time = clock(self.moment)
        if not self.other_day:
            # Translators: a start time and the place it is read in: "10:15 a.m. in Mexico City".
            return _("%(time)s in %(place)s") % {"time": time, "place": self.place}
        # Translators: the day and month of a date, with the weekday, in the letters of Django's
        # date filter ("l, F j" is "Saturday, February 27").
        day = dateformat.format(self.moment, pgettext("date format: weekday, month and day", "l, F j"))
        # Translators: a start time on another day than the engagement's, and the place it is read
        # in: "1:15 a.m. Saturday, February 27 in Tokyo".
        return _("%(time)s %(day)s in %(place)s") % {"time": time, "day": day, "place": self.place}


def readings(engagement: Engagement, trip: Trip, picked: ZoneInfo | None = None) -> list[Reading]:
    """The start in the destination's zone, then the home zone, then the viewer's pick if any.

    A zone that repeats an earlier one is left out. A reading on another calendar day than the first
    says which day, which matters across the date line.
    """
    places = [
        (engagement.timezone, engagement.location or zone_city(engagement.timezone)),
        (trip.home_timezone, trip.home_city),
    ]
    if picked is not None:
        places.append((picked.key, zone_city(picked.key)))
    result: list[Reading] = []
    for zone_name, place in places:
        if any(r.zone == zone_name for r in result):
            continue
        local = engagement.starts_at.astimezone(get_zone(zone_name))
        other_day = bool(result) and local.date() != result[0].moment.date()
        result.append(Reading(local, place, zone_name, other_day))
    return result


def times_sentence(engagement: Engagement, trip: Trip, picked: ZoneInfo | None = None) -> str:
    """'10:15 a.m. in Mexico City, 11:15 a.m. in Washington, D.C.', in the active language."""
    return ", ".join(str(reading) for reading in readings(engagement, trip, picked))


def duration_text(engagement: Engagement) -> str:
    minutes = int((engagement.ends_at - engagement.starts_at).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        # Translators: a length of time in minutes: "45 min".
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        # Translators: a length of time in whole hours: "2 h".
        return _("%(hours)d h") % {"hours": hours}
    # Translators: a length of time in hours and minutes: "1 h 30 min".
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


@dataclass(frozen=True)
class ItineraryItem:
    engagement: Engagement
    readings: list[Reading]
    day: date
    duration: str
    coverage: str


@dataclass(frozen=True)
class ItineraryLeg:
    destination: Destination
    country: str
    engagements: list[ItineraryItem]


def itinerary_legs(
    trip: Trip, viewer: queries.Viewer, picked: ZoneInfo | None, *, on: date | None = None
) -> list[ItineraryLeg]:
    """The itinerary as the trip page lists it (with `on`, as the page of that day does):
    destinations in order, each engagement with its times read at the destination, at home and in
    the viewer's zone."""
    return [
        ItineraryLeg(
            leg.destination,
            country_name(leg.destination.country),
            [
                ItineraryItem(
                    engagement,
                    readings(engagement, trip, picked),
                    engagement.starts_at.astimezone(get_zone(engagement.timezone)).date(),
                    duration_text(engagement),
                    coverage_line(engagement.coverage),
                )
                for engagement in leg.engagements
            ],
        )
        for leg in queries.itinerary(trip, viewer, on=on)
    ]


@dataclass(frozen=True)
class OutlineLeg:
    """A destination of a long itinerary, named in the page's language, with its days."""

    destination: Destination
    country: str
    days: list[queries.ItineraryDay]


def itinerary_outline(trip: Trip, viewer: queries.Viewer) -> list[OutlineLeg]:
    """The itinerary as a long trip's page lists it: each destination with the days the viewer has
    engagements there, and how many on each."""
    return [
        OutlineLeg(leg.destination, country_name(leg.destination.country), leg.days)
        for leg in queries.itinerary_days(trip, viewer)
    ]


def picked_zone(request: HttpRequest) -> tuple[ZoneInfo | None, str | None]:
    """The zone the viewer asked for with ?tz=, and a message when it is not a zone."""
    name = request.GET.get("tz", "").strip()
    if not name:
        return None, None
    problem = timezone_problem(name)
    if problem:
        return None, problem[0].upper() + problem[1:]
    return get_zone(name), None


# Zones the zone picker suggests besides the trip's own: one or two per region of the world, so a
# reader far from the trip finds one near them. Any other IANA name may be typed.
SUGGESTED_ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Mexico_City",
    "America/Bogota",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


@dataclass(frozen=True)
class ZoneChoice:
    """A zone the picker suggests, with the city it is named after in the page's language."""

    zone: str
    city: str


def zone_choices(trip: Trip) -> list[ZoneChoice]:
    """What the zone picker suggests: the trip's home and public zones first, then the world's."""
    zones = dict.fromkeys([trip.home_timezone, *queries.public_zones(trip), *SUGGESTED_ZONES])
    return [ZoneChoice(zone, zone_city(zone)) for zone in zones]


def zone_context(request: HttpRequest, trip: Trip) -> tuple[ZoneInfo | None, dict[str, object]]:
    """The viewer's zone, and what the zone picker (trips/_zone_picker.html) needs to render."""
    picked, zone_error = picked_zone(request)
    return picked, {
        "picked": picked,
        "zone_error": zone_error,
        "zone_query": request.GET.get("tz", ""),
        "zone_choices": zone_choices(trip),
    }
