"""The live, read-only floor feed for outside tools (an interpreters' booth, a newsroom), over
Server-Sent Events: `GET /floor/ID/feed/?token=...`.

Each message is the feed's whole state (who holds the floor, how many wait, the ground rules, the
briefing's status) as one `data:` JSON line, with `id:` the floor stream's seq it is as of. The feed
follows the floor's channel group (which carries every event on Redis, and under `virtualtrip serve`
on the in-memory layer, whose relay passes on other processes' events); the seq in each event says
when one was missed (a full channel drops messages), and then the state is read afresh. A quiet floor
gets a comment line every `HEARTBEAT_SECONDS`, after which the state is read afresh too, so nothing
waits longer than that, even a change made without an event (a re-import's new ground rules).

Resuming: a client that sends `Last-Event-ID` (EventSource does on reconnecting) equal to the
stream's head gets nothing until the next change; one behind gets the state as it is now, with the
newest id. The messages are states, not deltas, so the newest one is all a client needs.

The token is a signature of the engagement's id and its feed key's version (`FeedKey`). Staff
issuing a new feed link raise the version: older links are refused from then on, and a feed open
with one ends at its next heartbeat or message (after a comment saying why)."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from virtualtrip.floor.models import FeedKey
from virtualtrip.floor.queries import feed_view
from virtualtrip.floor.state import PARTS, apply_event, console_parts, stream_key
from virtualtrip.realtime import journal
from virtualtrip.trips.models import Engagement

Actor = AbstractBaseUser | AnonymousUser | None
SALT = "virtualtrip.floor.feed"
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 3000
REPLACED = b": this feed link was replaced: copy the new one from the floor's staff page\n\n"


def feed_token(engagement_id: int, version: int = 0) -> str:
    """The feed token of one version of the engagement's feed key: a signature of its id (version 0,
    as links were first shown, so they keep working until staff replace them) or of its id and the
    version. The same every time it is shown."""
    signed = str(engagement_id) if version == 0 else f"{engagement_id}:{version}"
    return signing.Signer(salt=SALT).signature(signed)


def feed_version(engagement_id: int) -> int:
    """The version of the engagement's feed key now (0 before staff ever replaced the link)."""
    version = FeedKey.objects.filter(engagement_id=engagement_id).values_list("version", flat=True).first()
    return version or 0


def current_token(engagement_id: int) -> str:
    return feed_token(engagement_id, feed_version(engagement_id))


def token_version(engagement_id: int, token: str) -> int | None:
    """The version a token is valid for, if it is the current one; None otherwise."""
    version = feed_version(engagement_id)
    if token and constant_time_compare(token, feed_token(engagement_id, version)):
        return version
    return None


@transaction.atomic
def do_new_feed_link(engagement: Engagement, *, acting_user: Actor) -> str:
    """The engagement's new feed token. Side effects: the feed key's version goes up by one (and
    records who raised it): every link shown before is refused from now on, and a feed open with one
    ends at its next heartbeat or message."""
    key, _created = FeedKey.objects.get_or_create(engagement=engagement)
    FeedKey.objects.filter(pk=key.pk).update(
        version=F("version") + 1,
        changed_at=timezone.now(),
        changed_by=acting_user if isinstance(acting_user, AbstractBaseUser) else None,
    )
    return current_token(engagement.pk)


def message(seq: int, state: dict[str, Any]) -> bytes:
    """One Server-Sent Event: its id and its data on one line (JSON escapes any line break)."""
    data = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    return f"id: {seq}\ndata: {data}\n\n".encode()


def last_event_id(header: str | None) -> int | None:
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None


def _read_snapshot(engagement_id: int) -> tuple[int, dict[str, Any]]:
    """The stream's head, then the parts as they are now (at least as new as that head)."""
    head = journal.head(stream_key(engagement_id))
    return head, console_parts(Engagement.objects.select_related("trip").get(pk=engagement_id))


async def _snapshot(engagement_id: int) -> tuple[int, dict[str, Any]]:
    snapshot: tuple[int, dict[str, Any]] = await database_sync_to_async(_read_snapshot)(engagement_id)
    return snapshot


class _Follower:
    """The feed's running parts and the seq they are as of; each step gives what to send, if anything."""

    def __init__(self, seq: int, parts: dict[str, Any]) -> None:
        self.seq, self.parts = seq, parts
        self.sent = feed_view(parts)

    def _changed(self) -> bytes | None:
        state = feed_view(self.parts)
        if state == self.sent:
            return None
        self.sent = state
        return message(self.seq, state)

    def advance(self, event: journal.Event) -> bytes | None:
        if event.seq <= self.seq:
            return None
        self.seq = event.seq
        self.parts = apply_event(self.parts, {p: event.body[p] for p in PARTS if p in event.body})
        return self._changed()

    def reset(self, seq: int, parts: dict[str, Any]) -> bytes | None:
        """Take a fresh snapshot: after a missed event, or a change made without one (a re-import
        that changed the ground rules)."""
        self.seq, self.parts = max(seq, self.seq), parts
        return self._changed()


async def _replaced(engagement_id: int, version: int) -> bool:
    current: int = await database_sync_to_async(feed_version)(engagement_id)
    return current != version


async def feed_events(engagement_id: int, last_seen: int | None, version: int = 0) -> AsyncIterator[bytes]:
    """The feed's stream, for as long as the client stays (the server cancels it when they go) and
    the feed key keeps the `version` its token was valid for."""
    layer = get_channel_layer()
    assert layer is not None, "the feed needs a channel layer"
    key = stream_key(engagement_id)
    channel = await layer.new_channel()
    await layer.group_add(key, channel)
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        follower = _Follower(*await _snapshot(engagement_id))
        if last_seen != follower.seq:
            yield message(follower.seq, follower.sent)
        while True:
            try:
                received = await asyncio.wait_for(layer.receive(channel), HEARTBEAT_SECONDS)
            except TimeoutError:
                received = None
            if await _replaced(engagement_id, version):
                yield REPLACED
                return
            if received is None:
                yield b": still here\n\n"
            event = _event_in(received)
            if event is not None and event.seq <= follower.seq + 1:
                sent = follower.advance(event)
            elif received is None or event is not None:  # quiet for a while, or an event was missed
                sent = follower.reset(*await _snapshot(engagement_id))
            else:
                sent = None
            if sent is not None:
                yield sent
    finally:
        await layer.group_discard(key, channel)


def _event_in(received: dict[str, Any] | None) -> journal.Event | None:
    if received is None or received.get("type") != journal.EVENT_MESSAGE:
        return None
    return journal.Event.from_message(received["event"])
