"""Admin forms that hold planners to the same rules as the trip-file import."""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from virtualtrip.trips.models import Destination, Engagement, Person, Trip
from virtualtrip.trips.queries import overlapping_engagements
from virtualtrip.trips.times import WallTimeError, get_zone, resolve_wall_time
from virtualtrip.trips.validators import (
    SUMMARY_MAX_LENGTH,
    attribution_problem,
    queue_priority_problems,
    timezone_problem,
    validate_text,
)


class PlainTextForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose text fields refuse control characters, as the trip file does.

    Django's own NUL check is replaced, so a NUL gets one message, the trip file's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field, forms.JSONField):
                field.validators = [
                    v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
                ]
                field.validators.append(validate_text)


class TripForm(PlainTextForm):
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea,
        max_length=SUMMARY_MAX_LENGTH,
        help_text=f"At most {SUMMARY_MAX_LENGTH:,} characters, as in the trip file.",
    )

    class Meta:
        model = Trip
        fields = ["slug", "title", "summary", "principal", "home_city", "home_timezone"]


class PersonForm(PlainTextForm):
    class Meta:
        model = Person
        fields = ["trip", "key", "name", "title", "country", "label", "languages", "outlet", "position"]


class DestinationForm(PlainTextForm):
    class Meta:
        model = Destination
        fields = ["trip", "position", "country", "timezone", "mission", "languages"]


class EngagementForm(PlainTextForm):
    """Times are typed as wall times in the engagement's zone, as in the trip file, and the ground
    rules and the order of questions are held to the trip file's rules."""

    starts_local = forms.DateTimeField(
        label="Starts", help_text="Local wall time in the zone below, e.g. 2021-02-26 10:15"
    )
    ends_local = forms.DateTimeField(label="Ends", help_text="Local wall time in the zone below")
    embargo_local = forms.DateTimeField(
        label="Embargo until",
        required=False,
        help_text="Optional. Local wall time in the engagement's zone; not off the record.",
    )

    class Meta:
        model = Engagement
        fields = [
            "trip",
            "destination",
            "key",
            "kind",
            "title",
            "starts_local",
            "ends_local",
            "timezone",
            "location",
            "coverage",
            "public",
            "record",
            "ground_rules",
            "attribution",
            "embargo_local",
            "queue_policy",
            "queue_priority",
            "position",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engagement = self.instance
        if engagement.pk and not timezone_problem(engagement.timezone):
            zone = get_zone(engagement.timezone)
            self.initial["starts_local"] = engagement.starts_at.astimezone(zone).replace(tzinfo=None)
            self.initial["ends_local"] = engagement.ends_at.astimezone(zone).replace(tzinfo=None)
            if engagement.embargo_until is not None:
                self.initial["embargo_local"] = engagement.embargo_until.astimezone(zone).replace(tzinfo=None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        trip, destination = data.get("trip"), data.get("destination")
        if trip and destination and destination.trip_id != trip.pk:
            self.add_error("destination", "this destination belongs to another trip")
        self._check_press_terms(data)
        zone_name = data.get("timezone")
        if not zone_name or timezone_problem(zone_name):
            return data
        starts = self._instant("starts_local", zone_name)
        ends = self._instant("ends_local", zone_name)
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_local", "ends must be after starts")
            self.instance.starts_at, self.instance.ends_at = starts, ends
        if data.get("embargo_local") is None:
            self.instance.embargo_until = None
        elif data.get("ground_rules") == "off_record":
            self.add_error("embargo_local", "off the record nothing may ever be published: no embargo")
        else:
            self.instance.embargo_until = self._instant("embargo_local", zone_name)
        return data

    def _check_press_terms(self, data: dict[str, Any]) -> None:
        """The trip file's rules for the attribution and the priority list (an embargo before the
        start, a warning in the trip file, is taken as typed)."""
        rule, attribution = data.get("ground_rules"), data.get("attribution")
        if rule and attribution is not None:
            problem = attribution_problem(rule, attribution)
            if problem:
                self.add_error("attribution", problem)
        policy, priority = data.get("queue_policy"), data.get("queue_priority")
        if policy and isinstance(priority, list) and "queue_priority" not in self.errors:
            for _index, message in queue_priority_problems(policy, priority):
                self.add_error("queue_priority", message)

    def _instant(self, field: str, zone_name: str) -> datetime | None:
        value = self.cleaned_data.get(field)
        if value is None:
            return None
        try:
            return resolve_wall_time(value.replace(tzinfo=None), get_zone(zone_name))
        except WallTimeError as error:
            self.add_error(field, str(error))
            return None


class ParticipantFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """Refuses one person in two overlapping engagements, naming both."""

    def clean(self) -> None:
        super().clean()
        engagement: Engagement = self.instance
        if engagement.starts_at is None or engagement.ends_at is None:
            return
        problems = []
        for form in self.forms:
            person = form.cleaned_data.get("person") if hasattr(form, "cleaned_data") else None
            if person is None or form.cleaned_data.get("DELETE"):
                continue
            for other in overlapping_engagements(
                person, engagement.starts_at, engagement.ends_at, besides=engagement
            ):
                problems.append(
                    f"{person.name} is in two engagements at once: '{other.key}' ({other.title}) "
                    f"and '{engagement.key}' overlap"
                )
        if problems:
            raise ValidationError(problems)
