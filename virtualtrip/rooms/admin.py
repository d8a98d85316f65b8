from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

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

    @admin.display(description="Join links")
    def links(self, room: Room) -> str:
        return format_html('<a href="{}">join links</a>', reverse("rooms:links", args=[room.engagement_id]))


@admin.register(Admission)
class AdmissionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["person", "engagement", "state", "decided_by", "decided_at"]
    list_filter = ["state"]
