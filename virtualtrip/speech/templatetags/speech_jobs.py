"""`{% transcription_panel engagement as panel %}`: what `speech/staff_panel.html` shows, so that any
staff page can include the panel with only the engagement in its context."""

from django import template

from virtualtrip.speech.panel import Panel, panel_of
from virtualtrip.trips.models import Engagement

register = template.Library()


@register.simple_tag
def transcription_panel(engagement: Engagement) -> Panel:
    return panel_of(engagement)
