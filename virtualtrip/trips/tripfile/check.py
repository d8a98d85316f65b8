"""From a trip file's bytes to a checked plan of the trip, or every problem found in it.

Checks run in two passes: the shape (keys, types, vocabularies, references to people) over the whole
file, then, when the shape is right, what needs the whole trip (times in their zones, duplicate ids,
one person in two places at once, the ground rules and the order of questions).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from virtualtrip.trips.bulk import cyclic_gc_paused
from virtualtrip.trips.enums import LOCAL_HOURS_ROLES, Role
from virtualtrip.trips.times import get_zone, parse_moment
from virtualtrip.trips.tripfile import FORMAT, source
from virtualtrip.trips.tripfile.problems import LineMap, Path, Problem, Severity, TripFileError, shown
from virtualtrip.trips.tripfile.spec import EngagementSpec, TripFileSpec
from virtualtrip.trips.validators import (
    attribution_problem,
    did_you_mean,
    priority_entry_warning,
    queue_priority_problems,
)

LOCAL_DAY_STARTS = time(7, 0)
LOCAL_DAY_ENDS = time(21, 0)


@dataclass(frozen=True)
class PlannedEngagement:
    spec: EngagementSpec
    destination_index: int
    position: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    path: Path
    embargo_until: datetime | None = None


@dataclass(frozen=True)
class PlannedTrip:
    spec: TripFileSpec
    engagements: list[PlannedEngagement]
    warnings: list[Problem]


@cyclic_gc_paused()
def check_trip_file(raw: bytes) -> PlannedTrip:
    """The checked trip, or `TripFileError` listing every problem found."""
    data, lines = source.load(source.decode(raw))
    spec = _validate_shape(data, lines)
    planned, found = _plan_engagements(spec, lines)
    found += _duplicate_ids(spec, lines) + _double_bookings(planned, lines)
    problems = [problem for problem in found if problem.severity is Severity.ERROR]
    if problems:
        raise TripFileError(problems)
    warnings = [problem for problem in found if problem.severity is Severity.WARNING]
    return PlannedTrip(spec, planned, sorted(warnings + _outside_local_hours(planned, lines)))


def _validate_shape(data: Any, lines: LineMap) -> TripFileSpec:
    if not isinstance(data, dict):
        raise TripFileError(
            [
                Problem(
                    1,
                    f"a trip file ({FORMAT}) is a mapping with the keys "
                    "format, trip, people and destinations",
                )
            ]
        )
    try:
        return TripFileSpec.model_validate(data, context={"person_ids": _person_ids(data)})
    except ValidationError as error:
        raise TripFileError(
            [Problem(lines.line_of(detail["loc"]), _describe(detail)) for detail in error.errors()]
        ) from None


def _person_ids(data: dict[str, Any]) -> set[str]:
    people = data.get("people")
    if not isinstance(people, list):
        return set()
    return {p["id"] for p in people if isinstance(p, dict) and isinstance(p.get("id"), str)}


def _describe(detail: ErrorDetails) -> str:
    """A message for one pydantic error, in the trip file's words."""
    loc, kind, value = detail["loc"], detail["type"], detail.get("input")
    names = [part for part in loc if isinstance(part, str)]
    key = shown(names[-1]) if names else "document"
    if kind in {"vocabulary", "unknown_person"}:
        return detail["msg"]
    if kind == "extra_forbidden":
        return f"unknown key '{key}'{did_you_mean(str(loc[-1]), _fields_at(loc[:-1]))}"
    if kind == "missing":
        return f"missing key '{key}'"
    if kind == "enum":
        choices = detail.get("ctx", {}).get("expected", "")
        hint = did_you_mean(shown(value), [c.strip(" '") for c in choices.replace(" or ", ", ").split(",")])
        return f"unknown {key} '{shown(value)}'{hint}: use one of {choices}"
    if kind == "literal_error":
        return f"format must be '{FORMAT}', not '{shown(value)}'"
    if kind == "bool_type":
        return (
            f"{key} must be true or false, not '{shown(value)}' (yes, no, on and off are not booleans here)"
        )
    if kind == "string_type":
        return _not_text(key, value)
    if kind == "list_type":
        return f"{key} must be a list"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{key} must be a mapping of keys and values"
    if kind == "string_too_short":
        return f"{key} is empty"
    if kind == "string_too_long":
        limit = detail.get("ctx", {}).get("max_length")
        return f"{key} is {len(value):,} characters long; it may be at most {limit:,}"
    if kind == "string_pattern_mismatch":
        return (
            f"{key} '{shown(value)}' may hold only letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    return f"{key}: {detail['msg']}"


def _not_text(key: str, value: Any) -> str:
    if value is None:
        return f"{key} is empty: write a value or remove the key"
    if isinstance(value, bool):
        word = "true" if value else "false"
        return f'{key} must be text, but YAML reads {word} as a boolean: quote it ("{word}")'
    return f"{key} must be text"


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed at `loc`, for suggesting the one an unknown key was meant to be."""
    model: type[BaseModel] = TripFileSpec
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        inner = [
            a for a in (annotation, *get_args(annotation)) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if not inner:
            return []
        model = inner[0]
    return list(model.model_fields)


def _plan_engagements(spec: TripFileSpec, lines: LineMap) -> tuple[list[PlannedEngagement], list[Problem]]:
    """The engagements in UTC, and the problems found in them (warnings among them)."""
    planned: list[PlannedEngagement] = []
    problems: list[Problem] = []
    for d, destination in enumerate(spec.destinations):
        for e, engagement in enumerate(destination.engagements):
            path: Path = ("destinations", d, "engagements", e)
            zone_name = engagement.timezone or destination.timezone
            zone = get_zone(zone_name)
            starts = _moment(engagement.starts, zone, (*path, "starts"), lines, problems)
            ends = _moment(engagement.ends, zone, (*path, "ends"), lines, problems)
            embargo = _ground_rules(engagement, zone, starts, path, lines, problems)
            problems += _questions(engagement, path, lines)
            if starts is None or ends is None:
                continue
            if ends <= starts:
                problems.append(
                    Problem(
                        lines.line_of((*path, "ends")),
                        f"engagement '{engagement.id}' ends ({engagement.ends}) before it starts "
                        f"({engagement.starts}): ends must be after starts",
                    )
                )
                continue
            planned.append(PlannedEngagement(engagement, d, e, starts, ends, zone_name, path, embargo))
            problems += _repeated_participants(engagement, path, lines)
            problems += _interpreters(engagement, spec, path, lines)
    return planned, problems


def _moment(
    text: str, zone: ZoneInfo, path: Path, lines: LineMap, problems: list[Problem]
) -> datetime | None:
    try:
        return parse_moment(text, zone)
    except ValueError as error:
        problems.append(Problem(lines.line_of(path), f"{path[-1]}: {error}"))
        return None


def _ground_rules(
    engagement: EngagementSpec,
    zone: ZoneInfo,
    starts: datetime | None,
    path: Path,
    lines: LineMap,
    problems: list[Problem],
) -> datetime | None:
    """The ground rules' problems, and the embargo as an instant.

    An embargo that lifts before the engagement starts embargoes nothing: most likely a wrong day or
    zone, but a planner may mean it (the briefing moved earlier), so it is a warning, not a refusal.
    Off the record nothing may ever be reported, so an embargo there is refused."""
    rules = engagement.ground_rules
    at: Path = (*path, "ground_rules")
    problem = attribution_problem(rules.rule, rules.attribution)
    if problem:
        place = (*at, "attribution") if rules.attribution else (*at, "rule")
        problems.append(Problem(lines.line_of(place), f"engagement '{engagement.id}': {problem}"))
    if rules.embargo is None:
        return None
    line = lines.line_of((*at, "embargo"))
    if rules.rule == "off_record":
        problems.append(
            Problem(
                line,
                f"engagement '{engagement.id}' is off the record, so nothing said in it may ever be "
                "published: an embargo (when it may be) contradicts it; remove one or the other",
            )
        )
        return None
    embargo = _moment(rules.embargo, zone, (*at, "embargo"), lines, problems)
    if embargo is not None and starts is not None and embargo <= starts:
        problems.append(
            Problem(
                line,
                f"engagement '{engagement.id}': the embargo ({rules.embargo}) lifts before the "
                f"engagement starts ({engagement.starts}), so it embargoes nothing; check its day "
                f"and zone ({zone.key})",
                Severity.WARNING,
            )
        )
    return embargo


def _questions(engagement: EngagementSpec, path: Path, lines: LineMap) -> list[Problem]:
    questions = engagement.questions
    at: Path = (*path, "questions")
    problems = []
    for index, message in queue_priority_problems(questions.order, list(questions.priority)):
        place: Path = (*at, "priority")
        if index is not None:
            place = (*place, index)
        elif place not in lines.lines:
            place = (*at, "order")
        problems.append(Problem(lines.line_of(place), f"engagement '{engagement.id}': {message}"))
    if questions.order == "priority":
        for index, entry in enumerate(questions.priority):
            warning = priority_entry_warning(entry)
            if warning:
                problems.append(Problem(lines.line_of((*at, "priority", index)), warning, Severity.WARNING))
    return problems


def _repeated_participants(engagement: EngagementSpec, path: Path, lines: LineMap) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, participant in enumerate(engagement.participants):
        if participant.person in seen:
            problems.append(
                Problem(
                    lines.line_of((*path, "participants", i)),
                    f"person '{participant.person}' is listed twice in engagement '{engagement.id}'",
                )
            )
        seen.add(participant.person)
    return problems


def _interpreters(
    engagement: EngagementSpec, spec: TripFileSpec, path: Path, lines: LineMap
) -> list[Problem]:
    """An interpreter's languages are the pair they work in, `[from, into]`: the channel they speak
    into is the last, and it must be one of the engagement's languages when the file names them.
    Without a pair they have no channel: a warning, since files made before channels have none."""
    people = {person.id: person for person in spec.people}
    problems = []
    for i, participant in enumerate(engagement.participants):
        person = people.get(participant.person)
        if participant.role != Role.INTERPRETER or person is None:
            continue
        place = lines.line_of((*path, "participants", i))
        pair = list(dict.fromkeys(person.languages))
        if len(pair) < 2:
            problems.append(
                Problem(
                    place,
                    f"interpreter '{person.id}' in engagement '{engagement.id}' has no channel: it needs "
                    f"a language pair, the language they interpret from and the one they speak into: "
                    f"languages: [es, en] on the person (now: {list(person.languages)})",
                    Severity.WARNING,
                )
            )
        elif engagement.languages and pair[-1] not in engagement.languages:
            problems.append(
                Problem(
                    place,
                    f"interpreter '{person.id}' speaks into '{pair[-1]}', which is not one of engagement "
                    f"'{engagement.id}''s languages ({', '.join(engagement.languages)})",
                )
            )
    return problems


def _duplicate_ids(spec: TripFileSpec, lines: LineMap) -> list[Problem]:
    places: list[tuple[str, str, Path]] = [
        ("person", p.id, ("people", i, "id")) for i, p in enumerate(spec.people)
    ]
    places += [
        ("engagement", e.id, ("destinations", d, "engagements", i, "id"))
        for d, destination in enumerate(spec.destinations)
        for i, e in enumerate(destination.engagements)
    ]
    first: dict[tuple[str, str], int] = {}
    problems = []
    for what, ident, path in places:
        line = lines.line_of(path)
        if (what, ident) in first:
            problems.append(
                Problem(line, f"duplicate {what} id '{ident}' (first on line {first[(what, ident)]})")
            )
        else:
            first[(what, ident)] = line
    return problems


def _double_bookings(planned: list[PlannedEngagement], lines: LineMap) -> list[Problem]:
    """One problem for each engagement that starts before another of the same person has ended."""
    by_person: dict[str, list[PlannedEngagement]] = defaultdict(list)
    for engagement in planned:
        for participant in engagement.spec.participants:
            by_person[participant.person].append(engagement)
    problems = []
    for person, engagements in sorted(by_person.items()):
        engagements.sort(key=lambda e: (e.starts_at, e.ends_at))
        latest = engagements[0]
        for engagement in engagements[1:]:
            if engagement.starts_at < latest.ends_at and engagement is not latest:
                problems.append(
                    Problem(
                        lines.line_of(engagement.path),
                        f"person '{person}' is in two engagements at once: '{latest.spec.id}' "
                        f"(line {lines.line_of(latest.path)}) and '{engagement.spec.id}' overlap",
                    )
                )
            if engagement.ends_at > latest.ends_at:
                latest = engagement
    return problems


def _outside_local_hours(planned: list[PlannedEngagement], lines: LineMap) -> list[Problem]:
    warnings = []
    for engagement in planned:
        zone = get_zone(engagement.timezone)
        start, end = engagement.starts_at.astimezone(zone), engagement.ends_at.astimezone(zone)
        if start.date() == end.date() and start.time() >= LOCAL_DAY_STARTS and end.time() <= LOCAL_DAY_ENDS:
            continue
        for participant in engagement.spec.participants:
            if participant.role in LOCAL_HOURS_ROLES:
                warnings.append(
                    Problem(
                        lines.line_of(engagement.path),
                        f"engagement '{engagement.spec.id}' runs {start:%H:%M}–{end:%H:%M} "
                        f"in {engagement.timezone}, outside 07:00–21:00 local time "
                        f"for {participant.role} '{participant.person}'",
                        Severity.WARNING,
                    )
                )
    return warnings
