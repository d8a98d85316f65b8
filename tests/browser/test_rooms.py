"""Live rooms end to end: real Chromium with fake camera and microphone, the real app under uvicorn,
the real Janus. Run inside the test network namespace (scripts/in-netns.sh), where media can flow."""

import time
from collections.abc import Iterator

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import VIEWPORT
from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.seats import display_name
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.janus]
LIVE_TIMEOUT_MS = 20_000


@pytest.fixture
def server(transactional_db: None, own_janus, monkeypatch) -> Iterator[AsgiServer]:
    # The server's threads close their connections after each request, so none outlives the test.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with AsgiServer() as running:
        yield running


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


@pytest.fixture
def tabs(media_browser: Browser) -> Iterator[Tabs]:
    opened = Tabs(media_browser)
    yield opened
    for context in opened.contexts:
        context.close()


def link(server: AsgiServer, participant: Participant) -> str:
    return server.url + do_issue_join_link(participant, acting_user=None)


def join(tabs: Tabs, server: AsgiServer, participant: Participant) -> Page:
    page = tabs.open(link(server, participant))
    page.click("#join")
    return page


def wait_state(page: Page, state: str) -> None:
    page.wait_for_function(f"window.vtRoom && window.vtRoom.state === '{state}'", timeout=LIVE_TIMEOUT_MS)


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


def labels(page: Page) -> list[str]:
    return sorted(page.locator(".tile:not(.mine) figcaption").all_inner_texts())


def test_principal_and_counterpart_see_and_hear_each_other(server, tabs) -> None:
    engagement = live_engagement()
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State", country="US")
    counterpart = seat(
        engagement, Role.COUNTERPART, name="Lucía Ferrer", title="Foreign Minister", country="MX"
    )
    principal_page = join(tabs, server, principal)
    counterpart_page = join(tabs, server, counterpart)
    wait_state(principal_page, "live")
    wait_state(counterpart_page, "live")
    assert_receiving(principal_page, {display_name(counterpart)})
    assert_receiving(counterpart_page, {display_name(principal)})
    assert labels(principal_page) == ["Lucía Ferrer — Foreign Minister, Mexico"]
    assert labels(counterpart_page) == ["Avery Stone — Secretary of State, United States"]
