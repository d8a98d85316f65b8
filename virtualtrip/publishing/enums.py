"""Publishing's fixed vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PUBLIC_SCHEDULE = "public_schedule", _("Public schedule")
    READOUT = "readout", _("Readout")
    REMARKS = "remarks", _("Remarks")
    TRANSCRIPT = "transcript", _("Transcript")
    FACT_SHEET = "fact_sheet", _("Fact sheet")
    MEDIA_NOTE = "media_note", _("Media note")
    PRESS_STATEMENT = "press_statement", _("Press statement")
    TAKEN_QUESTION_ANSWER = "taken_question_answer", _("Taken question answer")


class Clearance(models.TextChoices):
    """Where a document stands: each step is recorded with who took it and when."""

    DRAFT = "draft", _("Draft")
    IN_CLEARANCE = "in_clearance", _("In clearance")
    CLEARED = "cleared", _("Cleared")
    PUBLISHED = "published", _("Published")


class Language(models.TextChoices):
    """The languages a document is written in, and the interface speaks. English is the original."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    FRENCH = "fr", "Français"


ORIGINAL_LANGUAGE = Language.ENGLISH
