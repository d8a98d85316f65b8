"""Events to browsers over Channels, sent only after the transaction that caused them commits."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from pydantic import BaseModel


def send_event_on_commit(group: str, event: BaseModel) -> None:
    """Fan `event` out to `group` once the current transaction commits (at once outside one)."""
    payload: dict[str, Any] = {"type": "room.event", "event": event.model_dump(mode="json")}

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, payload)

    transaction.on_commit(send)
