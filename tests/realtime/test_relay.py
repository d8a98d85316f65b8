"""The relay `serve` runs without Redis: events other processes wrote reach this process's groups once."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from virtualtrip.realtime import ORIGIN
from virtualtrip.realtime.models import RelayedEvent
from virtualtrip.realtime.relay import KEEP, Relay, forget_old_events

# The relay serves a process whose channel layer is its own, whatever layer the test run has.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]
GROUP = "seat-7-p9"


def made_elsewhere(kind: str, origin: str = "another-process") -> RelayedEvent:
    payload = {"type": "room.event", "event": {"type": kind, "person": 9, "reason": "Ünïcode reason"}}
    return RelayedEvent.objects.create(group=GROUP, payload=payload, origin=origin)


async def listen():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    return channel


async def received(channel: str, count: int) -> list[str]:
    layer = get_channel_layer()
    return [(await layer.receive(channel))["event"]["type"] for _ in range(count)]


def test_events_from_other_processes_are_sent_once_and_own_ones_never() -> None:
    relay = Relay()
    channel = async_to_sync(listen)()
    made_elsewhere("seat.revoked")
    made_elsewhere("admission.decided", origin=ORIGIN)  # this process sent it already
    assert async_to_sync(relay.once)() == 1
    assert async_to_sync(relay.once)() == 0
    made_elsewhere("lobby.changed")
    assert async_to_sync(relay.once)() == 1
    assert async_to_sync(received)(channel, 2) == ["seat.revoked", "lobby.changed"]


def test_an_event_committed_late_with_a_lower_id_is_still_sent() -> None:
    relay = Relay()
    early = made_elsewhere("seat.revoked")  # a long transaction's event: its id comes first...
    later = made_elsewhere("lobby.changed")
    early_id = early.pk
    early.delete()  # ...but it is not visible yet at the first look
    assert async_to_sync(relay.once)() == 1
    RelayedEvent.objects.create(pk=early_id, group=GROUP, payload=early.payload, origin=early.origin)
    assert async_to_sync(relay.once)() == 1
    assert later.pk > early_id


def test_events_made_before_the_relay_started_are_old_news() -> None:
    made_elsewhere("seat.revoked")
    assert async_to_sync(Relay().once)() == 0


def test_old_rows_are_cleared_out() -> None:
    old = made_elsewhere("seat.revoked")
    RelayedEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - KEEP - timedelta(seconds=1))
    fresh = made_elsewhere("lobby.changed")
    forget_old_events(timezone.now())
    assert list(RelayedEvent.objects.values_list("pk", flat=True)) == [fresh.pk]
