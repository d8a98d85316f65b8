"""What both room sockets do on connect: find the engagement and the seat of the browser."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from virtualtrip.rooms import queries
from virtualtrip.rooms.enums import AdmissionState, RoomStatus
from virtualtrip.rooms.models import Room
from virtualtrip.rooms.seats import Seat
from virtualtrip.trips.models import Engagement

DEVICE_COOKIE = "vt_device"
GRANTS_KEY = "room_grants"


@dataclass(frozen=True)
class Arrival:
    engagement: Engagement
    seat: Seat
    room: Room | None
    status: RoomStatus
    admission: AdmissionState | None


def arrive(scope: dict[str, Any], engagement_id: int) -> Arrival:
    """The seat of the browser behind `scope`; RoomAccessDenied or Engagement.DoesNotExist if none."""
    engagement = Engagement.objects.select_related("trip").get(pk=engagement_id)
    session = scope.get("session")
    grants = session.get(GRANTS_KEY, {}) if session is not None else {}
    device = scope.get("cookies", {}).get(DEVICE_COOKIE, "")
    seat = queries.access_seat(engagement, grants, scope.get("user"), device)
    room = Room.objects.filter(engagement=engagement).first()
    status = queries.room_status(engagement, room, timezone.now())
    return Arrival(engagement, seat, room, status, queries.admission_state(seat))
