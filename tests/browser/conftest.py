"""Fixtures for the browser tests: one Chromium for the session, a fresh page per test.

The browser is Debian's Chromium (/usr/bin/chromium); these tests never download one.
"""

import io
import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from virtualtrip.trips.management.commands.load_demo import DEMO_SLUG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1100, "height": 1400}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django refuses
    # ORM calls (loading the demo, flushing the database after a test) from a thread with a running
    # loop. Nothing here runs the ORM inside that loop, so the check is a false alarm while the
    # driver is up, and only then: tests that drive no browser keep Django's check.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="session")
def media_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake camera (a test pattern) and microphone (a beep)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    yield chromium
    chromium.close()


def speaking_chromium(playwright: Playwright, voice: "os.PathLike[str] | str") -> Browser:
    """Chromium with a fake camera and a fake microphone that plays `voice` (a WAV file), over and over."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    args = [*CHROMIUM_ARGS, *MEDIA_ARGS, f"--use-file-for-fake-audio-capture={voice}"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def demo_trip(transactional_db: None) -> str:
    """The demo trip, loaded into the database the live server reads; its slug."""
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return DEMO_SLUG
