"""The admin's forms for documents: they check through `actions`, so the web follows the same rules
as the command line."""

from typing import Any

from django import forms

from virtualtrip.publishing import actions
from virtualtrip.publishing.actions import DocumentPlace, DocumentText
from virtualtrip.publishing.models import Attachment, Document
from virtualtrip.publishing.problems import DocumentInputError, EditConflict, WorkflowRefused

TEXT_FIELDS = ["title", "date", "body", "question", "embargo"]


def document_text(data: dict[str, Any]) -> DocumentText:
    return DocumentText(
        title=data.get("title") or "",
        date=data["date"],
        body=data.get("body") or "",
        question=data.get("question") or "",
        embargo=data.get("embargo"),
    )


REFUSALS = (DocumentInputError, EditConflict, WorkflowRefused)


def _report(form: forms.ModelForm, refused: Exception) -> None:  # type: ignore[type-arg]
    """An action's refusal as form errors: each input problem on its field, anything else on top."""
    if not isinstance(refused, DocumentInputError):
        form.add_error(None, str(refused))
        return
    for problem in refused.problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


class NewDocumentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Document
        fields = ["trip", "kind", "language", "translation_of", "destination", "engagement", *TEXT_FIELDS]

    def __init__(self, *args: Any, acting_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.checked: actions.CheckedDocument | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or "date" not in data:
            return data
        destination, engagement, original = (
            data.get("destination"),
            data.get("engagement"),
            data.get("translation_of"),
        )
        place = DocumentPlace(
            kind=data["kind"],
            language=data["language"],
            destination=destination.country if destination else None,
            engagement=engagement.key if engagement else None,
            translation_of=original.pk if original else None,
        )
        try:
            self.checked = actions.check_create_document(
                data["trip"], place, document_text(data), acting_user=self.acting_user
            )
        except REFUSALS as refused:
            _report(self, refused)
        return data


class EditDocumentForm(forms.ModelForm):  # type: ignore[type-arg]
    """Editing keeps the revision the editor started from, so a save over someone else's is refused."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Document
        fields = TEXT_FIELDS

    def __init__(self, *args: Any, acting_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        if not self.is_bound:
            self.initial["base_revision"] = self.instance.revision_number

    def text_changed(self) -> bool:
        return any(name in self.changed_data for name in TEXT_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or not self.text_changed():
            return data
        try:
            actions.check_edit_document(
                Document.objects.get(pk=self.instance.pk),
                document_text(data),
                base_revision=data["base_revision"],
                acting_user=self.acting_user,
            )
        except REFUSALS as refused:
            _report(self, refused)
        return data


class AttachmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Attachment
        fields = ["title", "file"]

    def __init__(self, *args: Any, document: Document, acting_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document, self.acting_user = document, acting_user
        self.content_type = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.content_type = actions.check_add_attachment(
                self.document, upload, acting_user=self.acting_user
            )
        except DocumentInputError as error:
            raise forms.ValidationError(error.problems[0].message) from None
        except WorkflowRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload
