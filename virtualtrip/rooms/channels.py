"""An engagement's interpretation channels as the room's pages see them.

A channel is a language with at least one interpreter speaking into it. Interpreters publish audio
only, as ordinary publishers of the room's VideoRoom; what makes a publisher a channel's is the
server's word, never the page's: the person behind the feed (`LiveFeed`, noted by the proxy) is one
of the engagement's interpreters into that language. Every page hears the floor; a page tuned to a
channel plays the one interpreter live on it (`ChannelShift`) at full level and the floor under it.
See docs/rooms.md, "Interpretation".
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import get_language_info

from virtualtrip.rooms.models import ChannelShift, LiveFeed, Room
from virtualtrip.rooms.recordings import ChannelPlan
from virtualtrip.rooms.seats import Seat, person_seat_key
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.queries import Interpreter, engagement_languages, list_interpreters
from virtualtrip.trips.validators import language_name


def autonym(code: str) -> str:
    """A language's name in itself, as a channel picker shows it ("Español", "Français")."""
    try:
        name = str(get_language_info(code)["name_local"])
    except KeyError:
        name = language_name(code)
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Channel:
    language: str
    interpreters: list[Interpreter]


def list_channels(engagement: Engagement) -> list[Channel]:
    """The engagement's channels in the order of its languages; a language nobody interprets into
    has none. An interpreter into a language the engagement no longer names (an admin edit) still
    has their channel, after the others."""
    interpreters = list_interpreters(engagement.pk)
    targets = [interpreter.target for interpreter in interpreters]
    order = [code for code in engagement_languages(engagement) if code in targets]
    order += [code for code in dict.fromkeys(targets) if code not in order]
    return [Channel(code, [i for i in interpreters if i.target == code]) for code in order]


def interpreter_ids(channels: list[Channel]) -> list[int]:
    return [interpreter.person_id for channel in channels for interpreter in channel.interpreters]


def channel_of(engagement: Engagement, person_id: int) -> Channel | None:
    """The channel this person speaks into, when they are one of the engagement's interpreters."""
    for channel in list_channels(engagement):
        if any(interpreter.person_id == person_id for interpreter in channel.interpreters):
            return channel
    return None


def live_shifts(room: Room | None) -> dict[str, ChannelShift]:
    if room is None:
        return {}
    return {shift.language: shift for shift in ChannelShift.objects.filter(room=room, ended_at__isnull=True)}


def interpreter_feeds(room: Room | None, people: list[int]) -> dict[int, list[int]]:
    """Each person's publisher ids in the room's Janus that speak into a channel: those that left
    first, then those still connected, each oldest first. A rejoin or a second tab gives a new one;
    the last is the one heard on air (a newer tab that closed does not silence the open one)."""
    if room is None or not people:
        return {}
    rows = LiveFeed.objects.filter(room=room, person_id__in=people).exclude(language="")
    feeds: dict[int, list[int]] = {}
    for row in sorted(rows, key=lambda r: (r.left_at is None, r.joined_at, r.pk)):
        if row.person_id is not None:
            feeds.setdefault(row.person_id, []).append(row.feed)
    return feeds


def present_interpreters(room: Room) -> set[int]:
    """The interpreters whose microphone is connected to the room now (a publisher not yet closed)."""
    rows = LiveFeed.objects.filter(room=room, left_at__isnull=True, person__isnull=False).exclude(language="")
    return set(rows.values_list("person_id", flat=True))


def channels_part(engagement: Engagement, room: Room | None) -> list[dict[str, Any]]:
    """What every page gets: each channel's language, its name, its interpreters' feeds (`feed` the
    latest, the one heard; `feeds` every one, none of which is the floor), whether each is connected
    and who is live. No interpreter's name: a press seat has no need of it."""
    channels = list_channels(engagement)
    feeds = interpreter_feeds(room, interpreter_ids(channels))
    present = present_interpreters(room) if room is not None else set()
    live = live_shifts(room)
    return [
        {
            "language": channel.language,
            "name": autonym(channel.language),
            "interpreters": [
                {
                    "person": i.person_id,
                    "feed": feeds[i.person_id][-1] if feeds.get(i.person_id) else None,
                    "feeds": feeds.get(i.person_id, []),
                    "present": i.person_id in present,
                }
                for i in channel.interpreters
            ],
            "on_air": live[channel.language].person_id if channel.language in live else None,
        }
        for channel in channels
    ]


def booth_part(engagement: Engagement, person_id: int | None) -> dict[str, Any] | None:
    """What an interpreter's page adds: their channel and their booth partners by name."""
    channel = channel_of(engagement, person_id) if person_id is not None else None
    if channel is None:
        return None
    return {
        "language": channel.language,
        "name": autonym(channel.language),
        "interpreters": [{"person": i.person_id, "name": i.name} for i in channel.interpreters],
    }


def seat_part(seat: Seat) -> dict[str, Any]:
    """The channels in a seat's `room.state`, with its booth when the seat is an interpreter's."""
    engagement = Engagement.objects.select_related("destination").get(pk=seat.engagement_id)
    room = Room.objects.filter(engagement=engagement).first()
    booth = booth_part(engagement, seat.person_id) if seat.role == Role.INTERPRETER else None
    return {"channels": channels_part(engagement, room), "booth": booth}


def recording_plan(room: Room) -> ChannelPlan:
    """Which recorded seats are interpreters, into which language, and when each was live: from the
    room's own record (the feeds as they joined, the shifts), not from today's trip, so that an
    interpreter removed or re-paired since the meeting is still split out as they were heard."""
    languages = {
        person_seat_key(person): language
        for person, language in LiveFeed.objects.filter(room=room, person__isnull=False)
        .exclude(language="")
        .order_by("joined_at", "pk")
        .values_list("person_id", "language")
    }
    live: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for shift in ChannelShift.objects.filter(room=room, person__isnull=False).order_by("started_at"):
        if shift.person_id is not None:
            key = person_seat_key(shift.person_id)
            languages.setdefault(key, shift.language)
            live.setdefault(key, []).append((shift.started_at, shift.ended_at))
    return ChannelPlan(languages, live)


def channel_feeds(room: Room) -> set[int]:
    """Every publisher id in the room that speaks into a channel (whatever its interpreter's shift):
    not the floor, for what listens to the floor (live captions)."""
    return set(LiveFeed.objects.filter(room=room).exclude(language="").values_list("feed", flat=True))
