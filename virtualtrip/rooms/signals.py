"""Rooms react to the itinerary: a person taken off an engagement loses their seat at once, and a
person whose participation changed (a new role, from a re-import or the admin) takes it anew.

Rooms also tell other apps what happens in a meeting, without knowing them: `talking_changed`,
`recording_stored`.
"""

from typing import Any

from django.db.models.signals import post_delete, pre_save
from django.dispatch import Signal, receiver

from virtualtrip.rooms import actions
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Participant

talking_changed = Signal()
"""Sent by `actions.do_note_talking` with `engagement_id`, `person_id`, `talking` (bool) and `at`
(an aware datetime, when the proxy saw Janus's event), for every start and stop, undebounced."""

recording_stored = Signal()
"""Sent by `actions.do_store_recording` with `engagement_id` once the tracks it listed are committed:
the room's audio can be read (`queries.recording_tracks`). Sent again when a recording is made anew."""


@receiver(post_delete, sender=Participant, dispatch_uid="rooms.revoke_removed_participant")
def revoke_removed_participant(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    actions.do_revoke_participant(instance.engagement_id, instance.person_id)


@receiver(pre_save, sender=Participant, dispatch_uid="rooms.recheck_participant_with_a_new_role")
def recheck_participant_with_a_new_role(
    sender: type[Participant], instance: Participant, **kwargs: Any
) -> None:
    """A saved participant whose role changed takes their seat anew; a new position is no change."""
    if instance.pk is None:
        return
    before = Participant.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    if before is not None and before != instance.role:
        actions.do_recheck_seats(instance.engagement_id, [instance.person_id])


@receiver(pre_save, sender=Engagement, dispatch_uid="rooms.recheck_briefers_on_new_ground_rules")
def recheck_briefers_on_new_ground_rules(
    sender: type[Engagement], instance: Engagement, **kwargs: Any
) -> None:
    """On background a briefer's label is the attribution: when the rules or the attribution change,
    the briefers take their seats anew, so that Janus and every page get the new label."""
    if instance.pk is None:
        return
    before = Engagement.objects.filter(pk=instance.pk).values_list("ground_rules", "attribution").first()
    if before is not None and before != (instance.ground_rules, instance.attribution):
        briefers = Participant.objects.filter(engagement=instance, role=Role.BRIEFER)
        actions.do_recheck_seats(instance.pk, list(briefers.values_list("person_id", flat=True)))
