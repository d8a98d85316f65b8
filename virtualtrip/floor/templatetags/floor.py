"""What the room page's floor panel needs from the server before its socket connects."""

from django import template
from django.utils.translation import gettext as _

from virtualtrip.trips.enums import EngagementKind, GroundRules
from virtualtrip.trips.models import Engagement

register = template.Library()

FLOOR_KINDS = frozenset(
    {
        EngagementKind.PRESS_BRIEFING,
        EngagementKind.PRESS_AVAILABILITY,
        EngagementKind.TOWN_HALL,
        EngagementKind.ROUNDTABLE,
    }
)
"""Engagements with questions from the room; a bilateral meeting or a site tour has no floor to run."""


@register.filter
def has_floor(engagement: Engagement) -> bool:
    return engagement.kind in FLOOR_KINDS


@register.filter
def ground_rules_text(engagement: Engagement) -> str:
    """The ground rules in a sentence, as the panel shows them on joining (floor.js keeps them up)."""
    if engagement.ground_rules == GroundRules.BACKGROUND:
        return _("On background: attribute what is said to %(attribution)s, never by name.") % {
            "attribution": engagement.attribution
        }
    if engagement.ground_rules == GroundRules.OFF_RECORD:
        return _("Off the record: nothing said here may be reported.")
    return _("On the record.")
