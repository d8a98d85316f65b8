from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from virtualtrip.rooms.actions import do_change_lobby_roles, do_decide_admission
from virtualtrip.rooms.enums import AdmissionState
from virtualtrip.rooms.models import Admission, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["engagement", "opened_at", "ended_at", "recording", "links"]
    fields = [
        "engagement",
        "lobby_roles",
        "opened_at",
        "ended_at",
        "ended_by",
        "recording",
        "recording_error",
    ]
    readonly_fields = ["engagement", "opened_at", "ended_at", "ended_by", "recording", "recording_error"]

    def save_model(self, request: HttpRequest, obj: Room, form: Any, change: bool) -> None:
        """A change of lobby roles goes through the rooms action: the people it moves in or out of
        the lobby take their seat anew."""
        if change and "lobby_roles" in form.changed_data:
            do_change_lobby_roles(obj, list(obj.lobby_roles))
        else:
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Room | None = None) -> bool:
        return False  # its meeting would go on in Janus with nobody able to end it

    @admin.display(description="Join links")
    def links(self, room: Room) -> str:
        return format_html('<a href="{}">join links</a>', reverse("rooms:links", args=[room.engagement_id]))


class AdmissionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Admission
        fields = ["state"]

    def clean_state(self) -> str:
        state: str = self.cleaned_data["state"]
        if state == AdmissionState.WAITING and "state" in self.changed_data:
            raise forms.ValidationError("A decision cannot be taken back: admit or refuse.")
        return state


@admin.register(Admission)
class AdmissionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Staff may admit or refuse someone waiting here too: the decision goes through the rooms action,
    so the person's room page hears of it at once, whichever process serves it."""

    list_display = ["person", "engagement", "state", "decided_by", "decided_at"]
    list_filter = ["state"]
    form = AdmissionForm
    fields = ["engagement", "person", "state", "requested_at", "decided_at", "decided_by"]
    readonly_fields = ["engagement", "person", "requested_at", "decided_at", "decided_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a person asks to come in from the room page

    def save_model(self, request: HttpRequest, obj: Admission, form: Any, change: bool) -> None:
        if "state" in form.changed_data:
            acting = f"{request.user.get_username()} (admin)"
            do_decide_admission(obj, obj.state == AdmissionState.ADMITTED, acting=acting)
