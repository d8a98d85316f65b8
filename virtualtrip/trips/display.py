"""How an engagement's time reads to people in different zones."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.times import clock, get_zone, zone_city


@dataclass(frozen=True)
class Reading:
    """One engagement start as seen from one place: '10:15 a.m. in Mexico City'."""

    moment: datetime
    place: str
    zone: str
    other_day: bool

    def __str__(self) -> str:
        day = f" {self.moment:%A, %B} {self.moment.day}" if self.other_day else ""
        return f"{clock(self.moment)}{day} in {self.place}"


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
    """'10:15 a.m. in Mexico City, 11:15 a.m. in Washington, D.C.'"""
    return ", ".join(str(reading) for reading in readings(engagement, trip, picked))


def duration_text(engagement: Engagement) -> str:
    minutes = int((engagement.ends_at - engagement.starts_at).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
