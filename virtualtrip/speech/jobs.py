"""Transcription jobs: the only writers of `TranscriptionJob`, and what staff see of one.

A job is a row here and a task in the task backend (django-tasks' database backend, `tasks.py`). The
row is the truth: the task carries only the job's id and the attempt it is for, so a task that comes
late (its job taken over, finished or failed meanwhile) finds nothing to do. The task is queued in the
same transaction as the row, in the same database, so there is never a job without its task.

A job is tried at most `MAX_ATTEMPTS` times, whatever ended the first try: a failure (the error is
kept and shown), or a worker lost mid-job (killed, or its machine gone: its heartbeat stops, and
`do_recover_stale_jobs` queues the job again). A worker asked to stop mid-job gives the job back
without using up an attempt.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from virtualtrip.rooms.queries import recording_tracks, room_mix
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import TranscriptionJob
from virtualtrip.trips.models import Engagement

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
OPEN_STATES = (JobState.QUEUED, JobState.RUNNING)
LOST_WORKER = "the worker stopped during attempt {attempt} (killed, or its machine lost)"


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this has lost its worker."""
    return timedelta(seconds=float(getattr(settings, "SPEECH_JOB_STALE_SECONDS", 120)))


def retry_after() -> timedelta:
    """How long a failed first attempt waits before the second starts (a file server back, a database
    restarted)."""
    return timedelta(seconds=float(getattr(settings, "SPEECH_JOB_RETRY_AFTER_SECONDS", 10)))


class JobRefused(Exception):
    """A transcription cannot be requested now; the message says why, for the person who asked."""


class JobTakenOver(Exception):
    """The job this attempt was working on is no longer its own (queued again after its worker was
    taken for lost, or finished by another): the attempt stops and writes nothing."""


def latest_job(engagement: Engagement, language: str = "en") -> TranscriptionJob | None:
    return TranscriptionJob.objects.filter(engagement=engagement, language=language).first()


def open_job(engagement: Engagement, language: str = "en") -> TranscriptionJob | None:
    """The job queued or running for this engagement and language, if any."""
    return TranscriptionJob.objects.filter(
        engagement=engagement, language=language, state__in=OPEN_STATES
    ).first()


def has_recording(engagement: Engagement) -> bool:
    """Whether the room's mixed recording is listed: what a transcription reads."""
    return room_mix(recording_tracks(engagement)) is not None


def check_request_transcription(
    engagement: Engagement, *, acting_user: Any, language: str = "en"
) -> TranscriptionJob:
    """Staff ask for the engagement's recording to be transcribed (again). JobRefused for anyone but
    active staff, for an engagement without a recording, and while a job is queued or running."""
    if not (getattr(acting_user, "is_active", False) and getattr(acting_user, "is_staff", False)):
        raise JobRefused(_("Only staff can ask for a transcription."))
    if not has_recording(engagement):
        raise JobRefused(_("This engagement has no recording to transcribe yet."))
    return do_request_transcription(engagement, acting_user=acting_user, language=language)


def do_request_transcription(
    engagement: Engagement, *, acting_user: Any, language: str = "en"
) -> TranscriptionJob:
    """A new job for the engagement's recording, its task queued (`acting_user` None: the recording
    was just stored). JobRefused, with nothing queued, while another job is queued or running.

    Side effects: a TranscriptionJob (queued, attempt 1) and its task in the task backend."""
    if open_job(engagement, language) is not None:
        raise JobRefused(_("A transcription of this engagement is already waiting or running."))
    try:
        with transaction.atomic():
            job = TranscriptionJob.objects.create(
                engagement=engagement,
                language=language,
                requested_by=getattr(acting_user, "get_username", lambda: "")() if acting_user else "",
                created_at=timezone.now(),
            )
            _queue_task(job)
    except IntegrityError:  # another request made one between the look and the write
        raise JobRefused(_("A transcription of this engagement is already waiting or running.")) from None
    return job


def _queue_task(job: TranscriptionJob, run_after: datetime | None = None) -> None:
    """The task that runs this attempt of the job, queued in the current transaction."""
    from virtualtrip.speech.tasks import transcribe  # tasks.py runs jobs through this module

    task = transcribe.using(run_after=run_after) if run_after is not None else transcribe
    result = task.enqueue(job.pk, job.attempt)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])


def do_start_job(job_id: int, attempt: int) -> TranscriptionJob | None:
    """The worker takes the job for this attempt; None when the job is not waiting for it (another
    attempt has it, or it is over).

    Side effects: the job is running, its progress and heartbeat start from now."""
    now = timezone.now()
    taken = TranscriptionJob.objects.filter(pk=job_id, attempt=attempt, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, done_seconds=0, total_seconds=0
    )
    return TranscriptionJob.objects.select_related("engagement__trip").get(pk=job_id) if taken else None


def _own(job: TranscriptionJob) -> Q:
    """The job as long as this attempt still holds it."""
    return Q(pk=job.pk, attempt=job.attempt, state=JobState.RUNNING)


def do_note_progress(job: TranscriptionJob, done_seconds: float, total_seconds: float) -> None:
    """Seconds of audio done so far, out of all; the heartbeat with them. JobTakenOver when the job is
    no longer this attempt's."""
    fields = {"done_seconds": done_seconds, "total_seconds": total_seconds, "heartbeat_at": timezone.now()}
    if not TranscriptionJob.objects.filter(_own(job)).update(**fields):
        raise JobTakenOver(f"job {job.pk}, attempt {job.attempt}")
    job.done_seconds, job.total_seconds = done_seconds, total_seconds


def do_beat(job: TranscriptionJob) -> bool:
    """The worker is alive and at work on the job; False when the job is no longer its own."""
    return bool(TranscriptionJob.objects.filter(_own(job)).update(heartbeat_at=timezone.now()))


@transaction.atomic
def do_finish_job(job: TranscriptionJob, body: dict[str, Any]) -> TranscriptionJob:
    """The transcription is made: it becomes the engagement's draft, in one transaction with the job's
    end, so a job ends done with its draft or not at all. JobTakenOver (nothing written) when the job
    is no longer this attempt's.

    Side effects: the draft transcript replaced (`actions.do_store_transcript`), the job done."""
    locked = TranscriptionJob.objects.select_for_update().filter(_own(job)).first()
    if locked is None:
        raise JobTakenOver(f"job {job.pk}, attempt {job.attempt}")
    do_store_transcript(job.engagement, body, language=job.language)
    locked.state, locked.finished_at, locked.error = JobState.DONE, timezone.now(), ""
    locked.heartbeat_at = locked.finished_at
    locked.done_seconds = locked.total_seconds = float(
        body.get("audio", {}).get("duration") or job.total_seconds
    )
    locked.save()
    return locked


@transaction.atomic
def do_fail_job(job: TranscriptionJob, error: str) -> TranscriptionJob | None:
    """This attempt failed with `error`. Before the last attempt the job is queued again for the next
    one; after it the job has failed, with the error shown to staff. The draft made before is left as it
    was. None when the job is no longer this attempt's (nothing written).

    Side effects: the job's error; a new task for the next attempt, or the job failed."""
    locked = TranscriptionJob.objects.select_for_update().filter(_own(job)).first()
    if locked is None:
        return None
    _give_up_or_retry(locked, error, delay=retry_after())
    return locked


def _give_up_or_retry(job: TranscriptionJob, error: str, *, delay: timedelta) -> None:
    now = timezone.now()
    job.error = error
    if job.attempt < MAX_ATTEMPTS:
        job.state, job.attempt = JobState.QUEUED, job.attempt + 1
        job.save()
        _queue_task(job, now + delay if delay > timedelta(0) else None)
        logger.warning(
            "transcription job %s: attempt %s failed, queued again: %s", job.pk, job.attempt - 1, error
        )
    else:
        job.state, job.finished_at = JobState.FAILED, now
        job.save()
        logger.warning("transcription job %s failed on its last attempt: %s", job.pk, error)


@transaction.atomic
def do_give_back_job(job: TranscriptionJob) -> bool:
    """The worker is stopping mid-job (asked to, not failing): the job waits for the next worker with
    the same attempt, its progress kept until the next one starts. False when it was not its own.

    Side effects: the job queued again, a new task for it."""
    locked = TranscriptionJob.objects.select_for_update().filter(_own(job)).first()
    if locked is None:
        return False
    locked.state = JobState.QUEUED
    locked.save(update_fields=["state"])
    _queue_task(locked)
    return True


def _stale(now: datetime, after: timedelta | None = None) -> Q:
    cutoff = now - (after if after is not None else stale_after())
    heard_of = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    return Q(state=JobState.RUNNING) & heard_of


def stale_jobs(now: datetime, after: timedelta | None = None) -> list[TranscriptionJob]:
    """Running jobs whose worker has not been heard of for `after` (default `stale_after()`)."""
    return list(TranscriptionJob.objects.filter(_stale(now, after)))


def do_recover_stale_jobs(
    now: datetime | None = None, *, after: timedelta | None = None
) -> list[TranscriptionJob]:
    """Jobs whose worker was lost (no heartbeat for `after`, default `stale_after()`) are queued again
    for their next attempt, or failed after their last; the ones recovered. Safe to run in several
    workers at once: each job is taken by one.

    Side effects: for each stale job, a new task or the job failed, with the lost worker as its error."""
    now = now or timezone.now()
    recovered: list[TranscriptionJob] = []
    for stale in stale_jobs(now, after):
        with transaction.atomic():
            locked = (
                TranscriptionJob.objects.select_for_update()
                .filter(_stale(now, after), pk=stale.pk, attempt=stale.attempt)
                .first()
            )
            if locked is None:  # it came back to life, or another worker recovered it first
                continue
            _give_up_or_retry(locked, LOST_WORKER.format(attempt=locked.attempt), delay=timedelta(0))
            recovered.append(locked)
    return recovered
