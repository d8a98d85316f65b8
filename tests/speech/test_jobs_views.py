"""The transcription's staff page and panel, asking for a transcription, its progress as JSON and the
draft's exports: for active staff only."""

import json
import re
from datetime import timedelta

import pytest
import webvtt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.html import texts
from tests.speech.recorded import store_recording
from tests.speech.scripts import SHORT
from virtualtrip.speech import panel
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import TranscriptionJob
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db
BODY = {
    "format": "virtualtrip-transcript/1",
    "paragraphs": [
        {
            "start": 0.0,
            "end": 2.5,
            "speaker": "MODERATOR",
            "person": "marcus-adeyemi",
            "text": "Good afternoon.",
        },
        {
            "start": 3.0,
            "end": 6.0,
            "speaker": "ENVOY BRANDT",
            "person": "helena-brandt",
            "text": "Thank you <all>.",
        },
    ],
}


@pytest.fixture(autouse=True)
def recordings(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.RECORDINGS_DIR = tmp_path / "recordings"


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("Ōkubo", password="a-long-test-password", is_staff=True))
    return client


@pytest.fixture
def reporter() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("reporter", password="a-long-test-password"))
    return client


@pytest.fixture
def recorded(engagement: Engagement, rehearsed, django_capture_on_commit_callbacks) -> Engagement:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        store_recording(engagement, rehearsed(SHORT))
    return engagement


def urls(engagement: Engagement) -> dict[str, str]:
    pk = engagement.pk
    return {
        "staff": reverse("speech:staff", args=[pk]),
        "progress": reverse("speech:progress", args=[pk]),
        "transcribe": reverse("speech:transcribe", args=[pk]),
        "txt": reverse("speech:export", args=[pk, "txt"]),
        "vtt": reverse("speech:export", args=[pk, "vtt"]),
        "json": reverse("speech:export", args=[pk, "json"]),
    }


def the_job(engagement: Engagement) -> TranscriptionJob:
    [job] = TranscriptionJob.objects.filter(engagement=engagement)
    return job


def panel_text(page: str) -> str:
    [text] = texts(page, css_class="speech-panel")
    return text


def panel_html(page: str) -> str:
    return page[page.index('<section id="transcript"') : page.index("</section>")]


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_the_pages_are_for_staff_only(who: str, recorded: Engagement, reporter: Client) -> None:
    do_store_transcript(recorded, BODY)
    client = reporter if who == "not staff" else Client()
    found = urls(recorded)
    for name in ("staff", "txt", "vtt", "json"):
        response = client.get(found[name])
        assert response.status_code == 302, name
        assert "login" in response["Location"]
    progress = client.get(found["progress"])
    assert (progress.status_code, progress.json()) == (403, {"error": "Only staff can see this."})
    asked = client.post(found["transcribe"])
    assert asked.status_code == 403
    assert TranscriptionJob.objects.count() == 1  # the one the recording queued


def test_an_unknown_engagement_is_not_found(staff: Client) -> None:
    missing = Engagement(pk=987654)
    for name, url in urls(missing).items():
        response = staff.post(url) if name == "transcribe" else staff.get(url)
        assert response.status_code == 404, name
    assert staff.get(reverse("speech:export", args=[missing.pk, "pdf"])).status_code == 404


def test_the_page_before_any_recording_says_so_and_offers_nothing_to_transcribe(
    engagement: Engagement, staff: Client
) -> None:
    page = staff.get(urls(engagement)["staff"]).content.decode()
    assert panel_text(page) == (
        "Transcript There is no recording to transcribe yet: one is transcribed as soon as its audio is made."
    )
    assert "<form" not in page[page.index('id="transcript"') :]
    assert staff.get(urls(engagement)["progress"]).json() == {"job": None}


def test_a_queued_job_shows_on_the_panel_which_polls_its_progress(
    recorded: Engagement, staff: Client
) -> None:
    page = staff.get(urls(recorded)["staff"]).content.decode()
    section = panel_html(page)
    progress = urls(recorded)["progress"]
    opening = f'<section id="transcript" class="speech-panel" data-speech-progress="{progress}"'
    assert f'{opening} data-state="queued">' in section
    assert (
        panel_text(page)
        == "Transcript Waiting for a worker · attempt 1 of 2 0% 0% of the audio · Transcribe the recording"
    )
    assert re.findall(r"<button[^>]*>", section) == ['<button type="submit" disabled>']
    assert re.findall(r"<script[^>]*>", section) == ['<script src="/static/speech/progress.js" defer>']
    assert re.findall(r"<script>", page) == []  # no inline script: the page's CSP allows none


def test_the_progress_of_a_running_job_with_its_time_left(recorded: Engagement, staff: Client) -> None:
    started = timezone.now() - timedelta(seconds=30)
    TranscriptionJob.objects.filter(engagement=recorded).update(
        state=JobState.RUNNING, started_at=started, heartbeat_at=started, done_seconds=60, total_seconds=240
    )
    answer = staff.get(urls(recorded)["progress"])
    assert answer["Cache-Control"].startswith("max-age=0")
    job = answer.json()["job"]
    assert job.pop("created_at")
    assert job.pop("seconds_left") == pytest.approx(90, abs=2)
    assert job == {
        "state": "running",
        "state_label": "Transcribing",
        "attempt": 1,
        "max_attempts": 2,
        "attempt_text": "attempt 1 of 2",
        "done_seconds": 60.0,
        "total_seconds": 240.0,
        "percent": 25,
        "percent_text": "25% of the audio",
        "time_left_text": "about 2 minutes left",
        "error": "",
        "error_text": "",
        "finished_at": None,
    }
    page = staff.get(urls(recorded)["staff"]).content.decode()
    assert panel_text(page).startswith(
        "Transcript Transcribing · attempt 1 of 2 25% 25% of the audio · about 2 minutes left"
    )


def test_the_progress_json_answers_under_a_language_prefix_too(recorded: Engagement, staff: Client) -> None:
    TranscriptionJob.objects.filter(engagement=recorded).update(
        state=JobState.FAILED, error="x.wav is not audio"
    )
    job = staff.get("/es" + urls(recorded)["progress"]).json()["job"]
    assert (job["state"], job["error_text"]) == ("failed", "x.wav is not audio")


def test_a_failed_job_shows_its_error_and_staff_can_ask_again(recorded: Engagement, staff: Client) -> None:
    TranscriptionJob.objects.filter(engagement=recorded).update(
        state=JobState.FAILED, attempt=2, error="/r/room.wav is not audio: it holds no audio stream"
    )
    page = staff.get(urls(recorded)["staff"]).content.decode()
    assert texts(page, css_class="speech-error") == ["/r/room.wav is not audio: it holds no audio stream"]
    assert re.findall(r"<button[^>]*>", panel_html(page)) == ['<button type="submit">']

    response = staff.post(urls(recorded)["transcribe"], {"next": urls(recorded)["staff"]}, follow=True)
    assert response.redirect_chain == [(urls(recorded)["staff"], 302)]
    assert "The transcription is queued: its progress shows here." in response.content.decode()
    newest = TranscriptionJob.objects.filter(engagement=recorded).first()
    assert newest is not None
    assert (newest.state, newest.attempt, newest.requested_by) == (JobState.QUEUED, 1, "Ōkubo")
    assert "asked for by Ōkubo" in panel_text(response.content.decode())


def test_asking_while_a_job_is_running_says_so_and_queues_nothing(
    recorded: Engagement, staff: Client
) -> None:
    TranscriptionJob.objects.filter(engagement=recorded).update(state=JobState.RUNNING)
    response = staff.post(urls(recorded)["transcribe"], follow=True)
    assert response.redirect_chain == [(urls(recorded)["staff"], 302)]
    assert "A transcription of this engagement is already waiting or running." in response.content.decode()
    assert TranscriptionJob.objects.count() == 1


def test_a_forged_post_without_the_csrf_token_is_refused(recorded: Engagement) -> None:
    TranscriptionJob.objects.filter(engagement=recorded).update(state=JobState.DONE)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(User.objects.create_user("aide", password="a-long-test-password", is_staff=True))
    assert forged.post(urls(recorded)["transcribe"]).status_code == 403
    assert TranscriptionJob.objects.count() == 1


def test_asking_takes_a_post_only_and_goes_back_only_to_this_site(
    recorded: Engagement, staff: Client
) -> None:
    assert staff.get(urls(recorded)["transcribe"]).status_code == 405
    TranscriptionJob.objects.filter(engagement=recorded).update(state=JobState.DONE)
    response = staff.post(urls(recorded)["transcribe"], {"next": "https://elsewhere.example/"})
    assert response["Location"] == urls(recorded)["staff"]


def test_a_draft_shows_its_exports_which_serve_it_in_each_form(recorded: Engagement, staff: Client) -> None:
    TranscriptionJob.objects.filter(engagement=recorded).update(
        state=JobState.DONE, total_seconds=6, done_seconds=6
    )
    do_store_transcript(recorded, BODY)
    page = staff.get(urls(recorded)["staff"]).content.decode()
    links = re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', panel_html(page))
    assert links == [
        (urls(recorded)["txt"], "Text"),
        (urls(recorded)["vtt"], "WebVTT"),
        (urls(recorded)["json"], "JSON"),
    ]
    assert "Transcribe the recording again" in panel_text(page)

    text = staff.get(urls(recorded)["txt"])
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"] == f'attachment; filename="{SHORT.slug}-{SHORT.slug}-transcript.txt"'
    assert text.content.decode() == "MODERATOR: Good afternoon.\n\nENVOY BRANDT: Thank you <all>.\n"
    vtt = staff.get(urls(recorded)["vtt"])
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    captions = webvtt.from_string(vtt.content.decode())
    assert [caption.voice for caption in captions.captions] == ["MODERATOR", "ENVOY BRANDT"]
    stored = staff.get(urls(recorded)["json"])
    assert stored["Content-Type"] == "application/json"
    assert json.loads(stored.content) == BODY


def test_exports_before_any_draft_are_not_found(recorded: Engagement, staff: Client) -> None:
    for name in ("txt", "vtt", "json"):
        assert staff.get(urls(recorded)[name]).status_code == 404


def test_the_editor_link_shows_once_the_editor_is_served(recorded: Engagement, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    do_store_transcript(recorded, BODY)
    served = {"speech:editor": f"/speech/{recorded.pk}/editor/"}

    def reverse_if_served(name: str, args: list[object] | None = None, **_: object) -> str:
        return served[name] if name in served else reverse(name, args=args)

    monkeypatch.setattr(panel, "reverse", reverse_if_served)
    assert panel.panel_of(recorded).editor_url == f"/speech/{recorded.pk}/editor/"
    served.clear()
    monkeypatch.setattr(panel, "reverse", reverse)
    assert panel.url_or_blank("speech:no-such-page", recorded.pk) == ""


def test_the_engagements_floor_staff_page_carries_the_transcript_panel(
    recorded: Engagement, staff: Client
) -> None:
    page = staff.get(reverse("floor:staff", args=[recorded.pk])).content.decode()
    assert panel_text(page).startswith("Transcript Waiting for a worker · attempt 1 of 2")
    assert '<script src="/static/speech/progress.js" defer>' in page


def test_without_staff_panels_the_floor_staff_page_has_none(
    recorded: Engagement, staff: Client, settings
) -> None:
    settings.STAFF_PANELS = []
    page = staff.get(reverse("floor:staff", args=[recorded.pk])).content.decode()
    assert 'id="transcript"' not in page
