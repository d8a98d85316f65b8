"""Live captions end to end: a speaker's browser publishes a voice read by espeak-ng (Chromium's
fake microphone plays the file), Janus forwards it over RTP to the caption worker, and a listener who
turned captions on reads them under the video, with the speaker's label. Real Chromium, the real
app, the real Janus and the real recogniser (tiny.en); inside the test network namespace."""

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import webvtt
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, Page, Playwright

from tests.browser.conftest import speaking_chromium
from tests.browser.test_rooms import Tabs, join, keep_screenshot, wait_state
from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer, in_other_thread
from virtualtrip.speech.captions.worker import CaptionWorker, caption_ports
from virtualtrip.speech.models import Caption
from virtualtrip.speech.rehearsal import Line, rehearse
from virtualtrip.trips.enums import GroundRules, Role
from virtualtrip.trips.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.janus]
# The recogniser runs behind real time when the whole suite loads two cores: the bound is generous,
# and a caption is matched on any of the line's words, as tiny.en may mishear one of them.
CAPTION_TIMEOUT_MS = 90_000
HEARD = re.compile(r"rail|spring|monterrey|morning", re.IGNORECASE)
SPOKEN = "Good morning. The new rail line from Monterrey opens in the spring. Thank you."


@pytest.fixture(scope="module")
def voice_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A line read aloud, then silence: Chromium plays it as the microphone, over and over."""
    folder = tmp_path_factory.mktemp("caption-voice")
    # The speaker's own track is silent while the other line is read: a pause that ends the cue.
    lines = [Line("speaker", SPOKEN), Line("other", "Meanwhile somebody else says a few words here.")]
    return rehearse(lines, {"speaker": "en-us", "other": "en"}, folder).tracks["speaker"]


@pytest.fixture(scope="module")
def speaking_browser(playwright: Playwright, voice_file: Path) -> Iterator[Browser]:
    chromium = speaking_chromium(playwright, voice_file)
    yield chromium
    chromium.close()


@pytest.fixture
def speakers(speaking_browser: Browser) -> Iterator[Tabs]:
    opened = Tabs(speaking_browser)
    yield opened
    opened.close()


@pytest.fixture
def listeners(media_browser: Browser) -> Iterator[Tabs]:
    opened = Tabs(media_browser)
    yield opened
    opened.close()


class RunningWorker:
    """The caption worker on an event loop of its own thread, as `virtualtrip caption-worker` runs it."""

    def __init__(self, worker: CaptionWorker) -> None:
        self.worker = worker
        self.loop = asyncio.new_event_loop()
        self.task: asyncio.Task[None] | None = None
        self.crash: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(self._work())
        try:
            self.loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # the test fails with it, not with a timeout that says nothing
            self.crash = error
        finally:
            connections.close_all()

    async def _work(self) -> None:
        try:
            await self.worker.run(every=0.5)
        finally:  # the connections of the threads its database work ran in
            await sync_to_async(connections.close_all)()

    def stop(self) -> None:
        if self.task is not None:
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(timeout=30)
        if self.crash is not None:
            raise AssertionError(f"the caption worker crashed: {self.crash!r}") from self.crash


@pytest.fixture
def caption_worker(app_server: AsgiServer) -> Iterator[CaptionWorker]:
    from tests.janus import free_port

    first = free_port() % 1000 + 40000
    running = RunningWorker(CaptionWorker("127.0.0.1", caption_ports((first, first + 19))))
    running.thread.start()
    yield running.worker
    running.stop()


def listen(listeners: Tabs, server: AsgiServer, participant: Participant) -> Page:
    page = join(listeners, server, participant)
    wait_state(page, "live")
    page.click("#captions-toggle")
    return page


def test_a_listener_reads_the_speakers_words_live_and_they_are_kept_as_webvtt(
    app_server: AsgiServer, caption_worker: CaptionWorker, speakers: Tabs, listeners: Tabs
) -> None:
    engagement = live_engagement()
    speaker = seat(engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State", country="US")
    listener = seat(engagement, Role.COUNTERPART, name="Lucía Ferrer", title="Foreign Minister", country="MX")
    wait_state(join(speakers, app_server, speaker), "live")
    page = listen(listeners, app_server, listener)

    line = page.locator("#caption-lines p[data-final='true']", has_text=HEARD)
    line.first.wait_for(timeout=CAPTION_TIMEOUT_MS)
    assert line.first.locator(".speaker").inner_text() == "AVERY STONE:"
    keep_screenshot(page, "captions")
    assert page.locator("#captions-toggle").get_attribute("aria-pressed") == "true"
    page.reload()  # the choice is kept for the engagement
    assert page.locator("#captions-toggle").get_attribute("aria-pressed") == "true"

    kept = in_other_thread(lambda: list(Caption.objects.filter(engagement=engagement)))
    assert any(HEARD.search(c.text) for c in kept), [c.text for c in kept]
    assert {c.speaker for c in kept} == {"AVERY STONE"}
    client = Client()
    desk = in_other_thread(lambda: User.objects.create_user("desk-caption", is_staff=True))
    client.force_login(desk)
    response = in_other_thread(lambda: client.get(f"/speech/{engagement.pk}/captions.vtt"))
    assert response.status_code == 200
    cues = webvtt.from_string(response.content.decode()).captions
    assert cues
    assert all(cue.voice == "AVERY STONE" for cue in cues)
    assert any(HEARD.search(cue.text) for cue in cues)


def test_on_background_the_caption_names_the_briefer_by_the_attribution(
    app_server: AsgiServer, caption_worker: CaptionWorker, speakers: Tabs, listeners: Tabs
) -> None:
    engagement = live_engagement(
        ground_rules=GroundRules.BACKGROUND, attribution="Senior State Department Official"
    )
    briefer = seat(engagement, Role.BRIEFER, name="Morgan Vale", title="Assistant Secretary", country="US")
    moderator = seat(engagement, Role.MODERATOR, name="Dana Holt", title="Spokesperson", country="US")
    wait_state(join(speakers, app_server, briefer), "live")
    page = listen(listeners, app_server, moderator)

    line = page.locator("#caption-lines p[data-final='true']", has_text=HEARD)
    line.first.wait_for(timeout=CAPTION_TIMEOUT_MS)
    shown = page.locator("#caption-lines").inner_text()
    assert "SENIOR STATE DEPARTMENT OFFICIAL:" in shown
    assert "vale" not in shown.lower()
    kept = in_other_thread(lambda: list(Caption.objects.filter(engagement=engagement)))
    assert kept
    assert {c.speaker for c in kept} == {"SENIOR STATE DEPARTMENT OFFICIAL"}


def test_two_speakers_in_one_room_are_both_captioned(
    app_server: AsgiServer, caption_worker: CaptionWorker, speakers: Tabs, listeners: Tabs
) -> None:
    """Each voice has a port of its own and the next one for ffmpeg's RTCP: the second speaker's
    voice was on the first one's RTCP port, and never heard."""
    engagement = live_engagement()
    first = seat(engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State", country="US")
    second = seat(engagement, Role.COUNTERPART, name="Lucía Ferrer", title="Foreign Minister", country="MX")
    listener = seat(engagement, Role.DELEGATION, name="Jo Park", title="Desk Officer", country="US")
    for speaker in (first, second):
        wait_state(join(speakers, app_server, speaker), "live")
    page = listen(listeners, app_server, listener)

    for label in ("AVERY STONE:", "LUCÍA FERRER:"):
        said = page.locator("#caption-lines p[data-final='true']", has_text=label).filter(has_text=HEARD)
        said.first.wait_for(timeout=CAPTION_TIMEOUT_MS)
    kept = in_other_thread(lambda: {c.speaker for c in Caption.objects.filter(engagement=engagement)})
    assert kept == {"AVERY STONE", "LUCÍA FERRER"}
