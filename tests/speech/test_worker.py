"""`virtualtrip speech-worker` as real processes on the test database: a worker killed mid-job leaves a
running job whose heartbeat stops, and the next worker takes it up and finishes it into the draft."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.speech.conftest import import_script_trip
from tests.speech.recorded import store_recording
from tests.speech.scripts import SHORT
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import TranscriptionJob
from virtualtrip.speech.queries import transcript_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
STALE_AFTER_S = 4
"""Above twice the workers' heartbeat (tests/speech/worker_settings.py), as speech-worker asks."""
WAIT_S = 120


def database_url() -> str:
    """The test database, as a worker process is told where it is."""
    found = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(found['NAME']).absolute()}"
    who = quote(found["USER"] or "") + (":" + quote(found["PASSWORD"]) if found["PASSWORD"] else "")
    return f"postgres://{who}@{found['HOST'] or 'localhost'}:{found['PORT'] or 5432}/{found['NAME']}"


class Workers:
    """`virtualtrip speech-worker` processes on the test database, each with its output in a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {
            "PATH": os.environ["PATH"],
            "VIRTUALTRIP_DATA_DIR": str(folder / "data"),
            "DATABASE_URL": database_url(),
            "VIRTUALTRIP_RECORDINGS_DIR": str(settings.RECORDINGS_DIR),
            "DJANGO_SETTINGS_MODULE": "tests.speech.worker_settings",
        }
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "virtualtrip.cli", "speech-worker", "--interval", "0.2"]
        command += ["--stale-after", str(STALE_AFTER_S), "--recover-every", "1"]
        with (self.folder / f"worker-{len(self.started) + 1}.out").open("wb") as output:
            process = subprocess.Popen(command, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def output(self, number: int) -> str:
        return (self.folder / f"worker-{number}.out").read_text()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path: Path, settings) -> Iterator[Workers]:  # type: ignore[no-untyped-def]
    settings.RECORDINGS_DIR = tmp_path / "recordings"
    made = Workers(tmp_path)
    try:
        yield made
    finally:
        made.stop_all()


def wait_for(condition: Callable[[], bool], failure: Callable[[], str]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, failure()
        time.sleep(0.05)


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker(workers: Workers, rehearsed) -> None:  # type: ignore[no-untyped-def]
    engagement = import_script_trip(SHORT)
    store_recording(engagement, rehearsed(SHORT))  # committed at once: the job is queued
    [job] = TranscriptionJob.objects.filter(engagement=engagement)

    def state() -> str:
        job.refresh_from_db()
        return job.state

    first = workers.start()
    wait_for(lambda: state() == JobState.RUNNING, lambda: f"never started: {state()}\n{workers.output(1)}")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert (state(), job.attempt) == (JobState.RUNNING, 1)  # killed mid-job, before its draft
    assert transcript_of(engagement) is None

    workers.start()
    wait_for(
        lambda: state() == JobState.DONE, lambda: f"never done: {state()} {job.error}\n{workers.output(2)}"
    )
    assert (job.attempt, job.error) == (2, "")
    draft = transcript_of(engagement)
    assert draft is not None
    assert draft.body["engagement"] == SHORT.slug
    lost = f"transcription job {job.pk} of engagement {engagement.pk}: its worker was lost"
    assert f"{lost}; queued again for attempt 2" in workers.output(2)


def test_a_stale_threshold_a_heartbeat_could_miss_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    answer = run("speech-worker", "--stale-after", "30")
    assert answer.returncode == 1
    assert answer.stderr.strip() == (
        "CommandError: a job is taken for lost after 30 s without a heartbeat, and a running job beats every"
        " 15 s (settings.SPEECH_JOB_HEARTBEAT_SECONDS): live jobs would be taken from their workers; wait"
        " more than twice the heartbeat"
    )
