"""Speech's background task: one attempt of a transcription job, run by a task worker
(`virtualtrip speech-worker`, which `virtualtrip serve` starts beside the app).

The attempt writes its progress as the recogniser goes (at most once a `PROGRESS_EVERY_S`), and a
heartbeat thread says the worker is alive between progress reports, which can be minutes apart with
a large model: a heartbeat that stops means the worker was lost (`jobs.do_recover_stale_jobs`).
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks import task

from virtualtrip.speech import jobs, pipeline
from virtualtrip.speech.models import TranscriptionJob
from virtualtrip.speech.problems import SpeechProblem

QUEUE = "speech"


def heartbeat_every_s() -> float:
    """How often a running attempt says it is alive, whatever its progress; 0: only with progress."""
    return float(getattr(settings, "SPEECH_JOB_HEARTBEAT_SECONDS", 15))


def progress_every_s() -> float:
    return float(getattr(settings, "SPEECH_JOB_PROGRESS_EVERY_SECONDS", 1))


@task(queue_name=QUEUE)
def transcribe(job_id: int, attempt: int) -> str:
    """Attempt `attempt` of the job: the room's recording transcribed into the engagement's draft.
    Returns the job's state after it (or `skipped` when the job was not waiting for this attempt)."""
    job = jobs.do_start_job(job_id, attempt)
    if job is None:
        return "skipped"
    return run(job)


def run(job: TranscriptionJob) -> str:
    """Transcribe for a started job, and end the attempt: done, failed (the next attempt queued, or the
    job failed), or given back when the worker is asked to stop."""
    try:
        with _heartbeat(job):
            engagement = job.engagement
            source = pipeline.recorded_source(engagement, job.language)
            body = pipeline.transcribe(engagement, source, progress=_progress_writer(job))
            jobs.do_finish_job(job, body)
    except jobs.JobTakenOver:
        return "taken over"
    except Exception as error:  # any failure is the attempt's: kept, shown, retried once
        failed = jobs.do_fail_job(job, _said(error))
        return failed.state if failed else "taken over"
    except BaseException:  # the worker is stopping (SystemExit, KeyboardInterrupt) mid-job
        jobs.do_give_back_job(job)
        raise
    return "done"


def _said(error: Exception) -> str:
    """A SpeechProblem's message as it is (it names the file or model and why); anything else with its
    kind, which is all an unexpected error tells staff."""
    if isinstance(error, SpeechProblem):
        return str(error)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _progress_writer(job: TranscriptionJob) -> pipeline.Progress:
    """The pipeline's progress callback: written at most every `progress_every_s()`, and always at
    the end (all the audio done)."""
    last = [float("-inf")]

    def write(done_seconds: float, total_seconds: float) -> None:
        now = time.monotonic()
        if now - last[0] >= progress_every_s() or done_seconds >= total_seconds:
            jobs.do_note_progress(job, done_seconds, total_seconds)
            last[0] = now

    return write


@contextmanager
def _heartbeat(job: TranscriptionJob) -> Iterator[None]:
    """A thread that beats for the job while the block runs (on its own database connection)."""
    every = heartbeat_every_s()
    if every <= 0:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                close_old_connections()
                if not jobs.do_beat(job):
                    return
        finally:
            connection.close()  # this thread's own

    thread = threading.Thread(target=beat, name=f"speech-job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
