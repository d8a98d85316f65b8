"""Live rooms end to end: real Chromium with fake camera and microphone, the real app under uvicorn,
the real Janus. Run inside the test network namespace (scripts/in-netns.sh), where media can flow."""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from tests.audio import loudest_db
from tests.browser.conftest import VIEWPORT
from tests.factories.rooms import ended_engagement, live_engagement, seat
from tests.janus import AsgiServer, in_other_thread, run_async
from virtualtrip.rooms import live
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.enums import RecordingState
from virtualtrip.rooms.models import RecordingTrack, Room
from virtualtrip.rooms.seats import display_name
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Participant

pytestmark = [pytest.mark.browser, pytest.mark.janus]
LIVE_TIMEOUT_MS = 20_000


@pytest.fixture
def server(app_server: AsgiServer) -> AsgiServer:
    return app_server


class Tabs:
    """Each tab in a browser context of its own: separate cookies, as on separate machines."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []

    def open(self, url: str) -> Page:
        context = self.browser.new_context(viewport=VIEWPORT)
        self.contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def tabs(media_browser: Browser) -> Iterator[Tabs]:
    opened = Tabs(media_browser)
    yield opened
    opened.close()


def link(server: AsgiServer, participant: Participant) -> str:
    return server.url + do_issue_join_link(participant, acting_user=None)


def join(tabs: Tabs, server: AsgiServer, participant: Participant) -> Page:
    page = tabs.open(link(server, participant))
    page.click("#join")
    return page


def wait_state(page: Page, state: str) -> None:
    page.wait_for_function(
        f"() => window.vtRoom && window.vtRoom.state === '{state}'", timeout=LIVE_TIMEOUT_MS
    )


def feed_stats(page: Page) -> dict[str, dict]:
    return {entry["display"]: entry for entry in page.evaluate("window.vtRoom.stats()").values()}


def assert_receiving(page: Page, displays: set[str], timeout_s: float = 20) -> None:
    """Video frames decoded, video bytes and audio bytes received keep rising for each display."""
    deadline = time.monotonic() + timeout_s
    while True:
        first = feed_stats(page)
        if set(first) >= displays and all(first[d]["videoFrames"] > 0 for d in displays):
            break
        assert time.monotonic() < deadline, f"no media from {displays} yet: {first}"
        time.sleep(0.5)
    time.sleep(2)
    second = feed_stats(page)
    for display in displays:
        for figure in ("videoFrames", "videoBytes", "audioBytes"):
            assert second[display][figure] > first[display][figure], (display, figure, first, second)


def keep_screenshot(page: Page, name: str) -> None:
    """With VIRTUALTRIP_SCREENSHOTS=DIR, keep what the page looks like at this moment, to look at."""
    folder = os.environ.get("VIRTUALTRIP_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/room-{name}.png", full_page=True)


def labels(page: Page) -> list[str]:
    return sorted(page.locator(".tile:not(.mine) figcaption").all_inner_texts())


@dataclass
class Call:
    """A principal and a counterpart in one engagement's room, each receiving the other."""

    engagement: Engagement
    principal: Participant
    counterpart: Participant
    principal_page: Page
    counterpart_page: Page

    def pages(self) -> list[Page]:
        return [self.principal_page, self.counterpart_page]

    def in_janus(self) -> dict[str, bool]:
        """Both, publishing, and nobody else: what Janus should list."""
        return {display_name(self.principal): True, display_name(self.counterpart): True}


def start_call(tabs: Tabs, server: AsgiServer, **engagement_fields: Any) -> Call:
    engagement = live_engagement(**engagement_fields)
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State", country="US")
    counterpart = seat(
        engagement, Role.COUNTERPART, name="Lucía Ferrer", title="Foreign Minister", country="MX"
    )
    call = Call(
        engagement, principal, counterpart, join(tabs, server, principal), join(tabs, server, counterpart)
    )
    assert_receiving(call.principal_page, {display_name(counterpart)})
    assert_receiving(call.counterpart_page, {display_name(principal)})
    return call


def test_principal_and_counterpart_see_and_hear_each_other(server, tabs) -> None:
    call = start_call(tabs, server)
    assert call.principal_page.evaluate("window.vtRoom.state") == "live"
    assert call.counterpart_page.evaluate("window.vtRoom.state") == "live"
    assert labels(call.principal_page) == ["Lucía Ferrer — Foreign Minister, Mexico"]
    assert labels(call.counterpart_page) == ["Avery Stone — Secretary of State, United States"]
    keep_screenshot(call.principal_page, "live")


def test_a_call_stays_up_with_nothing_to_reconnect(server, tabs) -> None:
    """Longer than any timeout on the way (the channel layer's 5-second read among them), nobody's
    page goes through another state, and media keeps flowing."""
    call = start_call(tabs, server)
    seen = [page.evaluate("window.vtRoom.history.length") for page in call.pages()]
    time.sleep(15)
    for page, before in zip(call.pages(), seen, strict=True):
        assert page.evaluate(f"window.vtRoom.history.slice({before})") == []
    assert_receiving(call.principal_page, {display_name(call.counterpart)})
    assert_receiving(call.counterpart_page, {display_name(call.principal)})


FORGED_PUBLISH = """
() => new Promise((resolve) => {
  const handle = window.vtRoom.publisher;
  handle.createOffer({
    tracks: [{type: "audio", capture: true, recv: false}, {type: "video", capture: true, recv: false}],
    success: (jsep) => handle.send({
      message: {request: "configure", audio: true, video: true}, jsep,
      success: () => resolve("accepted"),
      error: (error) => resolve(String(error)),
    }),
    error: (error) => resolve("no offer: " + String(error)),
  });
})
"""


def janus_participants(engagement) -> dict[str, bool]:
    room = Room.objects.get(engagement=engagement)
    participants = run_async(lambda: live.list_participants(room))
    return {p["display"]: p["publisher"] for p in participants}


def test_journalist_waits_in_lobby_is_admitted_watches_and_cannot_publish(server, tabs) -> None:
    engagement = live_engagement()
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State", country="US")
    counterpart = seat(
        engagement, Role.COUNTERPART, name="Lucía Ferrer", title="Foreign Minister", country="MX"
    )
    journalist = seat(engagement, Role.PRESS, name="Sam Reed", outlet="Daily Wire Service", country="US")
    principal_page = join(tabs, server, principal)
    join(tabs, server, counterpart)
    wait_state(principal_page, "live")

    press_page = join(tabs, server, journalist)
    wait_state(press_page, "lobby")
    waiting = principal_page.locator("#waiting li", has_text="Sam Reed — Daily Wire Service, United States")
    waiting.wait_for()
    keep_screenshot(principal_page, "keeper-sees-lobby")
    keep_screenshot(press_page, "in-lobby")
    assert press_page.locator("#prejoin").is_hidden()
    assert press_page.locator("#controls").is_hidden()
    waiting.get_by_role("button", name="Admit").click()
    wait_state(press_page, "live")
    assert_receiving(press_page, {display_name(principal), display_name(counterpart)})
    assert press_page.locator(".tile.mine").count() == 0

    refusal = press_page.evaluate(FORGED_PUBLISH)
    assert refusal == "403 the press role watches and listens: publishing is not allowed"
    assert janus_participants(engagement) == {
        display_name(principal): True,
        display_name(counterpart): True,
        display_name(journalist): False,
    }


def test_media_server_killed_mid_call_everyone_rejoins(server, tabs, own_janus) -> None:
    call = start_call(tabs, server)
    principal, counterpart = call.principal, call.counterpart
    principal_page, counterpart_page = call.principal_page, call.counterpart_page

    own_janus.process.kill()
    killed_at = time.monotonic()
    wait_state(principal_page, "reconnecting")
    assert_receiving(principal_page, {display_name(counterpart)}, timeout_s=15)
    assert_receiving(counterpart_page, {display_name(principal)}, timeout_s=15)
    assert time.monotonic() - killed_at < 15 + 4  # the two 2-second samples of assert_receiving
    assert own_janus.restarts >= 1


def test_principal_travels_to_the_next_room(server, tabs) -> None:
    first = live_engagement(title="Meeting with the Foreign Minister")
    principal = seat(first, Role.PRINCIPAL, name="Avery Stone")
    later = live_engagement(
        destination=first.destination,
        title="Tour of the solar plant",
        starts_at=first.starts_at + timedelta(minutes=1),
    )
    Participant.objects.create(engagement=later, person=principal.person, role=Role.PRINCIPAL)
    guide = seat(later, Role.GUIDE, name="Noor Haddad")
    guide_page = join(tabs, server, guide)
    page = join(tabs, server, principal)
    wait_state(page, "live")
    page.get_by_role("button", name="Travel to the next room →").click()
    page.wait_for_url(f"**/rooms/{later.pk}/?travelled=1")
    assert page.locator("h1").inner_text() == "Tour of the solar plant"
    wait_state(page, "live")
    assert_receiving(page, {display_name(guide)})
    assert_receiving(
        guide_page, {display_name(Participant.objects.get(engagement=later, role=Role.PRINCIPAL))}
    )


def test_recorded_meeting_becomes_one_audio_file_and_one_per_speaker(
    server, tabs, settings, tmp_path, admin_client
) -> None:
    settings.RECORDINGS_DIR = tmp_path
    call = start_call(tabs, server, record=True)
    engagement, principal, counterpart = call.engagement, call.principal, call.counterpart
    principal_page, counterpart_page = call.principal_page, call.counterpart_page
    time.sleep(3)

    principal_page.once("dialog", lambda dialog: dialog.accept())
    principal_page.get_by_role("button", name="End the meeting for everyone").click()
    wait_state(counterpart_page, "ended")
    room = Room.objects.get(engagement=engagement)
    deadline = time.monotonic() + 60
    while room.recording in {RecordingState.PENDING, RecordingState.PROCESSING}:
        assert time.monotonic() < deadline, "the recording was not made within a minute"
        time.sleep(0.5)
        room.refresh_from_db()
    assert room.recording == RecordingState.READY, room.recording_error

    tracks = {track.speaker: track for track in RecordingTrack.objects.filter(room=room)}
    assert set(tracks) == {"", display_name(principal), display_name(counterpart)}
    assert tracks[display_name(principal)].person == principal.person
    for track in tracks.values():
        assert track.duration_seconds >= 5, track
        assert track.starts_at == tracks[""].starts_at
        assert loudest_db(settings.RECORDINGS_DIR / track.file) > -40, track  # the fake microphone beeps

    page = admin_client.get(f"/rooms/{engagement.pk}/links/").content.decode()
    assert display_name(principal) in page
    assert display_name(counterpart) in page
    assert page.count("<audio controls") == 3
    audio = admin_client.get(f"/rooms/{engagement.pk}/recordings/{tracks[''].pk}/")
    assert audio["Content-Type"] == "audio/ogg"
    assert b"".join(audio.streaming_content).startswith(b"OggS")


def remote_labels_settle(page: Page, expected: list[str]) -> None:
    deadline = time.monotonic() + 15
    while labels(page) != expected:
        assert time.monotonic() < deadline, labels(page)
        time.sleep(0.25)


def assert_back_as_before(call: Call) -> None:
    """The principal is back: media both ways, one tile (no ghost of the old session), two in Janus."""
    wait_state(call.principal_page, "live")
    assert_receiving(call.counterpart_page, {display_name(call.principal)})
    assert_receiving(call.principal_page, {display_name(call.counterpart)})
    remote_labels_settle(call.counterpart_page, [display_name(call.principal)])
    assert janus_participants(call.engagement) == call.in_janus()


def test_reload_rejoins_with_the_same_identity_and_leaves_no_ghost(server, tabs) -> None:
    call = start_call(tabs, server)
    call.principal_page.reload()
    assert_back_as_before(call)


def test_dropped_network_rejoins_by_itself(server, tabs) -> None:
    call = start_call(tabs, server)
    call.principal_page.context.set_offline(True)
    wait_state(call.principal_page, "reconnecting")
    assert "offline" in call.principal_page.locator("#connection").inner_text()
    time.sleep(3)
    call.principal_page.context.set_offline(False)
    assert_back_as_before(call)


def test_a_person_taken_off_the_engagement_leaves_the_call_at_once(server, tabs) -> None:
    call = start_call(tabs, server)
    states_before = call.principal_page.evaluate("window.vtRoom.history.length")
    in_other_thread(call.counterpart.delete)  # as a planner removing them in the admin
    wait_state(call.counterpart_page, "denied")
    assert call.counterpart_page.locator("#connection").inner_text() == (
        "Access withdrawn — You are no longer on the list for this engagement."
    )
    remote_labels_settle(call.principal_page, [])
    keep_screenshot(call.counterpart_page, "taken-off")
    assert janus_participants(call.engagement) == {display_name(call.principal): True}
    time.sleep(5)  # a connection that dropped with the leaver's feed would fail within this
    assert call.principal_page.evaluate(f"window.vtRoom.history.slice({states_before})") == []
    assert janus_participants(call.engagement) == {display_name(call.principal): True}
    call.counterpart_page.reload()
    assert call.counterpart_page.locator(".reason").inner_text() == (
        "You are no longer on the list for this engagement."
    )


def test_a_page_opened_before_the_room_opens_lets_its_person_in_at_the_opening(
    server, tabs, settings
) -> None:
    settings.ROOM_OPENS_BEFORE_MINUTES = 30
    starts = timezone.now() + timedelta(minutes=30, seconds=8)
    engagement = live_engagement(starts_at=starts, ends_at=starts + timedelta(hours=1))
    page = tabs.open(link(server, seat(engagement, Role.PRINCIPAL)))
    assert page.locator("#join").is_disabled()
    assert page.locator("#controls").is_hidden()  # no microphone or leave buttons before joining
    keep_screenshot(page, "not-open-yet")
    assert page.locator("#opening").inner_text() == (
        "The room opens 30 minutes before the start; you can join then."
    )
    page.wait_for_function("() => !document.getElementById('join').disabled", timeout=LIVE_TIMEOUT_MS)
    assert page.locator("#opening").inner_text() == "The room is open: you can join now."
    page.click("#join")
    wait_state(page, "live")


def test_joining_a_meeting_that_is_over_says_so(server, tabs) -> None:
    engagement = ended_engagement(timedelta(minutes=10))
    page = join(tabs, server, seat(engagement, Role.PRINCIPAL))
    wait_state(page, "over")
    assert page.locator("#connection").inner_text() == "The meeting is over"
    assert page.locator("#controls").is_hidden()
    assert page.evaluate("window.vtRoom.history").count("connecting") == 0  # no media was tried
