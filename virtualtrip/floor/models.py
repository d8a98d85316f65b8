"""The floor of an engagement: who holds it, the questions waiting for it, and the taken questions.

The record of what happened (who held the floor when, each question asked, who was talking) is the
floor's stream in `realtime.JournalEvent`, append-only; these tables hold the state it leads to.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from virtualtrip.floor.enums import BriefingStatus, QuestionKind, QuestionState
from virtualtrip.trips.models import Engagement, Participant, Person

MAX_QUESTION_CHARS = 2000


class Briefing(models.Model):
    """The floor of one engagement, made when someone first asks or the moderator first acts."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="floor")
    status = models.CharField(max_length=16, choices=BriefingStatus.choices, default=BriefingStatus.OPEN)
    holder = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    holder_since = models.DateTimeField(null=True, blank=True)
    question = models.ForeignKey(
        "Question", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follow_ups = models.PositiveIntegerField(default=0)
    talking = models.JSONField(default=list, blank=True, help_text="Ids of the people talking now.")
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Floor of {self.engagement}"


class Question(models.Model):
    """A raised hand, a question written in the room, or one submitted ahead of the briefing."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="questions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.TextField(blank=True, max_length=MAX_QUESTION_CHARS)
    state = models.CharField(max_length=16, choices=QuestionState.choices, default=QuestionState.WAITING)
    created_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    read_aloud = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taken_questions",
        help_text="Taken questions: who answers it.",
    )
    due = models.DateField(null=True, blank=True)
    answer_document = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The taken-question document in publishing that answers it."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["engagement", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.person}"


class AccreditationState(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCREDITED = "accredited", _("Accredited")
    REFUSED = "refused", _("Refused")


class Accreditation(models.Model):
    """A journalist not in the trip file asking to cover one engagement. Accrediting makes them a
    press participant with a personal link; their name and outlet on the floor are the ones given
    here, and nobody renames themselves afterwards."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="accreditations")
    name = models.CharField(max_length=200)
    outlet = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    email = models.EmailField()
    question = models.TextField(blank=True, max_length=MAX_QUESTION_CHARS, help_text="Submitted ahead.")
    language = models.CharField(max_length=8, default="en", help_text="The page's language: mail speaks it.")
    state = models.CharField(
        max_length=16, choices=AccreditationState.choices, default=AccreditationState.PENDING
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The press participant accrediting made.",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.F("engagement"), Lower("email"), name="accreditation_email_once_per_engagement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.outlet}) for {self.engagement}"


class Invitation(models.Model):
    """An audience invitation to a town hall: one signed link, shared with many, that lets whoever
    opens it join as audience under the name they give, until it expires or is withdrawn, or until
    `capacity` people have joined through it (no limit but those when it is empty)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    joined = models.PositiveIntegerField(default=0, help_text="How many people joined through it.")
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many people may join through it; empty: as many as come until it expires.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Audience invitation to {self.engagement}"

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.joined >= self.capacity


class FeedKey(models.Model):
    """The version of an engagement's live feed token. Staff issuing a new feed link raise it, and
    every link shown before stops at once. No row: version 0, the link as first shown."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="feed_key")
    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Feed key {self.version} of {self.engagement}"
