"""The one helper that checks the floor's reconnect contract (Zulip's `verify_action`).

Run an action; take the events it appended to the floor's stream, as each viewer is sent them; apply
them to that viewer's state from before; the result must equal a fresh `initial_state`. A socket
that resumes gets exactly these events, one that reconnects late gets the fresh state, and every
open socket gets the events by fan-out: so this one check covers resume, snapshots and fan-out."""

from collections.abc import Callable, Sequence
from typing import Any

from virtualtrip.floor.people import Viewer
from virtualtrip.floor.state import apply_event, initial_state, stream_key, view
from virtualtrip.realtime import journal
from virtualtrip.trips.models import Engagement


def verify_action(
    engagement: Engagement, viewers: Sequence[Viewer], action: Callable[[], Any], *, events: int | None = None
) -> list[journal.Event]:
    """The events `action` appended, after checking every viewer's state follows from them (and
    that they number `events`, when given)."""
    key = stream_key(engagement.pk)
    before = {viewer: initial_state(engagement, viewer) for viewer in viewers}
    head = journal.head(key)
    action()
    appended = journal.events_between(key, head)
    assert [event.seq for event in appended] == list(range(head + 1, head + 1 + len(appended))), (
        "seq has a gap"
    )
    if events is not None:
        assert len(appended) == events, [event.type for event in appended]
    for viewer in viewers:
        state = before[viewer]
        for event in appended:
            seen = view(event.body, viewer)
            state = apply_event(state, seen)
            assert apply_event(state, seen) == state, f"{event.type} applied twice changes the state"
        assert state == initial_state(engagement, viewer), f"{viewer.role} after {[e.type for e in appended]}"
    return appended
