from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Transcribing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
