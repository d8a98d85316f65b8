from django.db import models


class AdmissionState(models.TextChoices):
    WAITING = "waiting", "Waiting in the lobby"
    ADMITTED = "admitted", "Admitted"
    REFUSED = "refused", "Refused"


class RoomStatus(models.TextChoices):
    NOT_YET = "not_yet", "Not open yet"
    OPEN = "open", "Open"
    OVER = "over", "Over"
    ENDED = "ended", "Ended by a host"


class RecordingState(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    PENDING = "pending", "Waiting to be processed"
    PROCESSING = "processing", "Being processed"
    READY = "ready", "Ready"
    FAILED = "failed", "Processing failed"
