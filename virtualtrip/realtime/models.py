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


class Stream(models.Model):
    """One room's sequence of events (`floor-12`): `last_seq` is the seq of its newest event."""

    key = models.CharField(max_length=200, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    replay_from = models.PositiveBigIntegerField(
        default=0,
        help_text="The first seq a resuming socket may be sent again: older events are out of date "
        "(names hidden since, on background), so a socket that missed them gets a snapshot.",
    )

    def __str__(self) -> str:
        return f"{self.key} at {self.last_seq}"


class JournalEvent(models.Model):
    """An event of a stream, kept for good: the stream's order is `seq`, which counts 1, 2, 3... with
    no gaps, because each is handed out in the transaction that writes the event (`journal.append`).

    Append-only: a saved event is never changed or deleted (`save` refuses an update). A socket that
    reconnects with the last seq it saw is sent the events after it; the floor log is read from here."""

    stream = models.ForeignKey(Stream, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["stream", "seq"]
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="journal_seq_once_per_stream")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("journal events are never changed once written")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
