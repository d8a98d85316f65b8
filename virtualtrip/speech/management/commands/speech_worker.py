"""`virtualtrip speech-worker`: the task worker for speech's jobs (and any other task queued).

It runs django-tasks' database worker on the configured queues, and beside it, every
`--recover-every` seconds (and once at the start), takes up the jobs whose worker was lost: a job
running with no heartbeat for `--stale-after` seconds is queued again (`jobs.do_recover_stale_jobs`).
Run as many as the machines allow, anywhere the database is reachable: each task runs once.
"""

import logging
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connection

from virtualtrip.speech import jobs
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.tasks import heartbeat_every_s

logger = logging.getLogger(__name__)


def configured_queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


class Command(BaseCommand):
    help = (
        "Run background tasks (transcriptions) from the database, taking up again the jobs of workers "
        "that were lost."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queues", default=",".join(configured_queues()), help="queues to take tasks from, by commas"
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="seconds without a heartbeat after which a running job is taken for lost "
            "(default: settings.SPEECH_JOB_STALE_SECONDS)",
        )
        parser.add_argument(
            "--recover-every",
            type=float,
            default=float(getattr(settings, "SPEECH_JOB_RECOVER_EVERY_SECONDS", 60)),
            help="seconds between two looks for lost jobs",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks for a task")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = options["stale_after"]
        self.stale_after = timedelta(seconds=stale) if stale is not None else jobs.stale_after()
        beat = heartbeat_every_s()
        if beat > 0 and self.stale_after.total_seconds() <= 2 * beat:
            raise CommandError(
                f"a job is taken for lost after {self.stale_after.total_seconds():g} s without a heartbeat, "
                f"and a running job beats every {beat:g} s (settings.SPEECH_JOB_HEARTBEAT_SECONDS): live "
                "jobs would be taken from their workers; wait more than twice the heartbeat"
            )
        self.recover()
        stop = threading.Event()
        keeper = threading.Thread(
            target=self.keep_recovering,
            args=(stop, options["recover_every"]),
            name="speech-recovery",
            daemon=True,
        )
        keeper.start()
        try:
            call_command(
                "db_worker",
                queue_name=options["queues"],
                interval=options["interval"],
                reload=False,
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        finally:
            stop.set()
            keeper.join(timeout=5)

    def recover(self) -> None:
        try:
            recovered = jobs.do_recover_stale_jobs(after=self.stale_after)
        except DatabaseError:  # a database briefly away or locked: the next look will do
            logger.exception("looking for lost transcription jobs failed")
            return
        for job in recovered:
            then = f"queued again for attempt {job.attempt}" if job.state == JobState.QUEUED else "failed"
            self.stdout.write(
                f"transcription job {job.pk} of engagement {job.engagement_id}: its worker was lost; {then}"
            )
            self.stdout.flush()

    def keep_recovering(self, stop: threading.Event, every: float) -> None:
        try:
            while not stop.wait(every):
                close_old_connections()
                try:
                    self.recover()
                except Exception:  # whatever it is, the worker goes on, and so do the looks
                    logger.exception("looking for lost transcription jobs failed")
        finally:
            connection.close()  # this thread's own
