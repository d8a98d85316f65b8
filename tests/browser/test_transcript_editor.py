"""The transcript editor in Chromium, on a rehearsed briefing's audio: a click on a paragraph plays it
from its start and highlights it, the highlight follows the recording, an edit and an undone
correction are saved without leaving the page, and the transcript goes through clearance to the
trip page in the house style."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.test_security import RECORD_VIOLATIONS
from tests.factories.publishing import desk_user
from tests.speech.conftest import import_script_trip
from tests.speech.editing import Fix, Made, Turn, editor_user, recorded, stored
from tests.speech.scripts import SHORT
from virtualtrip.publishing import actions as publishing
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.models import Document
from virtualtrip.speech.models import Transcript, TranscriptionJob
from virtualtrip.speech.rehearsal import Rehearsal, rehearse, voices_for
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("VIRTUALTRIP_SCREENSHOTS", "/tmp/shots"))  # noqa: S108 (pictures to look at)
LINES = [
    "Good|afternoon.|Envoy|Brandt|will|take|a|few|questions,|on|the|record.",
    "Thank|you,|Marcus Adeyemi.|We|spent|the|morning|in|Ciudad Juárez|with|the|port|staff.",
    "Go|ahead,|Lucía González|of|El Diario del Norte.",
    "Thank|you.|When|will|the|new|crossing|open?",
    "We|expect|it|to|open|next|spring.",
]
"""The recogniser's words of each line, `|` between them (a corrected run is one word)."""
FIXES = [
    Fix(1, 2, "Marcus", "Marcus Adeyemi", person="marcus-adeyemi"),
    Fix(1, 8, "Sudad Juarez", "Ciudad Juárez", kind="place"),
]
"""The first is wrong: the briefer said only the moderator's first name. The editor undoes it."""


def made_for(rehearsal: Rehearsal) -> Made:
    """The briefing's paragraphs on the times its rehearsal measured, one per line."""
    turns = [
        Turn(span.speaker, words.split("|"), span.start, span.end)
        for span, words in zip(rehearsal.spans, LINES, strict=True)
    ]
    return Made(turns, FIXES)


@pytest.fixture
def briefing(transactional_db: None, settings, tmp_path: Path) -> tuple[Engagement, Transcript, Rehearsal]:  # type: ignore[no-untyped-def]
    """The short availability's trip, its rehearsed audio as the room's recording, its draft."""
    settings.RECORDINGS_DIR = tmp_path / "recordings"
    engagement = import_script_trip(SHORT)
    speakers = list(dict.fromkeys(line.speaker for line in SHORT.lines))
    rehearsal = rehearse(SHORT.lines, voices_for(speakers), tmp_path / "rehearsal")
    recorded(engagement, rehearsal.mix)
    # The stored recording queued its transcription; the draft is made by hand here instead (an open
    # job would replace it, so the editor refuses changes while one waits).
    TranscriptionJob.objects.filter(engagement=engagement).delete()
    return engagement, stored(engagement, made_for(rehearsal)), rehearsal


def log_in(context: BrowserContext, live_server: LiveServer, user: User) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def current_time(page: Page) -> float:
    return float(page.evaluate("document.getElementById('transcript-audio').currentTime"))


def test_an_editor_hears_fixes_and_sends_a_transcript_that_reaches_the_trip_page(
    page: Page, live_server: LiveServer, briefing: tuple[Engagement, Transcript, Rehearsal]
) -> None:
    engagement, transcript, rehearsal = briefing
    log_in(page.context, live_server, editor_user())
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/speech/{engagement.pk}/editor/")
    page.wait_for_function("document.getElementById('transcript-audio').readyState >= 1")
    assert page.evaluate("window.cspViolations") == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "transcript-editor.png"), full_page=True)

    second = rehearsal.spans[1].start
    page.locator("#p-1 .text").click()
    expect(page.locator("#p-1")).to_have_class(re.compile(r"\bcurrent\b"))
    page.wait_for_function(f"document.getElementById('transcript-audio').currentTime >= {second - 0.01}")
    assert second - 0.01 <= current_time(page) < second + 2.0
    # as the recording plays on, the highlight moves to the paragraph being heard
    expect(page.locator("#p-2")).to_have_class(re.compile(r"\bcurrent\b"), timeout=15_000)
    expect(page.locator(".paragraph.current")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "transcript-editor-playing.png"))
    page.locator("#transcript-audio").evaluate("audio => audio.pause()")

    question = page.locator("#p-3")
    question.get_by_text("Edit").click()
    question.get_by_label("Text").fill("Thank you. When will the new <crossing> open?")
    question.get_by_label("Speaker").select_option("person:lucia-gonzalez")
    page.screenshot(path=str(SHOTS / "transcript-editor-editing.png"))
    question.get_by_role("button", name="Save").click()
    expect(question.locator(".form-status")).to_have_text("Paragraph 4 is saved.")
    expect(question.locator(".text")).to_have_text("Thank you. When will the new <crossing> open?")

    page.locator("#c-0").get_by_role("button", name="Undo").click()
    expect(page.locator("#c-0")).to_have_class(re.compile(r"\bundone\b"))
    expect(page.locator("#p-1 .text")).to_have_text(
        "Thank you, Marcus. We spent the morning in Ciudad Juárez with the port staff."
    )
    assert Transcript.objects.get(pk=transcript.pk).version == 3

    page.get_by_role("button", name="Send to clearance").click()
    expect(page.get_by_text("The transcript is in clearance as a new document.")).to_be_visible()
    expect(page.locator("#clearance")).to_contain_text("The transcript document is In clearance.")
    page.screenshot(path=str(SHOTS / "transcript-editor-sent.png"), full_page=True)
    assert page.evaluate("window.cspViolations") == []

    document = Document.objects.get(kind="transcript")
    publishing.do_advance_document(document, Clearance.CLEARED, acting_user=desk_user("clearer"))
    publishing.do_advance_document(document, Clearance.PUBLISHED, acting_user=desk_user("publisher"))

    visitor = page.context.browser.new_page()  # type: ignore[union-attr]
    visitor.goto(f"{live_server.url}/trips/{engagement.trip.slug}/")
    visitor.get_by_role("link", name="Transcript: " + SHORT.title).click()
    body = visitor.locator("article.document .body p")
    expect(body).to_have_text(
        [
            "MODERATOR: Good afternoon. Envoy Brandt will take a few questions, on the record.",
            "ENVOY BRANDT: Thank you, Marcus. We spent the morning in Ciudad Juárez with the port staff.",
            "MODERATOR: Go ahead, Lucía González of El Diario del Norte.",
            "QUESTION: Thank you. When will the new <crossing> open?",
            "ENVOY BRANDT: We expect it to open next spring.",
        ]
    )
    expect(visitor.locator("article.document .body strong").first).to_have_text("MODERATOR:")
    visitor.screenshot(path=str(SHOTS / "transcript-published.png"), full_page=True)
    visitor.close()
