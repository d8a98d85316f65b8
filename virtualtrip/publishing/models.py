"""Documents of a trip, their revisions, their clearance steps and their attachments.

The state model follows Wagtail's: the fields on `Document` are the working copy; `live_revision` is
what the public sees once `live`, and `go_live_at` (the embargo) hides it until that time. Every
public read goes through `queries.visible_documents`.

A taken-question answer is linked to the question it answers from the floor's side (the floor's
question points at the document), so publishing never needs to know about the floor; `question`
keeps the question's words for the page.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation

from virtualtrip.publishing.enums import Clearance, DocumentKind, Language
from virtualtrip.trips.models import Destination, Engagement, Trip


class Document(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="documents")
    destination = models.ForeignKey(
        Destination, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    translation_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="translations"
    )
    title = models.CharField(max_length=300)
    date = models.DateField()
    body = models.TextField(help_text="Markdown. Raw HTML is shown as text.")
    question = models.TextField(blank=True, help_text="Taken-question answers: the question as asked.")
    embargo = models.DateTimeField(null=True, blank=True, help_text="Not public before this time.")
    state = models.CharField(max_length=16, choices=Clearance.choices, default=Clearance.DRAFT)
    revision_number = models.PositiveIntegerField(default=0)
    live = models.BooleanField(default=False)
    live_revision = models.ForeignKey(
        "Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    go_live_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trip", "-date", "pk"]
        permissions = [
            ("clear_document", "Can clear a document for publication"),
            ("publish_document", "Can publish a cleared document"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=models.Q(translation_of__isnull=False),
                name="one_translation_per_language",
            )
        ]
        indexes = [models.Index(fields=["trip", "live"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def get_absolute_url(self) -> str:
        return reverse("publishing:document", args=[self.trip.slug, self.pk])

    def url_in_its_language(self) -> str:
        """The document's page with the interface in the document's own language (for hreflang)."""
        with translation.override(self.language):
            return self.get_absolute_url()


class Revision(models.Model):
    """A saved state of a document's text: kept for ever, numbered, comparable."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    date = models.DateField()
    body = models.TextField()
    body_html = models.TextField(help_text="The body rendered and sanitised when saved.")
    question = models.TextField(blank=True)
    embargo = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.document_id} r{self.number}"


class ClearanceStep(models.Model):
    """One move of a document through the workflow: from where to where, by whom, when."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="steps")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=16, choices=Clearance.choices)
    to_state = models.CharField(max_length=16, choices=Clearance.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["document", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.from_state} → {self.to_state}"


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(
        default=False, help_text="Public with its document from the next time the document is published."
    )

    class Meta:
        ordering = ["document", "position", "pk"]

    def __str__(self) -> str:
        return self.title
