"""The itinerary: a trip, its people, its destinations and their engagements.

Times are stored in UTC; every engagement keeps the IANA zone its local times are read in.
"""

from django.db import models
from django.urls import reverse

from virtualtrip.trips.enums import Coverage, EngagementKind, GroundRules, QueuePolicy, Role
from virtualtrip.trips.validators import (
    ATTRIBUTION_MAX_LENGTH,
    validate_attribution_text,
    validate_country,
    validate_languages,
    validate_queue_priority,
    validate_timezone,
)


class Trip(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    principal = models.ForeignKey(
        "Person", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    home_city = models.CharField(max_length=200)
    home_timezone = models.CharField(max_length=64, validators=[validate_timezone])
    terms = models.JSONField(
        default=list, blank=True, help_text="Names recordings may say: places, organisations, programmes."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The trip's landing page, which publishing serves: it shows the trip's documents."""
        return reverse("publishing:trip", args=[self.slug])


class Person(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="people")
    key = models.SlugField(max_length=100, help_text="The person's id in the trip file.")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2", validators=[validate_country]
    )
    label = models.CharField(max_length=200, blank=True, help_text="How a transcript names this speaker.")
    languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes", validators=[validate_languages]
    )
    outlet = models.CharField(max_length=200, blank=True, help_text="Journalists: their outlet")
    position = models.PositiveIntegerField(default=0)
    from_trip_file = models.BooleanField(
        default=True,
        help_text="Unticked: added for one engagement (an accredited journalist, a town hall's audience); "
        "a re-import keeps them and an export leaves them out.",
    )

    class Meta:
        ordering = ["trip", "position", "key"]
        verbose_name_plural = "people"
        constraints = [models.UniqueConstraint(fields=["trip", "key"], name="person_key_unique_in_trip")]

    def __str__(self) -> str:
        return self.name


class Destination(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="destinations")
    position = models.PositiveIntegerField(default=0)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2", validators=[validate_country])
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    mission = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes", validators=[validate_languages]
    )

    class Meta:
        ordering = ["trip", "position"]

    def __str__(self) -> str:
        return f"{self.trip.slug}: {self.country}"


class Engagement(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="engagements")
    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="engagements")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=100, help_text="The engagement's id in the trip file.")
    kind = models.CharField(max_length=32, choices=EngagementKind.choices)
    title = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(
        max_length=64, help_text="The zone of the local side.", validators=[validate_timezone]
    )
    location = models.CharField(max_length=200, blank=True)
    coverage = models.CharField(max_length=16, choices=Coverage.choices)
    public = models.BooleanField(
        default=False, help_text="Unticked: never on any public page, feed or calendar."
    )
    record = models.BooleanField(
        default=False, help_text="Ticked: the media server records the room and keeps its audio."
    )
    ground_rules = models.CharField(max_length=16, choices=GroundRules.choices, default=GroundRules.ON_RECORD)
    attribution = models.CharField(
        max_length=ATTRIBUTION_MAX_LENGTH,
        blank=True,
        validators=[validate_attribution_text],
        help_text="On background only: how the press names the speaker, "
        "e.g. A SENIOR STATE DEPARTMENT OFFICIAL.",
    )
    embargo_until = models.DateTimeField(
        null=True, blank=True, help_text="Nothing said may be published before this time."
    )
    queue_policy = models.CharField(
        max_length=16, choices=QueuePolicy.choices, default=QueuePolicy.FIRST_COME
    )
    queue_priority = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_queue_priority],
        help_text="With the priority order: outlets' names or ISO 3166-1 alpha-2 codes, in order, "
        'e.g. ["MX", "CBC"].',
    )
    terms = models.JSONField(
        default=list, blank=True, help_text="Names its recording may say, beyond the trip's."
    )
    languages = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_languages],
        help_text="ISO 639-1 codes of its interpretation channels; empty: the destination's and the "
        "participants' languages.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "position"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "key"], name="engagement_key_unique_in_trip"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="engagement_ends_after_start",
            ),
            # The press needs an attribution on background, and one anywhere else would mislead.
            models.CheckConstraint(
                condition=(
                    models.Q(ground_rules=GroundRules.BACKGROUND) & ~models.Q(attribution="")
                    | ~models.Q(ground_rules=GroundRules.BACKGROUND) & models.Q(attribution="")
                ),
                name="engagement_attribution_on_background_only",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=16, choices=Role.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["engagement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "person"], name="participant_once_per_engagement")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"
