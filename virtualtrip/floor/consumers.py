"""The floor socket, `/ws/floor/ID/?since=SEQ`: the floor's state, its events, and its commands.

It parses and calls: every decision is in `actions`, every view in `state`."""

from collections.abc import Callable
from typing import Any

from django.conf import settings

from virtualtrip.floor import actions, protocol
from virtualtrip.floor.people import Viewer
from virtualtrip.floor.state import authors, initial_state, stream_key, view
from virtualtrip.realtime.consumers import OpenSockets, PerEvent, ResumableConsumer
from virtualtrip.realtime.journal import Event
from virtualtrip.rooms.access import arrive
from virtualtrip.rooms.protocol import seat_group
from virtualtrip.rooms.queries import RoomAccessDenied
from virtualtrip.trips.models import Engagement

Command = Callable[[Viewer, Engagement, dict[str, object]], Any]
SOCKETS_PER_SEAT = 8
"""The default of `settings.FLOOR_SOCKETS_PER_SEAT`: a seat's floor sockets open in one process (a
room page holds one; a few tabs and a reconnect or two fit)."""
OPEN = OpenSockets()
"""The floor sockets open in this process, by engagement and seat."""


def sockets_per_seat() -> int:
    return int(getattr(settings, "FLOOR_SOCKETS_PER_SEAT", SOCKETS_PER_SEAT))


def _engagement(viewer: Viewer) -> Engagement:
    return Engagement.objects.select_related("trip").get(pk=viewer.engagement_id)


def _command(run: Command) -> Callable[[Viewer, dict[str, object]], dict[str, Any]]:
    def handle(viewer: Viewer, body: dict[str, object]) -> dict[str, Any]:
        result = run(viewer, _engagement(viewer), body)
        return {"question": result.pk} if hasattr(result, "pk") else {}

    return handle


def _empty(action: Callable[[Viewer, Engagement], Any]) -> Command:
    def run(viewer: Viewer, engagement: Engagement, body: dict[str, object]) -> Any:
        protocol.Empty.model_validate(body)
        return action(viewer, engagement)

    return run


def _ask(viewer: Viewer, engagement: Engagement, body: dict[str, object]) -> Any:
    return actions.check_ask(viewer, engagement, protocol.AskBody.model_validate(body).text)


def _on_question(action: Callable[[Viewer, Engagement, int], Any]) -> Command:
    def run(viewer: Viewer, engagement: Engagement, body: dict[str, object]) -> Any:
        return action(viewer, engagement, protocol.QuestionBody.model_validate(body).question)

    return run


def _give(viewer: Viewer, engagement: Engagement, body: dict[str, object]) -> Any:
    given = protocol.GiveBody.model_validate(body)
    return actions.check_give_floor(viewer, engagement, given.question, given.person)


def _take(viewer: Viewer, engagement: Engagement, body: dict[str, object]) -> Any:
    taken = protocol.TakeBody.model_validate(body)
    return actions.check_take_question(viewer, engagement, taken.question, taken.owner, taken.due)


COMMANDS: dict[str, Command] = {
    "hand.raise": _empty(actions.check_raise_hand),
    "hand.lower": _empty(actions.check_lower_hand),
    "question.ask": _ask,
    "question.withdraw": _on_question(actions.check_withdraw),
    "floor.give": _give,
    "floor.take_back": _empty(actions.check_take_floor_back),
    "floor.follow_up": _empty(actions.check_follow_up),
    "question.read_aloud": _on_question(actions.check_read_aloud),
    "question.take": _take,
    "briefing.one_more": _empty(actions.check_one_more),
    "briefing.end": _empty(actions.check_end),
}


def viewer_of(scope: dict[str, Any], engagement_id: int) -> Viewer | None:
    """The floor viewer behind a socket: the seat rooms gives the browser, or None without one."""
    try:
        arrival = arrive(scope, engagement_id)
    except (RoomAccessDenied, Engagement.DoesNotExist):
        return None
    seat = arrival.seat
    return Viewer(
        engagement_id=engagement_id,
        person_id=seat.person_id,
        user_id=seat.user_id,
        role=seat.role,
        console=seat.can.keeps_lobby,
        in_lobby=seat.in_lobby,
        seat_key=seat.key,
    )


class FloorConsumer(ResumableConsumer):
    commands = {name: _command(run) for name, run in COMMANDS.items()}
    state_type = "floor.state"

    def authenticate(self) -> Viewer | None:
        return viewer_of(self.scope, int(self.scope["url_route"]["kwargs"]["engagement_id"]))

    def stream_of(self, viewer: Viewer) -> str:
        return stream_key(viewer.engagement_id)

    def groups_of(self, viewer: Viewer) -> list[str]:
        return [seat_group(viewer.engagement_id, viewer.seat_key)]

    def occupy(self, viewer: Viewer) -> str | None:
        limit = sockets_per_seat()
        if OPEN.take((viewer.engagement_id, viewer.seat_key), limit):
            return None
        return f"too many sockets: this seat already has {limit} floor sockets open; close a tab or window"

    def vacate(self) -> None:
        OPEN.give_back((self.viewer.engagement_id, self.viewer.seat_key))

    def snapshot(self, viewer: Viewer) -> dict[str, Any]:
        return initial_state(_engagement(viewer), viewer)

    def view(self, event: Event, viewer: Viewer) -> dict[str, Any] | None:
        return view(event.body, viewer)

    def view_key(self, event: Event, viewer: Viewer) -> str | None:
        """The console sees every event whole; everyone else the same, but for their own questions."""
        if viewer.console:
            return "console"
        written = AUTHORS.get_or_make((self.stream, event.seq), lambda: authors(event.body))
        return None if viewer.person_id in written else "public"


AUTHORS: PerEvent[frozenset[int]] = PerEvent(size=256)
"""Who wrote a text an event carries (their view of it is their own), found once per event."""
