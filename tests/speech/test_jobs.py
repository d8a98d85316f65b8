"""Transcription jobs in one process: queued when a recording is stored or staff ask, one at a time,
run into the draft, retried once, given back or taken up again when their worker is lost."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories.trips import EngagementFactory
from tests.speech.conftest import import_script_trip
from tests.speech.recorded import store_recording
from tests.speech.scripts import SHORT
from virtualtrip.speech import jobs, pipeline, tasks
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import Transcript, TranscriptionJob
from virtualtrip.speech.panel import progress_of
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.queries import transcript_of
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db
DRAFT = {"format": "virtualtrip-transcript/1", "paragraphs": [{"speaker": "MODERATOR", "text": "Before."}]}


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.RECORDINGS_DIR = tmp_path / "recordings"
    settings.SPEECH_JOB_RETRY_AFTER_SECONDS = 0
    # The heartbeat thread writes on a connection of its own, which the test's open transaction on
    # SQLite would lock out; the worker tests run it for real.
    settings.SPEECH_JOB_HEARTBEAT_SECONDS = 0


@pytest.fixture
def recorded(rehearsed, django_capture_on_commit_callbacks) -> Engagement:  # type: ignore[no-untyped-def]
    """The short briefing, its room recorded: the stored recording has queued a job."""
    engagement = import_script_trip(SHORT)
    with django_capture_on_commit_callbacks(execute=True):
        store_recording(engagement, rehearsed(SHORT))
    return engagement


@pytest.fixture
def staff_user() -> User:
    return User.objects.create_user("Ōkubo", password="a-long-test-password", is_staff=True)


def task_of(job: TranscriptionJob) -> DBTaskResult:
    return DBTaskResult.objects.get(id=job.task_id)


def the_job(engagement: Engagement) -> TranscriptionJob:
    [job] = TranscriptionJob.objects.filter(engagement=engagement)
    return job


def fake_transcribe(monkeypatch: pytest.MonkeyPatch, work: Callable[..., dict[str, Any]]) -> None:
    monkeypatch.setattr(pipeline, "recorded_source", lambda engagement, language="en": object())
    monkeypatch.setattr(pipeline, "transcribe", lambda engagement, source, progress=None, **_: work(progress))


def test_a_stored_recording_queues_one_transcription_on_the_speech_queue(recorded: Engagement) -> None:
    job = the_job(recorded)
    assert (job.state, job.attempt, job.requested_by, job.language) == (JobState.QUEUED, 1, "", "en")
    task = task_of(job)
    assert (task.task_path, task.queue_name, task.status) == (
        "virtualtrip.speech.tasks.transcribe",
        "speech",
        "READY",
    )
    assert task.args_kwargs == {"args": [job.pk, 1], "kwargs": {}}


def test_nothing_is_queued_before_the_stored_recording_commits(
    rehearsed, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    engagement = import_script_trip(SHORT)
    with django_capture_on_commit_callbacks() as waiting:
        store_recording(engagement, rehearsed(SHORT))
        assert not TranscriptionJob.objects.exists()
    for callback in waiting:
        callback()
    assert the_job(engagement).state == JobState.QUEUED


def test_a_recording_stored_again_while_a_job_waits_queues_nothing_more(
    recorded: Engagement, rehearsed, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        store_recording(recorded, rehearsed(SHORT))
    assert TranscriptionJob.objects.filter(engagement=recorded).count() == 1
    assert DBTaskResult.objects.count() == 1


def test_staff_ask_again_while_a_job_is_queued_or_running_and_nothing_is_queued(
    recorded: Engagement, staff_user: User
) -> None:
    job = the_job(recorded)
    for state in (JobState.QUEUED, JobState.RUNNING):
        TranscriptionJob.objects.filter(pk=job.pk).update(state=state)
        with pytest.raises(jobs.JobRefused, match="already waiting or running"):
            jobs.check_request_transcription(recorded, acting_user=staff_user)
    assert TranscriptionJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_staff_ask_once_the_last_job_is_over_and_a_new_one_is_queued(
    recorded: Engagement, staff_user: User
) -> None:
    TranscriptionJob.objects.filter(pk=the_job(recorded).pk).update(state=JobState.FAILED)
    made = jobs.check_request_transcription(recorded, acting_user=staff_user)
    assert (made.state, made.attempt, made.requested_by) == (JobState.QUEUED, 1, "Ōkubo")
    assert task_of(made).args_kwargs == {"args": [made.pk, 1], "kwargs": {}}
    assert jobs.latest_job(recorded) == made


def test_the_database_keeps_one_open_job_per_engagement_and_language(recorded: Engagement) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TranscriptionJob.objects.create(
            engagement=recorded, created_at=timezone.now(), state=JobState.RUNNING
        )
    TranscriptionJob.objects.create(engagement=recorded, language="es", created_at=timezone.now())
    TranscriptionJob.objects.create(engagement=recorded, created_at=timezone.now(), state=JobState.DONE)


def test_only_active_staff_may_ask_and_only_for_a_recorded_engagement(
    recorded: Engagement, staff_user: User
) -> None:
    reporter = User.objects.create_user("reporter", password="a-long-test-password")
    gone = User.objects.create_user("gone", password="a-long-test-password", is_staff=True, is_active=False)
    TranscriptionJob.objects.update(state=JobState.DONE)
    for who in (reporter, gone, None):
        with pytest.raises(jobs.JobRefused, match="Only staff can ask for a transcription"):
            jobs.check_request_transcription(recorded, acting_user=who)
    unrecorded = EngagementFactory.create(trip=recorded.trip)
    with pytest.raises(jobs.JobRefused, match="no recording to transcribe yet"):
        jobs.check_request_transcription(unrecorded, acting_user=staff_user)
    assert TranscriptionJob.objects.filter(state=JobState.QUEUED).count() == 0


def test_a_job_transcribes_the_recording_into_the_draft_with_its_progress(
    recorded: Engagement, rehearsed
) -> None:  # type: ignore[no-untyped-def]
    job = the_job(recorded)
    assert tasks.transcribe.call(job.pk, 1) == "done"
    job.refresh_from_db()
    duration = round(rehearsed(SHORT).duration, 3)
    assert (job.state, job.error, job.done_seconds, job.total_seconds) == (
        JobState.DONE,
        "",
        duration,
        duration,
    )
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at
    draft = transcript_of(recorded)
    assert draft is not None
    assert draft.body["engagement"] == SHORT.slug
    assert draft.body["audio"] == {
        "file": "room.wav",
        "duration": duration,
        "starts_at": draft.body["audio"]["starts_at"],
    }
    assert "Envoy Brandt" in " ".join(p["text"] for p in draft.body["paragraphs"])
    assert progress_of(job).percent == 100


def test_progress_is_written_at_most_every_second_and_at_the_end(recorded: Engagement, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    written: list[tuple[float, float]] = []
    note = jobs.do_note_progress

    def noted(job: TranscriptionJob, done: float, total: float) -> None:
        written.append((done, total))
        note(job, done, total)

    monkeypatch.setattr(jobs, "do_note_progress", noted)

    def work(progress: pipeline.Progress) -> dict[str, Any]:
        for done in range(1, 11):
            progress(float(done), 10.0)
        return DRAFT

    fake_transcribe(monkeypatch, work)
    job = the_job(recorded)
    assert tasks.transcribe.call(job.pk, 1) == "done"
    assert written == [(1.0, 10.0), (10.0, 10.0)]


def test_a_failed_attempt_keeps_its_error_and_the_job_is_tried_once_more(
    recorded: Engagement, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    problem = "/recordings/engagement-1/room.wav is not audio: Invalid data found when processing input"

    def work(progress: pipeline.Progress) -> dict[str, Any]:
        raise SpeechProblem(problem)

    fake_transcribe(monkeypatch, work)
    job = the_job(recorded)
    first_task = job.task_id
    assert tasks.transcribe.call(job.pk, 1) == JobState.QUEUED
    job.refresh_from_db()
    assert (job.state, job.attempt, job.error) == (JobState.QUEUED, 2, problem)
    assert job.task_id != first_task
    assert task_of(job).args_kwargs == {"args": [job.pk, 2], "kwargs": {}}
    assert progress_of(job).error_text == f"Attempt 1 failed: {problem}"

    assert tasks.transcribe.call(job.pk, 2) == JobState.FAILED
    job.refresh_from_db()
    assert (job.state, job.attempt, job.error) == (JobState.FAILED, 2, problem)
    assert job.finished_at is not None
    assert progress_of(job).error_text == problem
    assert DBTaskResult.objects.count() == 2  # the first and its one retry: no third
    assert not Transcript.objects.exists()


def test_a_job_failing_halfway_leaves_the_previous_draft_untouched(recorded: Engagement, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = do_store_transcript(recorded, DRAFT)

    def work(progress: pipeline.Progress) -> dict[str, Any]:
        progress(5.0, 20.0)
        raise RuntimeError("the recogniser ran out of memory")

    fake_transcribe(monkeypatch, work)
    job = the_job(recorded)
    tasks.transcribe.call(job.pk, 1)
    job.refresh_from_db()
    assert (job.error, job.done_seconds, job.total_seconds) == (
        "RuntimeError: the recogniser ran out of memory",
        5.0,
        20.0,
    )
    after = transcript_of(recorded)
    assert after is not None
    assert (after.body, after.version, after.made_at) == (DRAFT, before.version, before.made_at)


def test_a_draft_is_replaced_only_by_a_transcription_that_succeeds(recorded: Engagement, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    do_store_transcript(recorded, DRAFT)
    made = {**DRAFT, "paragraphs": [{"speaker": "MODERATOR", "text": "After."}]}
    fake_transcribe(monkeypatch, lambda progress: made)
    tasks.transcribe.call(the_job(recorded).pk, 1)
    after = transcript_of(recorded)
    assert after is not None
    assert (after.body, after.version) == (made, 2)


def test_a_task_for_an_attempt_the_job_is_not_waiting_for_does_nothing(
    recorded: Engagement, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    fake_transcribe(monkeypatch, lambda progress: pytest.fail("transcribed for a stale task"))
    job = the_job(recorded)
    TranscriptionJob.objects.filter(pk=job.pk).update(attempt=2)
    assert tasks.transcribe.call(job.pk, 1) == "skipped"
    TranscriptionJob.objects.filter(pk=job.pk).update(state=JobState.DONE)
    assert tasks.transcribe.call(job.pk, 2) == "skipped"


def test_an_attempt_whose_job_was_taken_over_stops_and_writes_nothing(
    recorded: Engagement, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    job = the_job(recorded)

    def work(progress: pipeline.Progress) -> dict[str, Any]:
        progress(1.0, 20.0)
        # Meanwhile its worker was taken for lost and the job queued for its next attempt.
        TranscriptionJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, attempt=2)
        progress(20.0, 20.0)  # its next write (the last is always written) finds the job gone
        pytest.fail("went on after losing the job")

    fake_transcribe(monkeypatch, work)
    assert tasks.transcribe.call(job.pk, 1) == "taken over"
    job.refresh_from_db()
    assert (job.state, job.attempt, job.done_seconds, job.error) == (JobState.QUEUED, 2, 1.0, "")
    assert not Transcript.objects.exists()


def test_a_finished_transcription_is_not_kept_when_the_job_was_taken_over(
    recorded: Engagement, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    job = the_job(recorded)

    def work(progress: pipeline.Progress) -> dict[str, Any]:
        TranscriptionJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, attempt=2)
        return DRAFT

    fake_transcribe(monkeypatch, work)
    assert tasks.transcribe.call(job.pk, 1) == "taken over"
    assert not Transcript.objects.exists()


def test_a_worker_stopping_mid_job_gives_it_back_for_the_same_attempt(
    recorded: Engagement, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def work(progress: pipeline.Progress) -> dict[str, Any]:
        progress(3.0, 20.0)
        raise SystemExit(1)  # the worker's second Ctrl-C

    fake_transcribe(monkeypatch, work)
    job = the_job(recorded)
    first_task = job.task_id
    with pytest.raises(SystemExit):
        tasks.transcribe.call(job.pk, 1)
    job.refresh_from_db()
    assert (job.state, job.attempt, job.error) == (JobState.QUEUED, 1, "")
    assert job.task_id != first_task
    assert task_of(job).args_kwargs == {"args": [job.pk, 1], "kwargs": {}}


def started(job: TranscriptionJob, heartbeat_ago: timedelta) -> TranscriptionJob:
    beat = timezone.now() - heartbeat_ago
    TranscriptionJob.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=beat, heartbeat_at=beat
    )
    job.refresh_from_db()
    return job


def test_a_running_job_whose_heartbeat_stopped_is_queued_again_for_its_next_attempt(
    recorded: Engagement,
) -> None:
    job = started(the_job(recorded), timedelta(seconds=121))
    [recovered] = jobs.do_recover_stale_jobs()
    job.refresh_from_db()
    assert recovered == job
    assert (job.state, job.attempt) == (JobState.QUEUED, 2)
    assert job.error == "the worker stopped during attempt 1 (killed, or its machine lost)"
    assert task_of(job).args_kwargs == {"args": [job.pk, 2], "kwargs": {}}
    assert jobs.do_recover_stale_jobs() == []


def test_a_job_whose_worker_is_lost_on_its_last_attempt_fails(recorded: Engagement) -> None:
    job = the_job(recorded)
    TranscriptionJob.objects.filter(pk=job.pk).update(attempt=2)
    job = started(job, timedelta(minutes=5))
    jobs.do_recover_stale_jobs()
    job.refresh_from_db()
    assert (job.state, job.attempt) == (JobState.FAILED, 2)
    assert job.error == "the worker stopped during attempt 2 (killed, or its machine lost)"
    assert DBTaskResult.objects.count() == 1


def test_a_job_that_beats_or_waits_is_left_alone(recorded: Engagement, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPEECH_JOB_STALE_SECONDS = 30
    waiting = the_job(recorded)
    TranscriptionJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert jobs.do_recover_stale_jobs() == []
    started(waiting, timedelta(seconds=29))
    assert jobs.do_recover_stale_jobs() == []
    assert jobs.do_recover_stale_jobs(after=timedelta(seconds=10)) == [waiting]


def test_the_time_left_comes_from_the_pace_so_far(recorded: Engagement) -> None:
    job = started(the_job(recorded), timedelta(seconds=10))
    job.done_seconds, job.total_seconds = 20.0, 100.0
    begun = job.started_at
    assert begun is not None
    shown = progress_of(job, now=begun + timedelta(seconds=10))
    assert (shown.percent, shown.seconds_left) == (20, 40)
    assert shown.time_left_text == "less than a minute left"
    later = progress_of(job, now=begun + timedelta(seconds=60))
    assert (later.seconds_left, later.time_left_text) == (240, "about 4 minutes left")
    job.done_seconds = 0
    assert progress_of(job).time_left_text == "estimating the time left…"
