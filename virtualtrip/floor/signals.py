"""The floor listens to rooms: who is talking, as Janus hears it, goes into the floor's state and log."""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from virtualtrip.floor import actions
from virtualtrip.rooms.signals import talking_changed


@receiver(talking_changed)
def note_talking(
    sender: Any, engagement_id: int, person_id: int, talking: bool, at: datetime, **kwargs: Any
) -> None:
    actions.do_note_talking(engagement_id, person_id, talking, at)
