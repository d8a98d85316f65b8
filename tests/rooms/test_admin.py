"""The rooms admin: a decision taken there goes through the rooms actions and reaches the room."""

import pytest
from django.urls import reverse

from tests.factories.rooms import live_engagement, seat
from virtualtrip.realtime.models import RelayedEvent
from virtualtrip.rooms.enums import AdmissionState
from virtualtrip.rooms.models import Admission, Room
from virtualtrip.trips.enums import Role

# Without Redis, events are also written for serve to relay: what the admin sent is read there.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_layer")]


def waiting_journalist() -> Admission:
    journalist = seat(live_engagement(), Role.PRESS, name="Zoë Ørsted")
    return Admission.objects.create(engagement=journalist.engagement, person=journalist.person)


def events_to(admission: Admission) -> list[dict]:
    group = f"seat-{admission.engagement_id}-p{admission.person_id}"
    return [event.payload["event"] for event in RelayedEvent.objects.filter(group=group)]


def test_admitting_in_the_admin_tells_the_waiting_person(
    admin_client, django_capture_on_commit_callbacks
) -> None:
    admission = waiting_journalist()
    change = reverse("admin:rooms_admission_change", args=[admission.pk])
    with django_capture_on_commit_callbacks(execute=True) as sent:
        answer = admin_client.post(change, {"state": AdmissionState.ADMITTED})
    assert answer.status_code == 302
    admission.refresh_from_db()
    assert (admission.state, admission.decided_by) == (AdmissionState.ADMITTED, "admin (admin)")
    assert events_to(admission) == [
        {"type": "admission.decided", "person": admission.person_id, "state": "admitted"}
    ]
    assert len(sent) == 2  # the person's event and the keepers' new waiting list


def test_a_decision_cannot_be_taken_back_to_waiting_in_the_admin(admin_client) -> None:
    admission = waiting_journalist()
    admission.state = AdmissionState.REFUSED
    admission.save()
    change = reverse("admin:rooms_admission_change", args=[admission.pk])
    answer = admin_client.post(change, {"state": AdmissionState.WAITING})
    assert answer.status_code == 200
    assert "A decision cannot be taken back: admit or refuse." in answer.content.decode()
    admission.refresh_from_db()
    assert admission.state == AdmissionState.REFUSED
    assert events_to(admission) == []


def test_the_admin_adds_no_admission_and_edits_nobody_else(admin_client) -> None:
    admission = waiting_journalist()
    assert admin_client.get(reverse("admin:rooms_admission_add")).status_code == 403
    other = seat(live_engagement(), Role.PRESS)
    change = reverse("admin:rooms_admission_change", args=[admission.pk])
    admin_client.post(change, {"state": AdmissionState.REFUSED, "person": other.person_id})
    admission.refresh_from_db()
    assert (admission.person_id, admission.state) != (other.person_id, AdmissionState.WAITING)
    assert admission.state == AdmissionState.REFUSED


def test_lobby_roles_changed_in_the_admin_make_the_moved_seats_check_again(
    admin_client, django_capture_on_commit_callbacks
) -> None:
    from virtualtrip.rooms.actions import do_open_room

    counterpart = seat(live_engagement(), Role.COUNTERPART)
    room = do_open_room(counterpart.engagement)
    change = reverse("admin:rooms_room_change", args=[room.pk])
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(change, {"lobby_roles": '["press", "audience", "counterpart"]'})
    assert answer.status_code == 302
    room.refresh_from_db()
    assert room.lobby_roles == ["press", "audience", "counterpart"]
    group = f"seat-{room.engagement_id}-p{counterpart.person_id}"
    assert [event.payload["event"]["type"] for event in RelayedEvent.objects.filter(group=group)] == [
        "seat.revoked"
    ]


def test_a_room_cannot_be_deleted_in_the_admin(admin_client) -> None:
    from virtualtrip.rooms.actions import do_open_room

    room = do_open_room(live_engagement())
    assert (
        admin_client.post(reverse("admin:rooms_room_delete", args=[room.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Room.objects.filter(pk=room.pk).exists()
