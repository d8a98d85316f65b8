from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.inclusion_tag("publishing/_readout_notice.html", takes_context=True)
def readout_notice(context: dict[str, Any], engagement: Any) -> dict[str, Any]:
    """The engagement's readout line, from the notices the view read for the whole page."""
    notices = context.get("readouts") or {}
    return {"notice": notices.get(engagement.pk), "language": get_language()}
