from datetime import timedelta

from django.utils import timezone

from tests.factories.trips import EngagementFactory, ParticipantFactory, PersonFactory
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Participant


def live_engagement(**fields) -> Engagement:
    """An engagement happening now, so its room is open."""
    now = timezone.now()
    defaults = {"starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(hours=1)}
    return EngagementFactory.create(**{**defaults, **fields})


def ended_engagement(ago: timedelta, **fields) -> Engagement:
    """An hour-long engagement that ended `ago`."""
    ended = timezone.now() - ago
    return EngagementFactory.create(**{"starts_at": ended - timedelta(hours=1), "ends_at": ended, **fields})


def seat(engagement: Engagement, role: str = Role.PRINCIPAL, **person) -> Participant:
    who = PersonFactory.create(trip=engagement.trip, **person)
    return ParticipantFactory.create(engagement=engagement, person=who, role=role)
