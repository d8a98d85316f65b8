"""The floor's staff pages: the accreditation list, the taken questions, the floor log after the
event (readable, and as JSON), for staff only."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.floor.conftest import Briefing, admit, make_briefing, viewer
from virtualtrip.floor import actions
from virtualtrip.floor.accreditation import Registration, check_register, do_accredit
from virtualtrip.floor.log import floor_log
from virtualtrip.trips.enums import GroundRules

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("Ōkubo", password="a-long-test-password", is_staff=True))
    return client


def pages(briefing: Briefing) -> list[str]:
    engagement = briefing.engagement.pk
    return [
        reverse("floor:staff", args=[engagement]),
        reverse("floor:log", args=[engagement]),
        reverse("floor:log-json", args=[engagement]),
    ]


def run_briefing(briefing: Briefing) -> None:
    """Isabel raises a hand and gets the floor with a follow-up; Li's written question is read aloud;
    Zoë's is taken; the briefing ends."""
    moderator = viewer(briefing.moderator)
    isabel, li, zoe = (viewer(j) for j in briefing.journalists)
    admit(briefing.moderator, *briefing.journalists)
    hand = actions.check_raise_hand(isabel, briefing.engagement)
    written = actions.check_ask(li, briefing.engagement, "<i>水</i> price?")
    later = actions.check_ask(zoe, briefing.engagement, "Budget för 2031?")
    actions.check_give_floor(moderator, briefing.engagement, question_id=hand.pk)
    actions.check_follow_up(moderator, briefing.engagement)
    actions.check_read_aloud(moderator, briefing.engagement, written.pk)
    actions.check_take_question(moderator, briefing.engagement, later.pk, None, date(2031, 1, 9))
    actions.check_end(moderator, briefing.engagement)


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_staff_pages_are_for_staff_only(who: str) -> None:
    briefing = make_briefing()
    client = Client()
    if who == "not staff":
        client.force_login(User.objects.create_user("reporter", password="a-long-test-password"))
    for url in pages(briefing):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]


def test_the_staff_page_lists_registrations_by_state_with_the_links(staff: Client) -> None:
    briefing = make_briefing()
    engagement = briefing.engagement
    greek = Registration("Ολυμπία Παπαδοπούλου", "Καθημερινή", "GR", "o@k.example")
    waiting = check_register(engagement, greek)
    accredited = check_register(
        engagement, Registration("Kwame Mensah", "Joy FM", "GH", "k@joy.example", "<b>Cocoa</b>?")
    )
    path = do_accredit(accredited, acting_user=None)
    page = staff.get(reverse("floor:staff", args=[engagement.pk])).content.decode()
    assert "Waiting for a decision (1)" in page
    assert "Ολυμπία Παπαδοπούλου</strong>, Καθημερινή (GR)" in page
    assert "Accredited (1)" in page
    assert f'value="http://testserver{path}"' in page
    assert "&lt;b&gt;Cocoa&lt;/b&gt;" not in page  # an accredited one's question is in the queue, not here
    assert page.count('name="csrfmiddlewaretoken"') >= 1
    assert waiting.pk != accredited.pk


def test_the_staff_page_shows_taken_questions_with_owner_and_due(staff: Client) -> None:
    briefing = make_briefing()
    run_briefing(briefing)
    page = staff.get(reverse("floor:staff", args=[briefing.engagement.pk])).content.decode()
    section = page[page.index('id="taken"') : page.index('id="feed"')]
    assert "Zoë Ångström</strong>, Latinus" in section
    assert "Budget för 2031?" in section
    assert '<time datetime="2031-01-09">9 Jan 2031</time>' in section
    assert "Write the answer" in section
    assert "水" not in section  # read aloud, not taken


def test_the_floor_log_waits_for_the_end_of_the_briefing(staff: Client) -> None:
    briefing = make_briefing()
    page = staff.get(reverse("floor:log", args=[briefing.engagement.pk])).content.decode()
    assert "The floor log is shown here once the briefing has ended." in page
    assert staff.get(reverse("floor:log-json", args=[briefing.engagement.pk])).status_code == 409


def test_the_floor_log_reads_as_a_page_in_the_engagements_zone_and_downloads_as_json(staff: Client) -> None:
    briefing = make_briefing()
    run_briefing(briefing)
    engagement = briefing.engagement
    log = floor_log(engagement)
    page = staff.get(reverse("floor:log", args=[engagement.pk])).content.decode()
    [turn] = log["turns"]
    started = datetime.fromisoformat(turn["from"]).astimezone(ZoneInfo("Asia/Kathmandu"))
    assert f"{started:%H:%M:%S}</time>" in page  # Kathmandu's time, 5:45 ahead of UTC
    assert "Isabel González</strong>, Latinus (MX)" in page
    assert "&lt;i&gt;水&lt;/i&gt; price?" in page
    assert "read aloud" in page
    assert "Raised hand" in page
    assert "taken: owner" in page
    download = staff.get(reverse("floor:log-json", args=[engagement.pk]))
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == (
        f'attachment; filename="floor-log-{engagement.trip.slug}-{engagement.key}.json"'
    )
    assert json.loads(download.content) == json.loads(json.dumps(log))


def test_the_floor_log_page_names_a_background_briefer_by_the_attribution(staff: Client) -> None:
    briefing = make_briefing(ground_rules=GroundRules.BACKGROUND, attribution="UN ALTO FUNCIONARIO")
    run_briefing(briefing)
    page = staff.get(reverse("floor:log", args=[briefing.engagement.pk])).content.decode()
    assert "UN ALTO FUNCIONARIO" in page
    assert "Ōtsuka" not in page
