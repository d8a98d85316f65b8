"""Publishing rights that change during a meeting, in real browsers on the real Janus: a journalist
given the right to publish is seen and heard by the others, and stops being seen the moment it is
taken back, on Janus itself, even when their page does not cooperate. Run inside the test network
namespace (scripts/in-netns.sh), where media can flow."""

import math
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright

from tests.audio import write_wav
from tests.browser.conftest import speaking_chromium
from tests.browser.test_rooms import (
    FORGED_PUBLISH,
    LIVE_TIMEOUT_MS,
    Tabs,
    assert_receiving,
    feed_stats,
    janus_participants,
    join,
    wait_state,
)
from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer, in_other_thread
from virtualtrip.rooms import actions
from virtualtrip.rooms.enums import AdmissionState
from virtualtrip.rooms.models import Admission
from virtualtrip.rooms.seats import display_name
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.janus]
SHOTS = Path(os.environ.get("VIRTUALTRIP_SCREENSHOTS", "/tmp/shots"))  # noqa: S108 (pictures to look at)


def speech_like(path: Path, seconds: int = 6, rate: int = 48_000) -> Path:
    """A voice-like sound for Chromium's fake microphone: a 140 Hz buzz with harmonics whose
    loudness rises and falls four times a second and never goes quiet (Janus judges talking by
    the average audio level of its packets; the default fake microphone beeps 20 ms in 500)."""
    frames = bytearray()
    for n in range(seconds * rate):
        t = n / rate
        envelope = 0.55 + 0.45 * math.sin(2 * math.pi * 4 * t)
        pitch = 140 * (1 + 0.1 * math.sin(2 * math.pi * 0.7 * t))
        tone = sum(math.sin(2 * math.pi * pitch * k * t) / k for k in (1, 2, 3, 5))
        frames += struct.pack("<h", int(9000 * envelope * tone))
    return write_wav(path, bytes(frames), rate)


@pytest.fixture(scope="module")
def speaking_browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose fake microphone speaks (see `speech_like`) and whose camera is the test pattern."""
    chromium = speaking_chromium(playwright, speech_like(tmp_path_factory.mktemp("voice") / "voice.wav"))
    yield chromium
    chromium.close()


@pytest.fixture
def tabs(speaking_browser: Browser) -> Iterator[Tabs]:
    opened = Tabs(speaking_browser)
    yield opened
    opened.close()


def admitted(participant: Participant) -> Participant:
    Admission.objects.create(
        engagement=participant.engagement, person=participant.person, state=AdmissionState.ADMITTED
    )
    return participant


def briefing() -> tuple[Participant, Participant, Participant]:
    """A briefer, a journalist who will be given the floor, and a journalist who watches."""
    engagement = live_engagement(title="Daily press briefing")
    briefer = seat(engagement, Role.BRIEFER, name="Ned Price", title="Spokesperson", country="US")
    journalist = admitted(seat(engagement, Role.PRESS, name="Matsuda Yuki", outlet="NHK", country="JP"))
    watcher = admitted(seat(engagement, Role.PRESS, name="Aïcha Diallo", outlet="RFI", country="FR"))
    return briefer, journalist, watcher


def frames_from(page: Page, display: str) -> int:
    entry = feed_stats(page).get(display)
    return int(entry["videoFrames"]) if entry else 0


def assert_frames_stop(page: Page, display: str, within_s: float = 10) -> None:
    """The feed's decoded frames stop rising (or the feed is gone from the page)."""
    deadline = time.monotonic() + within_s
    while True:
        before = frames_from(page, display)
        time.sleep(2)
        after = frames_from(page, display)
        if after == before:
            return
        assert time.monotonic() < deadline, f"{display}'s frames still rising: {before} → {after}"


def wait_published(page: Page, published: bool = True) -> None:
    page.wait_for_function(
        f"() => window.vtRoom.published === {str(published).lower()}", timeout=LIVE_TIMEOUT_MS
    )


def wait_publishing_in_janus(engagement, display: str, publishing: bool, within_s: float = 15) -> None:
    deadline = time.monotonic() + within_s
    while janus_participants(engagement).get(display) is not publishing:
        assert time.monotonic() < deadline, janus_participants(engagement)
        time.sleep(0.25)


def record_room_events(page: Page) -> None:
    page.evaluate(
        """() => {
          window.seen = {control: [], publishing: []};
          document.addEventListener("room:control", (e) => window.seen.control.push(e.detail.type));
          document.addEventListener("room:publishing", (e) => window.seen.publishing.push(e.detail));
        }"""
    )


def test_the_floor_given_is_seen_and_heard_and_taken_back_on_janus(server: AsgiServer, tabs: Tabs) -> None:
    briefer, journalist, watcher = briefing()
    engagement = journalist.engagement
    speaker = display_name(journalist)
    press_page = join(tabs, server, journalist)
    watcher_page = join(tabs, server, watcher)
    join(tabs, server, briefer)
    for page in (press_page, watcher_page):
        wait_state(page, "live")
    assert press_page.locator("#mic").is_hidden()
    record_room_events(press_page)
    assert janus_participants(engagement)[speaker] is False

    in_other_thread(
        lambda: actions.do_grant_publishing(engagement.pk, journalist.person_id, acting_user=None)
    )
    wait_published(press_page)
    assert press_page.locator("#publishing").inner_text() == "You may speak now: your microphone is on."
    assert press_page.locator("#mic").is_visible()
    assert press_page.locator("#camera").is_visible()
    assert press_page.evaluate("window.seen.publishing") == [{"audio": True, "video": True}]
    assert "publishing.changed" in press_page.evaluate("window.seen.control")
    assert_receiving(watcher_page, {speaker})
    wait_publishing_in_janus(engagement, speaker, True)

    # Whoever is talking is highlighted on every page; a microphone turned off shows on the tile.
    speaker_tile = watcher_page.locator(".tile:not(.mine)", has_text=speaker)
    watcher_page.locator(".tile.talking", has_text=speaker).wait_for(timeout=LIVE_TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    press_page.screenshot(path=str(SHOTS / "granted-press-page.png"), full_page=True)
    watcher_page.screenshot(path=str(SHOTS / "granted-watcher-page.png"), full_page=True)
    assert speaker_tile.locator(".mic-off").is_hidden()
    press_page.click("#mic")
    speaker_tile.locator(".mic-off").wait_for(timeout=LIVE_TIMEOUT_MS)
    assert speaker_tile.locator(".mic-off").inner_text() == "Microphone off"
    watcher_page.screenshot(path=str(SHOTS / "granted-microphone-off.png"), full_page=True)
    press_page.click("#mic")
    speaker_tile.locator(".mic-off").wait_for(state="hidden", timeout=LIVE_TIMEOUT_MS)

    in_other_thread(
        lambda: actions.do_withdraw_publishing(engagement.pk, journalist.person_id, acting_user=None)
    )
    wait_publishing_in_janus(engagement, speaker, False)
    assert_frames_stop(watcher_page, speaker)
    wait_published(press_page, False)
    assert press_page.locator("#publishing").inner_text() == (
        "Your microphone and camera are off: you are watching the meeting."
    )
    assert press_page.evaluate("window.vtRoom.state") == "live"  # still watching, nothing to rejoin
    assert press_page.locator("#mic").is_hidden()
    assert press_page.locator(".tile.mine").count() == 0
    assert_receiving(press_page, {display_name(briefer)})
    assert press_page.evaluate("window.seen.publishing")[-1] == {"audio": False, "video": False}


KEEP_SENDING = """() => {
  // A modified page: it hears nothing of the withdrawal, and keeps its connection when Janus hangs up.
  window.vtRoom.control.onmessage = () => {};
  const handle = window.vtRoom.publisher;
  handle.hangup = () => {};
  handle.webrtcState = () => {};
}"""


def test_a_page_that_keeps_sending_after_the_floor_is_taken_back_gets_nothing_through(
    server: AsgiServer, tabs: Tabs
) -> None:
    _briefer, journalist, watcher = briefing()
    engagement = journalist.engagement
    speaker = display_name(journalist)
    in_other_thread(
        lambda: actions.do_grant_publishing(engagement.pk, journalist.person_id, acting_user=None)
    )
    press_page = join(tabs, server, journalist)
    watcher_page = join(tabs, server, watcher)
    wait_published(press_page)  # granted before the page opened: it publishes on joining
    assert_receiving(watcher_page, {speaker})

    press_page.evaluate(KEEP_SENDING)
    in_other_thread(
        lambda: actions.do_withdraw_publishing(engagement.pk, journalist.person_id, acting_user=None)
    )
    wait_publishing_in_janus(engagement, speaker, False)
    assert_frames_stop(watcher_page, speaker)
    assert press_page.evaluate("window.vtRoom.published") is True  # the page believes it still publishes
    assert press_page.evaluate(FORGED_PUBLISH) == (
        "403 the press role watches and listens: publishing is not allowed"
    )
    time.sleep(3)
    assert janus_participants(engagement)[speaker] is False
    assert speaker not in watcher_page.locator(".tile figcaption .label").all_inner_texts()


@pytest.fixture
def server(app_server: AsgiServer) -> AsgiServer:
    return app_server
