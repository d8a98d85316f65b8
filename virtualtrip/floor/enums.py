from django.db import models
from django.utils.translation import gettext_lazy as _


class BriefingStatus(models.TextChoices):
    OPEN = "open", _("Taking questions")
    # Translators: the moderator said "time for one more question".
    CLOSING = "closing", _("Last question")
    ENDED = "ended", _("Ended")


class QuestionKind(models.TextChoices):
    HAND = "hand", _("Raised hand")
    WRITTEN = "written", _("Written in the room")
    AHEAD = "ahead", _("Submitted ahead")
    PICKED = "picked", _("Called by the moderator")


class QuestionState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ON_FLOOR = "on_floor", _("On the floor")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Not taken: the briefing ended")
    TAKEN = "taken", _("Taken for a later answer")
