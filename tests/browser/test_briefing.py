"""A whole press briefing in real browsers on the real Janus: a moderator, a briefer and three
journalists (one submitted a question ahead and is not there, one writes, one raises a hand). The
hand gets the floor and the briefer sees and hears that journalist; the floor is taken back and
Janus shows them no longer publishing; a follow-up, a question read aloud, a taken question, "One
more question", the end; and the floor log says all of it. Run inside the test network namespace."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_publishing_grants import (  # noqa: F401 (the speaking browser fixture)
    SHOTS,
    speaking_browser,
    wait_published,
    wait_publishing_in_janus,
)
from tests.browser.test_rooms import LIVE_TIMEOUT_MS, Tabs, assert_receiving, join, wait_state
from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer, in_other_thread
from virtualtrip.floor.actions import do_add_question
from virtualtrip.floor.enums import QuestionKind
from virtualtrip.floor.log import floor_log
from virtualtrip.rooms.seats import display_name
from virtualtrip.trips.enums import EngagementKind, Role

pytestmark = [pytest.mark.browser, pytest.mark.janus]


@pytest.fixture
def server(app_server: AsgiServer) -> AsgiServer:
    return app_server


@pytest.fixture
def tabs(speaking_browser: Browser) -> Iterator[Tabs]:  # noqa: F811
    opened = Tabs(speaking_browser)
    yield opened
    for context in opened.contexts:
        context.close()


def floor_ready(page: Page) -> None:
    page.wait_for_function("() => window.vtFloor && window.vtFloor.state !== null", timeout=LIVE_TIMEOUT_MS)


def queue_item(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator("#queue li", has_text=name)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"briefing-{name}.png"), full_page=True)


def test_a_whole_briefing(server: AsgiServer, tabs: Tabs) -> None:
    engagement = live_engagement(
        kind=EngagementKind.PRESS_BRIEFING, title="Briefing on the virtual trip", timezone="America/St_Johns"
    )
    moderator = seat(engagement, Role.MODERATOR, name="Jeanne Foschetti-Ñúñez", title="Moderator")
    briefer = seat(engagement, Role.BRIEFER, name="Jon Piechowski", title="Deputy Assistant Secretary")
    raiser = seat(engagement, Role.PRESS, name="Isabel González", outlet="Latinus", country="MX")
    writer = seat(engagement, Role.PRESS, name="Åsa Öberg", outlet="Sveriges Radio", country="SE")
    absent = seat(engagement, Role.PRESS, name="James McCarten", outlet="Canadian Press", country="CA")
    ahead = "Line 3 and Line 5: any assurances?"
    in_other_thread(lambda: do_add_question(engagement, absent.person_id, QuestionKind.AHEAD, ahead))

    console = join(tabs, server, moderator)
    briefer_page = join(tabs, server, briefer)
    wait_state(console, "live")
    pages = {raiser.pk: join(tabs, server, raiser), writer.pk: join(tabs, server, writer)}
    for journalist in (raiser, writer):
        waiting = console.locator("#waiting li", has_text=journalist.person.name)
        waiting.get_by_role("button", name="Admit").click(timeout=LIVE_TIMEOUT_MS)
        waiting.wait_for(state="detached", timeout=LIVE_TIMEOUT_MS)
    raiser_page, writer_page = pages[raiser.pk], pages[writer.pk]
    for page in (console, briefer_page, raiser_page, writer_page):
        wait_state(page, "live")
        floor_ready(page)
        assert page.locator("#ground-rules-text").inner_text() == "On the record."
    assert console.locator("#console").is_visible()
    assert raiser_page.locator("#console").is_hidden()
    assert briefer_page.locator("#asking").is_hidden()

    writer_page.fill("#ask-text", "<em>Visas</em>: when will the consulates reopen?")
    writer_page.click("#ask")
    raiser_page.click("#raise-hand")
    raiser_page.locator("#lower-hand").wait_for(timeout=LIVE_TIMEOUT_MS)
    queue_item(console, "Isabel González").wait_for(timeout=LIVE_TIMEOUT_MS)
    queue_item(console, "Åsa Öberg").wait_for(timeout=LIVE_TIMEOUT_MS)
    assert console.locator("#queue li").count() == 3
    assert queue_item(console, "Åsa Öberg").locator(".text").inner_text() == (
        "<em>Visas</em>: when will the consulates reopen?"  # shown as text
    )
    assert "Canadian Press, CA" in queue_item(console, "James McCarten").inner_text()
    assert raiser_page.locator("#my-place").inner_text() == "You are number 3 of 3 in the queue."
    shot(console, "console-queue")
    shot(writer_page, "journalist-asked")

    queue_item(console, "James McCarten").get_by_role("button", name="Read aloud").click()
    queue_item(console, "James McCarten").wait_for(state="detached", timeout=LIVE_TIMEOUT_MS)

    speaker = display_name(raiser)
    queue_item(console, "Isabel González").get_by_role("button", name="Give the floor").click()
    raiser_page.locator("#you-have-floor").wait_for(timeout=LIVE_TIMEOUT_MS)
    wait_published(raiser_page)
    assert_receiving(briefer_page, {speaker})
    wait_publishing_in_janus(engagement, speaker, True)
    for page in (console, briefer_page, writer_page):
        page.wait_for_function(
            "() => document.getElementById('floor-holder').textContent.startsWith('Isabel González')",
            timeout=LIVE_TIMEOUT_MS,
        )
    shot(raiser_page, "journalist-has-the-floor")
    shot(console, "console-floor-given")
    console.click("#follow-up")
    console.locator("#floor-follow-ups", has_text="1 follow-up").wait_for(timeout=LIVE_TIMEOUT_MS)

    console.click("#take-back")
    wait_publishing_in_janus(engagement, speaker, False)
    raiser_page.locator("#you-have-floor").wait_for(state="hidden", timeout=LIVE_TIMEOUT_MS)
    wait_published(raiser_page, False)

    queue_item(console, "Åsa Öberg").get_by_role("button", name="Give the floor").click()
    writer_page.locator("#you-have-floor").wait_for(timeout=LIVE_TIMEOUT_MS)
    console.click("#take-floor-question")
    console.click("#one-more")
    for page in (console, briefer_page, raiser_page, writer_page):
        closing = page.locator("#briefing-status", has_text="Time for one more question")
        closing.wait_for(timeout=LIVE_TIMEOUT_MS)
    assert raiser_page.locator("#raise-hand").is_disabled()
    shot(raiser_page, "journalist-one-more")
    console.on("dialog", lambda dialog: dialog.accept())
    console.click("#end-briefing")
    for page in (console, raiser_page):
        page.locator("#briefing-status", has_text="The briefing has ended").wait_for(timeout=LIVE_TIMEOUT_MS)
    wait_publishing_in_janus(engagement, display_name(writer), False)
    shot(console, "console-ended")

    log = in_other_thread(lambda: floor_log(engagement))
    turns = [(turn["name"], len(turn["follow_ups"]), turn["to"] is not None) for turn in log["turns"]]
    assert turns == [("Isabel González", 1, True), ("Åsa Öberg", 0, True)]
    outcomes = {question["name"]: (question["kind"], question["outcome"]) for question in log["questions"]}
    assert outcomes == {
        "James McCarten": ("ahead", "read_aloud"),
        "Isabel González": ("hand", "asked"),
        "Åsa Öberg": ("written", "taken"),
    }
    assert log["status"] == "ended"
    assert any(span["name"] == "Isabel González" for span in log["talking"]), log["talking"]
