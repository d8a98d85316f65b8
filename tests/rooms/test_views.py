"""Join links through Django's test client: what a wrong link gets, and that it changes nothing."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories.rooms import ended_engagement, live_engagement, seat
from tests.html import texts
from tests.rooms.sockets import claim
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.models import JoinPass
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.django_db


def test_link_opens_the_room_in_one_browser_and_seats_it() -> None:
    engagement = live_engagement(title="Meeting with the Foreign Minister")
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone")
    path = do_issue_join_link(principal, acting_user=None)
    browser = Client()
    page = browser.get(path)
    assert texts(page.content.decode(), tag="h1") == ["Meeting with the Foreign Minister"]
    answer = claim(browser, path)
    assert answer.status_code == 200
    room_path = reverse("rooms:room", args=[engagement.pk])
    assert json.loads(answer.content) == {"room": room_path}
    assert browser.get(room_path).status_code == 200


def test_link_reused_in_another_browser_is_refused() -> None:
    principal = seat(live_engagement(), Role.PRINCIPAL)
    path = do_issue_join_link(principal, acting_user=None)
    assert claim(Client(), path).status_code == 200
    other = claim(Client(), path)
    assert other.status_code == 403
    assert "already in use in another browser" in json.loads(other.content)["error"]


def test_forged_link_gets_a_page_that_says_why() -> None:
    principal = seat(live_engagement(), Role.PRINCIPAL)
    path = do_issue_join_link(principal, acting_user=None)
    forged = path.replace(path.split(":")[-1], "AAAA" + path.split(":")[-1][4:])
    page = Client().get(forged)
    assert page.status_code == 403
    (reason,) = texts(page.content.decode(), css_class="reason")
    assert reason.startswith("This link is not one of ours: it may be incomplete or altered.")


def test_expired_link_gets_a_page_that_says_why() -> None:
    principal = seat(ended_engagement(timedelta(days=3)), Role.PRINCIPAL)
    page = Client().get(do_issue_join_link(principal, acting_user=None))
    assert page.status_code == 403
    assert "This link expired on" in texts(page.content.decode(), css_class="reason")[0]


def test_reissued_link_replaces_the_old_one_and_unseats_its_browser() -> None:
    principal = seat(live_engagement(), Role.PRINCIPAL)
    old = do_issue_join_link(principal, acting_user=None)
    browser = Client()
    claim(browser, old)
    room_path = reverse("rooms:room", args=[principal.engagement_id])
    new = do_issue_join_link(principal, acting_user=None, reissue=True)
    assert new != old
    assert browser.get(room_path).status_code == 403
    assert "replaced by a newer one" in texts(browser.get(room_path).content.decode(), css_class="reason")[0]
    assert claim(Client(), old).status_code == 403
    assert claim(Client(), new).status_code == 200


def test_removed_participant_loses_the_room_at_once(django_capture_on_commit_callbacks) -> None:
    principal = seat(live_engagement(), Role.PRINCIPAL)
    browser = Client()
    claim(browser, do_issue_join_link(principal, acting_user=None))
    room_path = reverse("rooms:room", args=[principal.engagement_id])
    with django_capture_on_commit_callbacks(execute=True):
        principal.delete()
    page = browser.get(room_path)
    assert page.status_code == 403
    assert texts(page.content.decode(), css_class="reason") == [
        "You are no longer on the list for this engagement."
    ]
    # The link is retired, not forgotten: its version outlives the participant row.
    assert JoinPass.objects.get().version == 2


def test_room_without_a_link_or_staff_login_is_refused() -> None:
    engagement = live_engagement()
    page = Client().get(reverse("rooms:room", args=[engagement.pk]))
    assert page.status_code == 403
    assert texts(page.content.decode(), css_class="reason") == [
        "Open your personal join link to enter this room, or log in as staff."
    ]


def test_join_link_command_prints_a_working_link(capsys) -> None:
    engagement = live_engagement()
    principal = seat(engagement, Role.PRINCIPAL)
    call_command("join_link", engagement.trip.slug, engagement.key, principal.person.key)
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://127.0.0.1:8000/join/")
    assert Client().get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
