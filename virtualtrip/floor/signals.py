"""The floor listens to rooms and to the itinerary: who is talking, as Janus hears it, goes into the
floor's state and log; a change of ground rules renames the briefer everywhere the floor shows them;
a person taken off the engagement loses the floor and their place in the queue."""

from datetime import datetime
from typing import Any

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from virtualtrip.floor import actions
from virtualtrip.floor.models import Briefing
from virtualtrip.rooms.signals import talking_changed
from virtualtrip.trips.models import Engagement, Participant

RULE_FIELDS = ("ground_rules", "attribution")


@receiver(talking_changed)
def note_talking(
    sender: Any, engagement_id: int, person_id: int, talking: bool, at: datetime, **kwargs: Any
) -> None:
    actions.do_note_talking(engagement_id, person_id, talking, at)


@receiver(pre_save, sender=Engagement, dispatch_uid="floor.note_ground_rules_before")
def note_ground_rules_before(sender: type[Engagement], instance: Engagement, **kwargs: Any) -> None:
    before = (
        Engagement.objects.filter(pk=instance.pk).values_list(*RULE_FIELDS).first() if instance.pk else None
    )
    instance._floor_rules_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Engagement, dispatch_uid="floor.rename_on_new_ground_rules")
def rename_on_new_ground_rules(sender: type[Engagement], instance: Engagement, **kwargs: Any) -> None:
    before = getattr(instance, "_floor_rules_before", None)
    now = tuple(getattr(instance, field) for field in RULE_FIELDS)
    if before is not None and tuple(before) != now and Briefing.objects.filter(engagement=instance).exists():
        actions.do_ground_rules_changed(instance)


@receiver(pre_delete, sender=Participant, dispatch_uid="floor.drop_removed_participant")
def drop_removed_participant(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    """Before the row goes (and, when the person goes too, the floor's hold on them)."""
    if Briefing.objects.filter(engagement_id=instance.engagement_id).exists():
        actions.do_drop_person(instance.engagement, instance.person_id)
