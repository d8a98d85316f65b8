from django.contrib import admin

from virtualtrip.trips.forms import DestinationForm, EngagementForm, ParticipantFormSet, PersonForm, TripForm
from virtualtrip.trips.models import Destination, Engagement, Participant, Person, Trip


class ParticipantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Participant
    formset = ParticipantFormSet
    extra = 1
    autocomplete_fields = ["person"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = EngagementForm
    inlines = [ParticipantInline]
    list_display = [
        "title",
        "trip",
        "kind",
        "starts_at",
        "timezone",
        "coverage",
        "ground_rules",
        "public",
        "record",
    ]
    list_filter = ["trip", "kind", "coverage", "ground_rules", "queue_policy", "public", "record"]
    search_fields = ["key", "title"]


class DestinationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Destination
    form = DestinationForm
    extra = 0


@admin.register(Trip)
class TripAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TripForm
    inlines = [DestinationInline]
    list_display = ["title", "slug", "home_city", "home_timezone"]
    search_fields = ["slug", "title"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PersonForm
    list_display = ["name", "key", "trip", "title", "country", "outlet", "from_trip_file"]
    list_filter = ["trip", "from_trip_file", "country"]
    readonly_fields = ["from_trip_file"]
    search_fields = ["key", "name", "label", "outlet"]


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = DestinationForm
    list_display = ["trip", "position", "country", "timezone", "mission"]
    list_filter = ["trip"]
