"""Events to browsers over Channels, sent only after the transaction that caused them commits.

With Redis, the channel layer carries an event to every process. With the in-memory layer it reaches
only this process's sockets, so the event is also written to `RelayedEvent`, in the same transaction
as the change that caused it, for `virtualtrip serve` to pass on (`relay`)."""

import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from pydantic import BaseModel

ORIGIN = uuid.uuid4().hex
"""This process, as `RelayedEvent.origin` names it."""


def layer_is_local() -> bool:
    """The channel layer reaches this process's sockets only."""
    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def send_event_on_commit(group: str, event: BaseModel) -> None:
    """Fan `event` out to `group` once the current transaction commits (at once outside one)."""
    fan_out_on_commit(group, {"type": "room.event", "event": event.model_dump(mode="json")})


def fan_out_on_commit(group: str, payload: dict[str, Any]) -> None:
    """Send the channel-layer message `payload` to `group` once the current transaction commits,
    through the relay table too when the layer reaches this process only."""
    if layer_is_local():
        from virtualtrip.realtime.models import RelayedEvent

        RelayedEvent.objects.create(group=group, payload=payload, origin=ORIGIN)

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, payload)

    transaction.on_commit(send)
