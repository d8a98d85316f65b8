"""Wall times, zones and instants.

Everything is stored in UTC; a wall time only means something beside an IANA zone name. A wall time
that a daylight-saving change skips or repeats is refused rather than guessed.
"""

import re
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import dateformat
from django.utils.translation import pgettext

UTC = ZoneInfo("UTC")
CLOCK_ONLY = re.compile(r"[0-9]{1,2}:[0-5][0-9](:[0-5][0-9])?")


class WallTimeError(ValueError):
    """A local wall time that names no instant, or two, in its zone."""


NOT_PLACES = {"localtime", "Factory"}
"""Files in the zone database that name no place: the server's own zone, and a placeholder."""


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones() - NOT_PLACES)


def get_zone(name: str) -> ZoneInfo:
    """The zone called `name`; `ZoneInfoNotFoundError` when it is not an IANA zone."""
    if name not in known_zones():
        raise ZoneInfoNotFoundError(name)
    return ZoneInfo(name)


FIRST_YEAR, LAST_YEAR = 1900, 2199
"""The years a trip may happen in. Far enough from datetime's own limits (years 1 and 9999) that a
time shown in any zone, or a day's neighbour, never falls outside them."""


class OutsideTripYears(ValueError):
    """A day outside FIRST_YEAR to LAST_YEAR; the message is for whoever wrote it."""


def check_year(day: date) -> None:
    """OutsideTripYears for a day outside the years a trip may take."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutsideTripYears(
            f"{day:%Y-%m-%d} is outside the years a trip may take ({FIRST_YEAR}–{LAST_YEAR})"
        )


def resolve_wall_time(wall: datetime, zone: ZoneInfo) -> datetime:
    """The one instant a naive wall time names in `zone`, as an aware UTC datetime."""
    try:
        check_year(wall.date())
    except ValueError as error:
        raise WallTimeError(str(error)) from None
    early = wall.replace(tzinfo=zone, fold=0)
    late = wall.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(UTC)
    round_trip = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != wall:
        raise WallTimeError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip it for daylight saving time"
        )
    raise WallTimeError(
        f"{wall:%Y-%m-%d %H:%M} happens twice in {zone.key} because the clocks go back; "
        f"give the offset, e.g. {early.isoformat(timespec='minutes')} or "
        f"{late.isoformat(timespec='minutes')}"
    )


def is_ambiguous(moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall time of `moment` in `zone` happens twice there."""
    wall = moment.astimezone(zone).replace(tzinfo=None)
    return wall.replace(tzinfo=zone, fold=0).utcoffset() != wall.replace(tzinfo=zone, fold=1).utcoffset()


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date and time: a wall time in `zone`, or an instant when it has an offset.

    Raises `ValueError` with a message meant for the person who wrote `text`.
    """
    if CLOCK_ONLY.fullmatch(text.strip()):
        raise ValueError(
            f"'{text}' is a time without a date (YAML 1.1 reads it as a number of seconds); "
            "write the date and the time, e.g. 2021-02-26T10:15"
        )
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date and time; write it as 2021-02-26T10:15 "
            "(or with an offset, 2021-02-26T10:15-06:00)"
        ) from None
    if "T" not in text and " " not in text.strip():
        raise ValueError(f"'{text}' has a date but no time; write it as {text}T09:00")
    if parsed.tzinfo is not None:
        check_year(parsed.date())
        return parsed.astimezone(UTC)
    return resolve_wall_time(parsed, zone)


def wall_time_text(moment: datetime, zone: ZoneInfo) -> str:
    """How the trip file writes `moment`: the wall time, with its offset only when it is ambiguous."""
    local = moment.astimezone(zone)
    spec = "minutes" if local.second == 0 and local.microsecond == 0 else "seconds"
    if is_ambiguous(moment, zone):
        return local.isoformat(timespec=spec)
    return local.replace(tzinfo=None).isoformat(timespec=spec)


def clock(moment: datetime) -> str:
    """The wall time of `moment` as a public schedule writes it in the active language: '10:15 a.m.'
    in English (midnight is '12:00 a.m.', noon '12:00 p.m.'), '10:15' in Spanish, '10 h 15' in French."""
    # Translators: a time of day, in the letters of Django's date filter ("g:i a" is "10:15 a.m.",
    # "G:i" is "10:15"; a letter meant literally takes a backslash, as in "G \h i").
    return dateformat.format(moment, pgettext("time format: hour and minute", "g:i a"))


def zone_city(zone_name: str) -> str:
    """'Mexico City' for America/Mexico_City: a readable place for a zone."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")
