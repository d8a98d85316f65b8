"""The public schedule of a day, in the house form: the principal's engagements in order, with
times in one zone (the home zone unless another is asked for) and coverage in capitals."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext_lazy, pgettext

from virtualtrip.trips.enums import Coverage
from virtualtrip.trips.models import Engagement, Trip
from virtualtrip.trips.places import country_name, zone_city
from virtualtrip.trips.queries import principal_day
from virtualtrip.trips.times import clock


@dataclass(frozen=True)
class ScheduleLine:
    clock: str
    title: str
    place: str
    coverage: str
    engagement: Engagement


@dataclass(frozen=True)
class PublicSchedule:
    trip: Trip
    day: date
    zone: ZoneInfo
    zone_place: str
    principal: str
    lines: list[ScheduleLine]

    @property
    def day_heading(self) -> str:
        """'FRIDAY, FEBRUARY 26, 2021', in the active language."""
        # Translators: a date with its weekday, in the letters of Django's date filter ("l, F j, Y"
        # is "Friday, February 26, 2021"); a letter meant literally takes a backslash, as in "\d\e".
        day_format = pgettext("date format: weekday, day, month and year", "l, F j, Y")
        return dateformat.format(self.day, day_format).upper()


# The line under each engagement, as the house form writes it: in capitals, and in English the
# coverage's label followed by COVERAGE.
COVERAGE_LINES = {
    Coverage.OPEN_PRESS: gettext_lazy("(OPEN PRESS COVERAGE)"),
    # Translators: a pool spray is a brief moment, at the start of an engagement, when the press pool
    # may take pictures and video.
    Coverage.POOL_SPRAY: gettext_lazy("(POOL SPRAY COVERAGE)"),
    Coverage.CLOSED_PRESS: gettext_lazy("(CLOSED PRESS COVERAGE)"),
}


def coverage_line(coverage: str) -> str:
    """'(CLOSED PRESS COVERAGE)', in the active language."""
    return str(COVERAGE_LINES[Coverage(coverage)])


def public_schedule(trip: Trip, day: date, zone: ZoneInfo | None = None) -> PublicSchedule:
    zone = zone or ZoneInfo(trip.home_timezone)
    zone_place = trip.home_city if zone.key == trip.home_timezone else zone_city(zone.key)
    principal = trip.principal
    heading = " ".join(part for part in (principal.title, principal.name) if part) if principal else ""
    lines = [
        ScheduleLine(
            clock=clock(engagement.starts_at.astimezone(zone)),
            title=engagement.title,
            place=", ".join(
                part for part in (engagement.location, country_name(engagement.destination.country)) if part
            ),
            coverage=coverage_line(engagement.coverage),
            engagement=engagement,
        )
        for engagement in principal_day(trip, day, zone)
    ]
    return PublicSchedule(trip, day, zone, zone_place, heading.upper(), lines)


def render_text(schedule: PublicSchedule) -> str:
    out = [
        "PUBLIC SCHEDULE",
        schedule.day_heading,
        "",
        schedule.principal,
        f"(All times are {schedule.zone_place} time, {schedule.zone.key})",
        "",
    ]
    if not schedule.lines:
        out += ["No public engagements.", ""]
    width = max((len(line.clock) for line in schedule.lines), default=0) + 3
    for line in schedule.lines:
        out.append(f"{line.clock:<{width}}{line.title}")
        out.append(f"{'':<{width}}{line.place}")
        out.append(f"{'':<{width}}{line.coverage}")
        out.append("")
    return "\n".join(out)
