"""What staff see of an engagement's transcription: the latest job's progress, the draft's links.

One shape for the panel (`speech/staff_panel.html`, through the `speech_jobs` template tags) and for
the JSON `progress.js` polls, with its words already in the page's language, so the script needs none
of its own.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from virtualtrip.speech import jobs
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import Caption, TranscriptionJob
from virtualtrip.speech.queries import transcript_of
from virtualtrip.trips.models import Engagement

EXPORTS = (("txt", gettext_lazy("Text")), ("vtt", "WebVTT"), ("json", "JSON"))
"""(extension, name) of each export of a draft, as `/speech/<id>/transcript.<extension>` serves it."""


@dataclass(frozen=True)
class Progress:
    """One job as staff see it."""

    state: str
    state_label: str
    attempt: int
    done_seconds: float
    total_seconds: float
    percent: int
    seconds_left: int | None
    """Estimated from the pace of this attempt so far; None before any audio is done."""
    error: str
    requested_by: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def open(self) -> bool:
        return self.state in jobs.OPEN_STATES

    @property
    def attempt_text(self) -> str:
        return _("attempt %(attempt)s of %(attempts)s") % {
            "attempt": self.attempt,
            "attempts": jobs.MAX_ATTEMPTS,
        }

    @property
    def percent_text(self) -> str:
        return _("%(percent)s%% of the audio") % {"percent": self.percent}

    @property
    def time_left_text(self) -> str:
        if self.state != JobState.RUNNING:
            return ""
        if self.seconds_left is None:
            return _("estimating the time left…")
        if self.seconds_left < 60:
            return _("less than a minute left")
        minutes = round(self.seconds_left / 60)
        return ngettext("about %(minutes)s minute left", "about %(minutes)s minutes left", minutes) % {
            "minutes": minutes
        }

    @property
    def error_text(self) -> str:
        """The error as staff read it: while the next attempt waits, which attempt it ended."""
        if not self.error:
            return ""
        if self.state == JobState.FAILED:
            return self.error
        return _("Attempt %(attempt)s failed: %(error)s") % {"attempt": self.attempt - 1, "error": self.error}

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "state_label": self.state_label,
            "attempt": self.attempt,
            "max_attempts": jobs.MAX_ATTEMPTS,
            "attempt_text": self.attempt_text,
            "done_seconds": round(self.done_seconds, 1),
            "total_seconds": round(self.total_seconds, 1),
            "percent": self.percent,
            "percent_text": self.percent_text,
            "seconds_left": self.seconds_left,
            "time_left_text": self.time_left_text,
            "error": self.error,
            "error_text": self.error_text,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def progress_of(job: TranscriptionJob, now: datetime | None = None) -> Progress:
    now = now or timezone.now()
    percent = int(100 * job.done_seconds / job.total_seconds) if job.total_seconds > 0 else 0
    return Progress(
        state=job.state,
        state_label=str(JobState(job.state).label),
        attempt=job.attempt,
        done_seconds=job.done_seconds,
        total_seconds=job.total_seconds,
        percent=100 if job.state == JobState.DONE else min(percent, 100),
        seconds_left=seconds_left(job, now),
        error=job.error,
        requested_by=job.requested_by,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def seconds_left(job: TranscriptionJob, now: datetime) -> int | None:
    """The audio left at the pace of this attempt so far (loading the model included)."""
    if job.state != JobState.RUNNING or job.started_at is None or job.done_seconds <= 0:
        return None
    elapsed = (now - job.started_at).total_seconds()
    if elapsed <= 0:
        return None
    left = max(job.total_seconds - job.done_seconds, 0.0)
    return round(left * elapsed / job.done_seconds)


def url_or_blank(name: str, *args: Any) -> str:
    """The path of a page that may not be served (yet): a blank where it is not, not an error."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class Panel:
    engagement: Engagement
    progress: Progress | None
    has_recording: bool
    has_draft: bool
    editor_url: str = ""
    exports: list[tuple[str, str]] = field(default_factory=list)
    """(name, path) of each export of the draft."""
    captions: int = 0
    """How many live caption cues were kept."""

    @property
    def can_request(self) -> bool:
        return self.has_recording and not (self.progress and self.progress.open)


def panel_of(engagement: Engagement, language: str = "en") -> Panel:
    job = jobs.latest_job(engagement, language)
    has_draft = transcript_of(engagement, language) is not None
    return Panel(
        engagement=engagement,
        progress=progress_of(job) if job else None,
        has_recording=jobs.has_recording(engagement),
        has_draft=has_draft,
        editor_url=url_or_blank("speech:editor", engagement.pk) if has_draft else "",
        exports=[
            (str(name), reverse("speech:export", args=[engagement.pk, extension]))
            for extension, name in EXPORTS
        ]
        if has_draft
        else [],
        captions=Caption.objects.filter(engagement=engagement).count(),
    )
