"""Events to browsers that must cross processes when the channel layer cannot carry them."""

from django.db import models


class RelayedEvent(models.Model):
    """A room event made by a process whose channel layer is its own (the in-memory one): a command
    such as `join-link --reissue`, or a re-import. `virtualtrip serve` polls this table and passes on
    the events other processes made to the sockets it holds (see `relay`). Rows are kept a short
    while only; the id is the order."""

    group = models.CharField(max_length=200)
    payload = models.JSONField()
    origin = models.CharField(max_length=64, help_text="The process that made the event.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payload.get('event', {}).get('type', '?')} to {self.group}"
