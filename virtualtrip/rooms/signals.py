"""Rooms react to the itinerary: a person taken off an engagement loses their seat at once."""

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from virtualtrip.rooms.actions import do_revoke_participant
from virtualtrip.trips.models import Participant


@receiver(post_delete, sender=Participant, dispatch_uid="rooms.revoke_removed_participant")
def revoke_removed_participant(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    do_revoke_participant(instance.engagement_id, instance.person_id)
