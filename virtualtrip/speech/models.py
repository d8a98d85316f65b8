"""Speech's records: an engagement's draft transcript per language, and the jobs that make them."""

from django.db import models

from virtualtrip.publishing.models import Document
from virtualtrip.speech.enums import JobState
from virtualtrip.trips.models import Engagement


class Transcript(models.Model):
    """The draft transcript of one engagement in one language: what the recogniser made, as editors
    changed it since. `body` is the stored form (`virtualtrip-transcript/1`, docs/speech.md). A new
    transcription replaces it whole, and only once it has succeeded."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="transcripts")
    language = models.CharField(max_length=8, default="en")
    body = models.JSONField()
    made_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Goes up with every change: edits check it.")
    document = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The transcript document it was sent to clearance as.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "language"], name="one_transcript_per_language")
        ]

    def __str__(self) -> str:
        return f"Transcript of {self.engagement} ({self.language})"


class TranscriptionJob(models.Model):
    """One transcription of an engagement's audio, run by a task worker. The worker writes its
    progress here as it goes (`heartbeat_at` with it), which the staff page shows live."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="transcription_jobs")
    language = models.CharField(max_length=8, default="en")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    attempt = models.PositiveSmallIntegerField(default=1)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task's id in the task backend.")
    requested_by = models.CharField(max_length=200, blank=True)
    done_seconds = models.FloatField(default=0)
    total_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One job at a time per engagement and language, however many processes ask at once.
            models.UniqueConstraint(
                fields=["engagement", "language"],
                condition=models.Q(state__in=[JobState.QUEUED, JobState.RUNNING]),
                name="one_open_transcription_job",
            )
        ]

    def __str__(self) -> str:
        return f"Transcription of {self.engagement} ({self.state})"


class Caption(models.Model):
    """One finished live caption, as the room saw it: kept for the engagement's WebVTT. The speaker
    is the label the room showed (on background the attribution): no person's id is kept."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="captions")
    speaker = models.CharField(max_length=300)
    text = models.TextField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:40]}"
