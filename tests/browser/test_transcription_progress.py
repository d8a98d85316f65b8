"""A transcription followed live in Chromium: the staff page's panel shows the job's progress as the
worker writes it, without a reload, under the site's CSP; once the job is done the draft's links show."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.speech.conftest import import_script_trip
from tests.speech.recorded import store_recording
from tests.speech.scripts import SHORT
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import TranscriptionJob
from virtualtrip.speech.rehearsal import rehearse, voices_for

pytestmark = pytest.mark.browser
BODY = {
    "format": "virtualtrip-transcript/1",
    "paragraphs": [
        {"start": 0.0, "end": 2.5, "speaker": "MODERATOR", "person": None, "text": "Good afternoon."}
    ],
}
SCREENSHOTS = Path("var/screenshots")


def log_in_as_staff(context: BrowserContext, live_server: LiveServer) -> None:
    client = Client()
    client.force_login(User.objects.create_user("Ōkubo", password="a-long-test-password", is_staff=True))
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_panel_follows_the_job_live_and_shows_the_draft_when_done(
    transactional_db: None, live_server: LiveServer, page: Page, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.RECORDINGS_DIR = tmp_path / "recordings"
    engagement = import_script_trip(SHORT)
    audio = rehearse(SHORT.lines, voices_for([line.speaker for line in SHORT.lines]), tmp_path / "audio")
    store_recording(engagement, audio, end=False)  # committed: its job is queued, no worker takes it
    [job] = TranscriptionJob.objects.filter(engagement=engagement)
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    log_in_as_staff(page.context, live_server)

    page.goto(f"{live_server.url}/floor/{engagement.pk}/")  # the engagement's staff page carries the panel
    panel = page.locator("#transcript")
    assert panel.locator('[data-field="state_label"]').text_content() == "Waiting for a worker"

    started = timezone.now() - timedelta(seconds=30)
    TranscriptionJob.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        started_at=started,
        heartbeat_at=timezone.now(),
        done_seconds=60,
        total_seconds=240,
    )
    expect(panel.locator('[data-field="state_label"]')).to_have_text("Transcribing", timeout=10_000)
    assert panel.locator('[data-field="percent_text"]').text_content() == "25% of the audio"
    assert panel.locator("progress").evaluate("bar => bar.value") == 25
    assert panel.locator('[data-field="time_left_text"]').text_content() == "about 2 minutes left"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SCREENSHOTS / "transcription-running.png"))

    do_store_transcript(engagement, BODY)
    TranscriptionJob.objects.filter(pk=job.pk).update(
        state=JobState.DONE, done_seconds=240, finished_at=timezone.now()
    )
    page.wait_for_selector("#transcript .speech-draft a", timeout=10_000)  # reloaded once done
    assert panel.locator('[data-field="state_label"]').text_content() == "Done"
    assert panel.locator(".speech-draft a[download]").all_text_contents() == ["Text", "WebVTT", "JSON"]
    page.screenshot(path=str(SCREENSHOTS / "transcription-done.png"), full_page=True)
    assert complaints == []
