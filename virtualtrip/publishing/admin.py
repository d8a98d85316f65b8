"""Documents in the admin: writing, editing with conflict detection, clearance, attachments,
revisions compared, and the day's public schedule drafted from the itinerary.

Every write goes through `actions`; the forms check through them too.
"""

import difflib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse

from virtualtrip.publishing import actions
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.forms import AttachmentForm, EditDocumentForm, NewDocumentForm, document_text
from virtualtrip.publishing.models import Attachment, ClearanceStep, Document, Revision
from virtualtrip.publishing.problems import DocumentInputError, EditConflict, WorkflowRefused
from virtualtrip.trips.models import Trip

# The buttons a document's page offers in each state: (target state, label).
NEXT_STEPS = {
    Clearance.DRAFT: [(Clearance.IN_CLEARANCE, "Send to clearance")],
    Clearance.IN_CLEARANCE: [(Clearance.CLEARED, "Clear"), (Clearance.DRAFT, "Return to the editor")],
    Clearance.CLEARED: [(Clearance.PUBLISHED, "Publish"), (Clearance.DRAFT, "Return to the editor")],
    Clearance.PUBLISHED: [],
}


class RevisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Revision
    fields = readonly_fields = ("number", "title", "created_by", "created_at")
    extra = 0
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClearanceStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ClearanceStep
    fields = readonly_fields = ("at", "from_state", "to_state", "by", "revision", "note")
    extra = 0
    can_delete = False
    verbose_name_plural = "clearance steps"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Attachment
    fields = readonly_fields = ("title", "file", "content_type", "size_bytes", "published")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScheduleDayForm(forms.Form):
    trip = forms.ModelChoiceField(queryset=Trip.objects.all())
    day = forms.DateField(help_text="YYYY-MM-DD, in the trip's home zone")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    change_form_template = "admin/publishing/document/change_form.html"
    change_list_template = "admin/publishing/document/change_list.html"
    list_display = ["title", "trip", "kind", "language", "state", "live", "go_live_at", "date"]
    list_filter = ["state", "live", "kind", "language", "trip"]
    search_fields = ["title", "body"]
    inlines = [AttachmentInline, RevisionInline, ClearanceStepInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "trip",
            "kind",
            "language",
            "translation_of",
            "destination",
            "engagement",
            "state",
            "live",
            "go_live_at",
            "first_published_at",
            "last_published_at",
        ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base: Any = EditDocumentForm if obj is not None else NewDocumentForm
        user = request.user

        class BoundForm(base):  # type: ignore[misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, acting_user=user, **inner)

        kwargs["form"] = BoundForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        if not change:
            created = actions.do_create_document(form.checked, acting_user=request.user)
            obj.__dict__.update(created.__dict__)
            return
        if not form.text_changed():
            return
        try:
            base = form.cleaned_data["base_revision"]
            actions.do_edit_document(
                obj, document_text(form.cleaned_data), base_revision=base, acting_user=request.user
            )
        except EditConflict as conflict:
            messages.error(request, str(conflict))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/advance/",
                self.admin_site.admin_view(self.advance),
                name="publishing_document_advance",
            ),
            path(
                "<int:pk>/withdraw/",
                self.admin_site.admin_view(self.withdraw),
                name="publishing_document_withdraw",
            ),
            path(
                "<int:pk>/attach/", self.admin_site.admin_view(self.attach), name="publishing_document_attach"
            ),
            path(
                "<int:pk>/compare/<int:a>/<int:b>/",
                self.admin_site.admin_view(self.compare),
                name="publishing_document_compare",
            ),
            path(
                "draft-schedule/",
                self.admin_site.admin_view(self.draft_schedule),
                name="publishing_document_draft_schedule",
            ),
        ]
        return own + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        document = get_object_or_404(Document, pk=object_id)
        context = {
            "next_steps": NEXT_STEPS[Clearance(document.state)],
            "state_label": Clearance(document.state).label,
            "document": document,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def _document(self, request: HttpRequest, pk: int, *, to_change: bool = False) -> Document:
        """The document, once the person may open its change page (`to_change`: may save it there).

        The admin site lets in any staff account; each of this admin's own pages asks what the change
        page asks, so a staff account without document permissions reads nothing through them.
        """
        document = get_object_or_404(Document, pk=pk)
        if to_change:
            allowed = self.has_change_permission(request, document)
        else:
            allowed = self.has_view_or_change_permission(request, document)
        if not allowed:
            raise PermissionDenied
        return document

    def advance(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        if request.method == "POST":
            to = request.POST.get("to", "")
            try:
                actions.do_advance_document(
                    document, to, acting_user=request.user, note=request.POST.get("note", "")
                )
            except WorkflowRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, f"“{document.title}” is now {Clearance(to).label.lower()}.")
        return HttpResponseRedirect(reverse("admin:publishing_document_change", args=[pk]))

    def withdraw(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        if request.method == "POST":
            try:
                actions.do_withdraw_document(
                    document, acting_user=request.user, note=request.POST.get("note", "")
                )
            except WorkflowRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, f"“{document.title}” is withdrawn: the public no longer sees it.")
        return HttpResponseRedirect(reverse("admin:publishing_document_change", args=[pk]))

    def attach(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk, to_change=True)
        form = AttachmentForm(
            request.POST or None, request.FILES or None, document=document, acting_user=request.user
        )
        if request.method == "POST" and form.is_valid():
            actions.do_add_attachment(
                document,
                form.cleaned_data["file"],
                form.content_type,
                title=form.cleaned_data["title"],
                acting_user=request.user,
            )
            messages.success(
                request, "The attachment was added; it is public once the document is next published."
            )
            return HttpResponseRedirect(reverse("admin:publishing_document_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "document": document,
            "title": "Add an attachment",
            "opts": self.model._meta,
        }
        return render(
            request, "admin/publishing/document/attach.html", context, status=400 if form.errors else 200
        )

    def compare(self, request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
        document = self._document(request, pk)
        older = get_object_or_404(Revision, document=document, number=a)
        newer = get_object_or_404(Revision, document=document, number=b)
        lines = list(difflib.ndiff(_revision_lines(older), _revision_lines(newer)))
        changes = [(line[0], line[2:]) for line in lines if line[0] in " +-"]
        context = {
            **self.admin_site.each_context(request),
            "document": document,
            "older": older,
            "newer": newer,
            "changes": changes,
            "title": f"Revision {a} and revision {b}",
            "opts": self.model._meta,
        }
        return render(request, "admin/publishing/document/compare.html", context)

    def draft_schedule(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ScheduleDayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = actions.do_draft_public_schedule(
                    form.cleaned_data["trip"],
                    form.cleaned_data["day"],
                    acting_user=request.user,
                )
            except (WorkflowRefused, DocumentInputError) as refused:
                messages.error(request, str(refused))
            else:
                return HttpResponseRedirect(reverse("admin:publishing_document_change", args=[document.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Draft a public schedule",
            "opts": self.model._meta,
        }
        return render(request, "admin/publishing/document/draft_schedule.html", context)


def _revision_lines(revision: Revision) -> list[str]:
    head = [f"Title: {revision.title}", f"Date: {revision.date:%Y-%m-%d}"]
    if revision.embargo:
        head.append(f"Embargo: {revision.embargo.isoformat()}")
    if revision.question:
        head.append(f"Question: {revision.question}")
    return [*head, "", *revision.body.splitlines()]
