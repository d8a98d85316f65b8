"""Accreditation: a journalist not in the trip file registers on the engagement's public page, staff
accredit or refuse; accrediting makes a press participant with a personal link, mailed after
commit, and puts the question submitted ahead in the floor's queue."""

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories.rooms import ended_engagement, live_engagement, seat
from tests.factories.trips import EngagementFactory
from tests.floor.conftest import viewer
from virtualtrip.floor import actions
from virtualtrip.floor.accreditation import (
    DecisionRefused,
    Registration,
    TooManyRegistrations,
    check_register,
    counter_key,
    do_accredit,
)
from virtualtrip.floor.enums import QuestionKind, QuestionState
from virtualtrip.floor.models import Accreditation, AccreditationState, Question
from virtualtrip.floor.people import floor_names
from virtualtrip.floor.state import queue_part
from virtualtrip.trips.enums import EngagementKind, Role
from virtualtrip.trips.models import Engagement, Participant

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Nguyễn Thị Ánh",
    "outlet": "Tuổi Trẻ",
    "country": "VN",
    "email": "anh@tuoitre.example",
    "question": "Will the <b>tariff</b> talks resume before Tết?",
}


def briefing(**fields: object) -> Engagement:
    """A public press briefing under way in an odd zone (UTC+5:45)."""
    return live_engagement(kind=EngagementKind.PRESS_BRIEFING, timezone="Asia/Kathmandu", **fields)


def register_url(engagement: Engagement) -> str:
    return reverse("floor:register", args=[engagement.trip.slug, engagement.key])


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("desk-ō", password="a-long-test-password", is_staff=True))
    return client


def test_registration_is_saved_pending_with_what_was_written() -> None:
    engagement = briefing()
    response = Client().post(register_url(engagement), {**GOOD, "name": "  Nguyễn Thị Ánh  "})
    assert response.status_code == 200
    assert "Thank you, Nguyễn Thị Ánh" in response.content.decode()
    saved = Accreditation.objects.get()
    assert (saved.engagement, saved.name, saved.outlet, saved.country, saved.email, saved.question) == (
        engagement,
        GOOD["name"],
        GOOD["outlet"],
        "VN",
        GOOD["email"],
        GOOD["question"],
    )
    assert saved.state == AccreditationState.PENDING
    assert not Participant.objects.filter(engagement=engagement, role=Role.PRESS).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("outlet", "Radio\x07Nacional", "control characters"),
        ("outlet", "x" * 201, "At most 200 characters"),
        ("country", "XX", "Select a valid choice"),
        ("email", "not-an-address", "Enter a valid email address."),
        ("question", "¿" * 2001, "at most 2000 characters; this one has 2001"),
        ("question", "a\x1bb", "control character"),
        ("name", "Ana\x00", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(field: str, value: str, message: str) -> None:
    engagement = briefing()
    response = Client().post(register_url(engagement), {**GOOD, field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="field invalid"' in page
    assert Accreditation.objects.count() == 0


def test_the_same_address_twice_gets_a_message_and_one_registration() -> None:
    engagement = briefing()
    Client().post(register_url(engagement), GOOD)
    again = Client().post(register_url(engagement), {**GOOD, "email": "ANH@TuoiTre.example", "name": "Ánh"})
    assert again.status_code == 400
    assert "This address has already registered for this engagement" in again.content.decode()
    assert Accreditation.objects.count() == 1


def test_the_same_address_may_register_for_another_engagement() -> None:
    first, second = briefing(), briefing()
    Client().post(register_url(first), GOOD)
    assert Client().post(register_url(second), GOOD).status_code == 200
    assert Accreditation.objects.count() == 2


def test_registration_is_closed_once_the_engagement_has_ended() -> None:
    engagement = ended_engagement(timedelta(minutes=1), kind=EngagementKind.PRESS_AVAILABILITY)
    page = Client().get(register_url(engagement)).content.decode()
    assert "This engagement has ended: registration is closed." in page
    assert '<form method="post" class="stacked"' not in page
    Client().post(register_url(engagement), GOOD)
    assert Accreditation.objects.count() == 0


@pytest.mark.parametrize(
    "fields",
    [{"kind": EngagementKind.BILATERAL_MEETING}, {"kind": EngagementKind.PRESS_BRIEFING, "public": False}],
)
def test_only_public_press_engagements_take_registrations(fields: dict[str, object]) -> None:
    engagement = live_engagement(**fields)
    assert Client().get(register_url(engagement)).status_code == 404
    assert Client().post(register_url(engagement), GOOD).status_code == 404
    assert Accreditation.objects.count() == 0


def test_registering_needs_the_csrf_token() -> None:
    engagement = briefing()
    client = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in client.get(register_url(engagement)).content.decode()
    assert client.post(register_url(engagement), GOOD).status_code == 403
    assert Accreditation.objects.count() == 0


def decide(client: Client, accreditation: Accreditation, decision: str) -> str:
    url = reverse("floor:decide", args=[accreditation.engagement_id, accreditation.pk])
    response = client.post(url, {"decision": decision}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_accrediting_adds_the_journalist_with_a_link_mailed_after_commit_and_their_question(
    staff_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    engagement = briefing()
    Client().post(register_url(engagement), GOOD)
    accreditation = Accreditation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        page = decide(staff_client, accreditation, "accredit")
        assert mail.outbox == []  # not before the decision commits
    accreditation.refresh_from_db()
    participant = accreditation.participant
    assert participant is not None
    person = participant.person
    assert (participant.role, person.name, person.outlet, person.country, person.from_trip_file) == (
        Role.PRESS,
        GOOD["name"],
        GOOD["outlet"],
        "VN",
        False,
    )
    assert (accreditation.state, accreditation.decided_by) == (
        AccreditationState.ACCREDITED,
        User.objects.get(username="desk-ō"),
    )
    assert [message.to for message in mail.outbox] == [[GOOD["email"]]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/join/" in line)
    assert link.startswith("http://testserver/join/")
    assert f'value="{link}"' in page  # the same link on the staff page
    assert "is accredited" in page
    question = Question.objects.get(engagement=engagement)
    assert (question.person_id, question.kind, question.text, question.state) == (
        person.pk,
        QuestionKind.AHEAD,
        GOOD["question"],
        QuestionState.WAITING,
    )
    [entry] = queue_part(engagement, floor_names(engagement))
    assert (entry["name"], entry["outlet"], entry["country"]) == (GOOD["name"], GOOD["outlet"], "VN")


def test_accrediting_twice_accredits_once(staff_client: Client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    engagement = briefing()
    Client().post(register_url(engagement), GOOD)
    accreditation = Accreditation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        decide(staff_client, accreditation, "accredit")
        decide(staff_client, accreditation, "accredit")
        do_accredit(accreditation, acting_user=None)
    assert Participant.objects.filter(engagement=engagement, role=Role.PRESS).count() == 1
    assert Question.objects.filter(engagement=engagement).count() == 1
    assert len(mail.outbox) == 1


def test_accrediting_without_a_question_queues_nothing(staff_client: Client) -> None:
    engagement = briefing()
    Client().post(register_url(engagement), {**GOOD, "question": ""})
    decide(staff_client, Accreditation.objects.get(), "accredit")
    assert Question.objects.count() == 0
    assert Participant.objects.filter(engagement=engagement, role=Role.PRESS).count() == 1


def test_refusing_adds_nobody_and_a_refused_registration_cannot_be_accredited(
    staff_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    engagement = briefing()
    Client().post(register_url(engagement), GOOD)
    accreditation = Accreditation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        decide(staff_client, accreditation, "refuse")
        page = decide(staff_client, accreditation, "accredit")
    assert "This registration was refused" in page
    accreditation.refresh_from_db()
    assert (accreditation.state, accreditation.participant) == (AccreditationState.REFUSED, None)
    assert not Participant.objects.filter(engagement=engagement, role=Role.PRESS).exists()
    assert Question.objects.count() == 0
    assert [m.subject for m in mail.outbox] == [f"Your registration for {engagement.title}"]


def test_accrediting_after_the_end_is_refused_and_changes_nothing() -> None:
    engagement = briefing()
    accreditation = check_register(engagement, Registration(**GOOD))
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(DecisionRefused, match="has ended"):
        do_accredit(accreditation, acting_user=None)
    accreditation.refresh_from_db()
    assert accreditation.state == AccreditationState.PENDING
    assert not Participant.objects.filter(engagement=engagement, role=Role.PRESS).exists()


def test_only_staff_decide(django_user_model) -> None:  # type: ignore[no-untyped-def]
    engagement = briefing()
    accreditation = check_register(engagement, Registration(**GOOD))
    client = Client()
    client.force_login(django_user_model.objects.create_user("reporter", password="a-long-test-password"))
    url = reverse("floor:decide", args=[engagement.pk, accreditation.pk])
    response = client.post(url, {"decision": "accredit"})
    assert response.status_code == 302
    assert "login" in response["Location"]
    accreditation.refresh_from_db()
    assert accreditation.state == AccreditationState.PENDING


def test_decisions_need_the_csrf_token() -> None:
    engagement = briefing()
    accreditation = check_register(engagement, Registration(**GOOD))
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("desk", password="a-long-test-password", is_staff=True))
    url = reverse("floor:decide", args=[engagement.pk, accreditation.pk])
    assert client.post(url, {"decision": "accredit"}).status_code == 403
    accreditation.refresh_from_db()
    assert accreditation.state == AccreditationState.PENDING


def test_names_of_engagements_elsewhere_in_the_trip_do_not_collide() -> None:
    """Two journalists of the same name on one trip get two people, each with their own key."""
    engagement = briefing()
    other = EngagementFactory.create(
        trip=engagement.trip,
        destination=engagement.destination,
        kind=EngagementKind.PRESS_AVAILABILITY,
        starts_at=engagement.starts_at,
        ends_at=engagement.ends_at,
    )
    registrations = [check_register(target, Registration(**GOOD)) for target in (engagement, other)]
    paths = [do_accredit(registration, acting_user=None) for registration in registrations]
    keys = set(Participant.objects.filter(role=Role.PRESS).values_list("person__key", flat=True))
    assert len(keys) == 2
    assert paths[0] != paths[1]


def test_every_problem_is_shown_at_once() -> None:
    engagement = briefing()
    bad = {**GOOD, "name": "Ana\x07", "email": "nope", "question": "¿" * 2001}
    page = Client().post(register_url(engagement), bad).content.decode()
    assert "Remove the control characters" in page
    assert "Enter a valid email address." in page
    assert "at most 2000 characters; this one has 2001" in page
    assert page.count('class="field invalid"') == 3
    assert Accreditation.objects.count() == 0


def test_the_mail_says_the_question_is_queued_only_when_it_is(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    engagement = briefing()
    queued, unasked = (
        check_register(engagement, Registration(**{**GOOD, "email": email}))
        for email in ("one@example.org", "two@example.org")
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_accredit(queued, acting_user=None)
        actions.check_end(viewer(seat(engagement, Role.MODERATOR, name="Moderadora")), engagement)
        do_accredit(unasked, acting_user=None)
    assert ["in the moderator's queue" in m.body for m in mail.outbox] == [True, False]
    assert Question.objects.filter(engagement=engagement, kind=QuestionKind.AHEAD).count() == 1


def register_from(engagement: Engagement, address: str, number: int, **fields: str) -> "Response":
    """The `number`th registration from `address`, each with its own mail address."""
    data = {**GOOD, "email": f"reporter{number}@example.org", **fields}
    return Client(REMOTE_ADDR=address).post(register_url(engagement), data)


def test_an_address_registers_five_times_an_hour_then_gets_a_429_and_nothing_is_saved() -> None:
    engagement = briefing()
    taken = [register_from(engagement, "203.0.113.7", n).status_code for n in range(5)]
    assert taken == [200] * 5
    refused = register_from(engagement, "203.0.113.7", 5)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "We take at most 5 registrations an hour from one connection" in page
    assert '<div class="error" role="alert">' in page
    assert f'value="{GOOD["name"]}"' in page  # what they wrote stays in the form
    assert Accreditation.objects.count() == 5


def test_the_limit_is_a_setting_and_another_address_has_its_own(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 2
    engagement = briefing()
    statuses = [register_from(engagement, "198.51.100.1", n).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert register_from(engagement, "198.51.100.2", 3).status_code == 200
    assert Accreditation.objects.count() == 3


def test_ipv6_addresses_count_by_their_64_and_ipv4_mapped_ones_as_ipv4(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    engagement = briefing()
    assert register_from(engagement, "2001:db8:1:2::1", 0).status_code == 200
    assert register_from(engagement, "2001:db8:1:2:ffff::9", 1).status_code == 429
    assert register_from(engagement, "2001:db8:1:3::1", 2).status_code == 200
    assert register_from(engagement, "192.0.2.4", 3).status_code == 200
    assert register_from(engagement, "::ffff:192.0.2.4", 4).status_code == 429
    assert Accreditation.objects.count() == 3


def test_a_registration_refused_for_a_field_does_not_count(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    engagement = briefing()
    for n in range(3):
        assert register_from(engagement, "192.0.2.9", n, name="").status_code == 400
    assert register_from(engagement, "192.0.2.9", 3).status_code == 200
    assert register_from(engagement, "192.0.2.9", 4).status_code == 429


def test_the_count_starts_again_the_next_hour(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    engagement = briefing()
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(hour + timedelta(minutes=59, seconds=58), tick=False):
        assert register_from(engagement, "192.0.2.10", 0).status_code == 200
        refused = register_from(engagement, "192.0.2.10", 1)
    assert refused.status_code == 429
    assert f"Try again after {hour + timedelta(hours=1):%H:%M} UTC" in refused.content.decode()
    with time_machine.travel(hour + timedelta(hours=1, seconds=1), tick=False):
        assert register_from(engagement, "192.0.2.10", 2).status_code == 200


def test_the_cache_holds_a_hash_of_the_address_not_the_address(settings) -> None:  # type: ignore[no-untyped-def]
    engagement = briefing()
    register_from(engagement, "203.0.113.77", 0)
    now = timezone.now()
    assert cache.get(counter_key("203.0.113.77", now)) == 1
    keys = list(cache._cache)  # type: ignore[attr-defined]  # the local-memory cache's own store
    assert len(keys) == 1
    assert "203.0.113.77" not in keys[0]
    assert "203.0.113.77" not in str(cache._cache[keys[0]])  # type: ignore[attr-defined]


def test_a_registration_from_staff_or_a_command_is_not_counted(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    engagement = briefing()
    for email in ("a@example.org", "b@example.org"):
        check_register(engagement, Registration(**{**GOOD, "email": email}))
    check_register(engagement, Registration(**{**GOOD, "email": "c@example.org"}), address="192.0.2.1")
    with pytest.raises(TooManyRegistrations):
        check_register(engagement, Registration(**{**GOOD, "email": "d@example.org"}), address="192.0.2.1")
    assert Accreditation.objects.count() == 3
