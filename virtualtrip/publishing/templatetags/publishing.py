from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext

from virtualtrip.trips.queries import ItineraryDay

register = template.Library()


@register.inclusion_tag("publishing/_readout_notice.html", takes_context=True)
def readout_notice(context: dict[str, Any], engagement: Any) -> dict[str, Any]:
    """The engagement's readout line, from the notices the view read for the whole page."""
    notices = context.get("readouts") or {}
    return {"notice": notices.get(engagement.pk), "language": get_language()}


# A long trip's page links a few hundred days. Reversing a URL and formatting a date cost more than
# the rest of such a link, and both depend only on what they are given and the active language.


@lru_cache(maxsize=4096)
def _day_url(view: str, slug: str, day: date, language: str | None, prefix: str) -> str:
    return reverse(view, args=[slug, day])


@lru_cache(maxsize=4096)
def _day_text(day: date, day_format: str, language: str | None) -> str:
    return formats.date_format(day, day_format)


@register.simple_tag
def day_url(view: str, slug: str, day: date) -> str:
    """`{% url view slug day %}`, remembered per language."""
    return _day_url(view, slug, day, get_language(), get_script_prefix())


@register.filter
def day_text(day: date, day_format: str) -> str:
    """`day|date:day_format`, remembered per language."""
    return _day_text(day, day_format, get_language())


@lru_cache(maxsize=256)
def _engagement_count(count: int, language: str | None) -> str:
    # Translators: how many engagements a day of the itinerary holds: "12 engagements".
    return ngettext("%(counter)s engagement", "%(counter)s engagements", count) % {"counter": count}


@register.simple_tag
def outline_days(slug: str, days: list[ItineraryDay], zone: str, day_format: str) -> SafeString:
    """The list items of a long itinerary's days, each a link to its page (keeping the picked
    `zone`) and how many engagements it holds; made here rather than in a template loop, which
    would cost more than all the rest of the page."""
    query = f"?tz={quote(zone, safe='/')}" if zone else ""
    language = get_language()
    prefix = get_script_prefix()
    return format_html_join(
        "\n",
        '<li><a href="{}{}">{}</a> <span class="muted">{}</span></li>',
        (
            (
                _day_url("publishing:itinerary-day", slug, item.day, language, prefix),
                query,
                _day_text(item.day, day_format, language),
                _engagement_count(item.engagements, language),
            )
            for item in days
        ),
    )
