"""What `make demo` prints: links that open the room under way, and a staff account that logs in."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from tests.factories.trips import EngagementFactory
from tests.rooms.sockets import claim
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.django_db
BASE = "http://127.0.0.1:8000"


def logs_in(client: Client, password: str) -> bool:
    """Log in through the log-in page, as a person does (the throttle needs the request)."""
    answer = client.post(reverse("login"), {"username": "demo-staff", "password": password})
    return answer.status_code == 302


def demo_access(slug: str) -> str:
    out = io.StringIO()
    call_command("demo_access", trip=slug, base_url=BASE, stdout=out)
    return out.getvalue()


def test_the_links_printed_open_the_engagement_under_way_and_the_staff_account_logs_in() -> None:
    engagement = live_engagement(title="Reunión en Katmandú")
    seat(engagement, Role.PRINCIPAL, name="Ana Ñúñez")
    seat(engagement, Role.COUNTERPART, name="Bishnu Thapa")
    seat(engagement, Role.PRESS, name="Rita Reporter")
    later = timezone.now() + timedelta(hours=3)
    EngagementFactory.create(
        trip=engagement.trip,
        destination=engagement.destination,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
    )
    printed = demo_access(engagement.trip.slug)
    assert "Under way now: Reunión en Katmandú" in printed
    links = re.findall(r"^  (.+) \((\w+)\): (http\S+/join/\S+)$", printed, re.MULTILINE)
    assert [(name, role) for name, role, _link in links] == [
        ("Ana Ñúñez", "principal"),
        ("Bishnu Thapa", "counterpart"),
    ]
    for _name, _role, link in links:
        assert claim(Client(), link.removeprefix(BASE)).status_code == 200
    assert f"{BASE}/rooms/{engagement.pk}/links/" in printed
    (password,) = re.findall(r"as 'demo-staff' with password '(\S+)'", printed)
    staff = Client()
    assert logs_in(staff, password)
    assert staff.get(f"/rooms/{engagement.pk}/links/").status_code == 200


def test_a_new_password_each_time_and_the_old_one_stops_working() -> None:
    engagement = live_engagement()
    first = re.findall(r"password '(\S+)'", demo_access(engagement.trip.slug))[0]
    second = re.findall(r"password '(\S+)'", demo_access(engagement.trip.slug))[0]
    assert first != second
    assert not logs_in(Client(), first)
    assert logs_in(Client(), second)


def test_with_nothing_under_way_it_names_the_next_room_and_when_it_opens() -> None:
    soon = timezone.now() + timedelta(hours=2)
    engagement = EngagementFactory.create(
        title="Town hall", starts_at=soon, ends_at=soon + timedelta(hours=1)
    )
    seat(engagement, Role.PRINCIPAL)
    printed = demo_access(engagement.trip.slug)
    assert re.search(r"the next room opens in (89|90) minutes .*: Town hall", printed)


def test_a_production_site_gets_no_demo_account(settings) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    settings.HTTPS, settings.DEBUG = True, False
    engagement = live_engagement()
    with pytest.raises(CommandError, match="demo-access is for a demo on this machine"):
        demo_access(engagement.trip.slug)
    assert not get_user_model().objects.filter(username="demo-staff").exists()


def test_the_demo_briefing_under_way_prints_the_moderator_the_briefer_and_the_journalists() -> None:
    call_command("load_demo", now="us-regional-briefing", stdout=io.StringIO(), stderr=io.StringIO())
    printed = demo_access("mexico-canada-2021")
    assert "Under way now: " in printed
    links = re.findall(r"^  (.+) \((\w+)\): (http\S+/join/\S+)$", printed, re.MULTILINE)
    assert {role for _name, role, _link in links} == {"moderator", "briefer", "press"}


def test_load_demo_names_an_engagement_it_does_not_have() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=r"no engagement 'nope': it has .*us-regional-briefing"):
        call_command("load_demo", now="nope", stdout=io.StringIO(), stderr=io.StringIO())
