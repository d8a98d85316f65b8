"""Live rooms: the Janus room behind each engagement, personal join links, the lobby.

Room ids, secrets and pins live here and in Janus only; no page or socket sends them to a browser.
"""

import secrets

from django.db import models

from virtualtrip.rooms.capabilities import DEFAULT_LOBBY_ROLES
from virtualtrip.rooms.enums import AdmissionState, RecordingState
from virtualtrip.rooms.links import FIRST_VERSION
from virtualtrip.trips.models import Engagement, Person


def new_janus_room_id() -> int:
    # JavaScript numbers are exact up to 2**53; Janus ids stay below that.
    return secrets.randbelow(2**52) + 1


def new_room_secret() -> str:
    return secrets.token_urlsafe(24)


def default_lobby_roles() -> list[str]:
    return list(DEFAULT_LOBBY_ROLES)


class Room(models.Model):
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="room")
    janus_room = models.BigIntegerField(unique=True, default=new_janus_room_id)
    secret = models.CharField(max_length=64, default=new_room_secret)
    pin = models.CharField(max_length=64, default=new_room_secret)
    server = models.CharField(max_length=300, blank=True, help_text="The Janus that holds the room.")
    lobby_roles = models.JSONField(
        default=default_lobby_roles, blank=True, help_text="Roles that wait in the lobby until admitted."
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=200, blank=True)
    recording = models.CharField(
        max_length=16, choices=RecordingState.choices, default=RecordingState.NOT_RECORDED, blank=True
    )
    recording_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Room of {self.engagement}"


class RecordingTrack(models.Model):
    """One audio file made from a recorded room: the whole room mixed, or one speaker's voice.

    `file` is relative to settings.RECORDINGS_DIR; `starts_at` is the wall time of the file's first
    sample, so that a transcript can put its words on the clock."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="tracks")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="recording_tracks"
    )
    speaker = models.CharField(max_length=300, blank=True, help_text="Empty for the whole room's mix.")
    language = models.CharField(
        max_length=8,
        blank=True,
        help_text="An interpretation channel's language, for the channel's mix and its interpreters' "
        "files; empty for the floor.",
    )
    file = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    duration_seconds = models.FloatField()
    size_bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["room", "speaker"]

    def __str__(self) -> str:
        if self.speaker:
            return self.speaker
        return f"Channel {self.language}" if self.language else "Whole room"


class JoinPass(models.Model):
    """The current personal join link of one person in one engagement: older versions no longer open
    the room.

    Kept by engagement and person rather than by participant row, so that the version outlives the
    row: a person taken off the list and put back later never makes a revoked link work again."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="join_passes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_passes")
    version = models.PositiveIntegerField(default=FIRST_VERSION)
    device = models.CharField(
        max_length=64, blank=True, help_text="The browser that opened this link first; only it may use it."
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    reissued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "person"], name="join_pass_once_per_engagement")
        ]

    def __str__(self) -> str:
        return f"Join link v{self.version} for {self.person} in {self.engagement}"


class Admission(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="admissions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="admissions")
    state = models.CharField(max_length=16, choices=AdmissionState.choices, default=AdmissionState.WAITING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "person"], name="admission_once_per_engagement")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.state}"


class PublishingGrant(models.Model):
    """The right to publish during a meeting beyond what a person's role gives: audio, video or
    both, until it is withdrawn or its time runs out. One row per person and engagement, changed in
    place: the floor keeps the history (who held the floor from when to when).

    A grant is live while `withdrawn_at` is empty and `until` (if any) is in the future; the proxy
    reads it on every offer, and the sweep withdraws grants past their `until`."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="publishing_grants")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="publishing_grants")
    audio = models.BooleanField(default=True)
    video = models.BooleanField(default=True)
    granted_at = models.DateTimeField()
    granted_by = models.CharField(max_length=200, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=200, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "person"], name="publishing_grant_once_per_engagement"
            )
        ]

    def __str__(self) -> str:
        kinds = " and ".join(kind for kind, on in (("audio", self.audio), ("video", self.video)) if on)
        return f"{self.person} may publish {kinds or 'nothing'} in {self.engagement}"


class LiveFeed(models.Model):
    """Whose voice a publisher in the room's Janus is: the proxy notes it when its seat joins as a
    publisher, so that what listens to a feed (live captions) knows who speaks on it. Janus's own
    display names are not unique and say nothing of a person's id."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="feeds")
    feed = models.BigIntegerField(help_text="The publisher's id in the room's Janus.")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="live_feeds"
    )
    display = models.CharField(max_length=300, blank=True)
    joined_at = models.DateTimeField()
    language = models.CharField(
        max_length=8,
        blank=True,
        help_text="The interpretation channel the feed speaks into, as the trip said when it joined; "
        "blank: the floor. The recording is split on this, whatever the trip says later.",
    )
    left_at = models.DateTimeField(
        null=True, blank=True, help_text="When the publisher's connection closed; empty while it is on."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "feed"], name="one_person_per_feed")]

    def __str__(self) -> str:
        return f"{self.display} on feed {self.feed}"


class ChannelShift(models.Model):
    """One interpreter live on a language channel of the room, from when to when. The open shift
    (no end) is who the channel's listeners hear; the shifts together are the channel's record, which
    its recording and transcript are lined up on."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="channel_shifts")
    language = models.CharField(max_length=8, help_text="ISO 639-1: the language spoken into the channel.")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="channel_shifts"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "language"],
                condition=models.Q(ended_at__isnull=True),
                name="one_interpreter_live_per_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.language} from {self.started_at:%H:%M:%S}"
