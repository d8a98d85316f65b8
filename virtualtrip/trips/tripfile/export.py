"""Writing a stored trip back as a `virtualtrip/1` file that imports to the identical trip.

A key that holds its default (no outlet, no languages, not public, on the record...) is left out, as
a planner would leave it out: the defaults are the spec's, so the file reads back to the same values.
People added outside the file (accredited journalists, a town hall's audience) are left out: a
re-import keeps them.
"""

from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.db.models import Prefetch
from pydantic import BaseModel

from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip
from virtualtrip.trips.times import get_zone, wall_time_text
from virtualtrip.trips.tripfile import FORMAT
from virtualtrip.trips.tripfile.spec import (
    DestinationSpec,
    EngagementSpec,
    GroundRulesSpec,
    PersonSpec,
    QuestionsSpec,
    TripFileSpec,
    TripSpec,
)


def export_trip(trip: Trip) -> str:
    document = {
        "format": FORMAT,
        "trip": _trip(trip),
        "people": [
            _person(person) for person in trip.people.filter(from_trip_file=True).order_by("position", "key")
        ],
        "destinations": [
            _destination(destination)
            for destination in trip.destinations.order_by("position").prefetch_related(
                Prefetch(
                    "engagements__participants",
                    queryset=Participant.objects.filter(person__from_trip_file=True).select_related("person"),
                )
            )
        ],
    }
    return yaml.safe_dump(
        _without_defaults(document, TripFileSpec), sort_keys=False, allow_unicode=True, width=100
    )


def _without_defaults(item: dict[str, Any], spec: type[BaseModel]) -> dict[str, Any]:
    """`item` less the keys whose value is the default `spec` gives a key left out."""
    fields = spec.model_fields
    return {
        key: value
        for key, value in item.items()
        if fields[key].is_required() or value != fields[key].get_default(call_default_factory=True)
    }


def _trip(trip: Trip) -> dict[str, Any]:
    item = {
        "slug": trip.slug,
        "title": trip.title,
        "principal": trip.principal.key if trip.principal else None,
        "home": {"city": trip.home_city, "timezone": trip.home_timezone},
        "summary": trip.summary,
        "terms": list(trip.terms),
    }
    return _without_defaults(item, TripSpec)


def _person(person: Person) -> dict[str, Any]:
    item = {
        "id": person.key,
        "name": person.name,
        "title": person.title,
        "country": person.country or None,
        "label": person.label,
        "languages": list(person.languages),
        "outlet": person.outlet or None,
    }
    return _without_defaults(item, PersonSpec)


def _destination(destination: Destination) -> dict[str, Any]:
    engagements = sorted(destination.engagements.all(), key=lambda e: (e.position, e.key))
    item = {
        "country": destination.country,
        "timezone": destination.timezone,
        "mission": destination.mission,
        "languages": list(destination.languages),
        "engagements": [_engagement(engagement, destination) for engagement in engagements],
    }
    return _without_defaults(item, DestinationSpec)


def _engagement(engagement: Engagement, destination: Destination) -> dict[str, Any]:
    zone = get_zone(engagement.timezone)
    item: dict[str, Any] = {
        "id": engagement.key,
        "kind": engagement.kind,
        "title": engagement.title,
        "starts": wall_time_text(engagement.starts_at, zone),
        "ends": wall_time_text(engagement.ends_at, zone),
    }
    if engagement.timezone != destination.timezone:
        item["timezone"] = engagement.timezone
    item |= {
        "location": engagement.location,
        "coverage": engagement.coverage,
        "public": engagement.public,
        "record": engagement.record,
    }
    ground_rules = _ground_rules(engagement, zone)
    if ground_rules:
        item["ground_rules"] = ground_rules
    questions = _without_defaults(
        {"order": engagement.queue_policy, "priority": list(engagement.queue_priority)}, QuestionsSpec
    )
    if questions:
        item["questions"] = questions
    item["terms"] = list(engagement.terms)
    item["languages"] = list(engagement.languages)
    item |= {
        "participants": [
            {"person": p.person.key, "role": p.role}
            for p in sorted(engagement.participants.all(), key=lambda p: p.position)
        ],
    }
    return _without_defaults(item, EngagementSpec)


def _ground_rules(engagement: Engagement, zone: ZoneInfo) -> dict[str, Any]:
    """The engagement's ground rules as the file writes them; empty when they are the defaults."""
    embargo = engagement.embargo_until
    item = {
        "rule": engagement.ground_rules,
        "attribution": engagement.attribution,
        "embargo": wall_time_text(embargo, zone) if embargo else None,
    }
    return _without_defaults(item, GroundRulesSpec)
