"""The rooms admin: a decision taken there goes through the rooms actions and reaches the room."""

import pytest
from django.urls import reverse

from tests.factories.rooms import live_engagement, seat
from virtualtrip.realtime.models import RelayedEvent
from virtualtrip.rooms.enums import AdmissionState
from virtualtrip.rooms.models import Admission
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
