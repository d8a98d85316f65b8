"""The room's two sockets, as a browser would use them, against the app under uvicorn and the real
Janus: who may admit, refuse and end; what a seat in one room opens in another; a room before it
opens and after it ends."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from tests.janus import run_async
from tests.rooms.sockets import WAIT_S, closed_with
from tests.rooms.test_ending import exists
from virtualtrip.rooms.consumers import CLOSE_CLOSED, CLOSE_DENIED
from virtualtrip.rooms.models import Room
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.janus
NOT_OPEN = {"code": 409, "reason": "not_open: this room is not open"}


def test_only_a_keeper_admits_or_ends(new_browser) -> None:
    engagement = live_engagement()
    counterpart = seat(engagement, Role.COUNTERPART)
    journalist = seat(engagement, Role.PRESS)
    press = new_browser(journalist).control(engagement.pk)
    press.next("room.state")
    assert press.command("lobby.knock") == {"type": "ok", "admission": "waiting"}

    counterpart_browser = new_browser(counterpart)
    counterpart_browser.janus(engagement.pk).videoroom_handle()  # the room is made, on Janus too
    for who in (counterpart_browser.control(engagement.pk), press):
        assert who.command("lobby.admit", person=journalist.person_id) == {
            "type": "error",
            "reason": "Only a host, a moderator or the principal's staff admit people.",
        }
        assert who.command("room.end") == {
            "type": "error",
            "reason": "Only a host, a moderator or the principal's staff end the meeting.",
        }
    assert Room.objects.get(engagement=engagement).ended_at is None


def test_a_meeting_nobody_entered_has_nothing_to_end(new_browser) -> None:
    engagement = live_engagement()
    host = new_browser(seat(engagement, Role.HOST)).control(engagement.pk)
    assert host.command("room.end") == {
        "type": "error",
        "reason": "Nobody has entered this room yet: there is no meeting to end.",
    }
    assert host.command("room.end")["type"] == "error"  # the channel is still there


def test_refused_journalist_is_told_and_cannot_join_the_media(new_browser) -> None:
    engagement = live_engagement()
    host = new_browser(seat(engagement, Role.HOST)).control(engagement.pk)
    assert host.next("room.state")["waiting"] == []
    journalist = seat(engagement, Role.PRESS, name="Sam Reed", outlet="Daily Wire Service", country="US")
    press_browser = new_browser(journalist)
    press = press_browser.control(engagement.pk)
    press.next("room.state")
    press.command("lobby.knock")
    assert host.next("lobby.changed")["waiting"] == [
        {"person": journalist.person_id, "display": "Sam Reed — Daily Wire Service, United States"}
    ]

    assert host.command("lobby.refuse", person=journalist.person_id)["type"] == "ok"
    assert press.next("admission.decided") == {"person": journalist.person_id, "state": "refused"}
    assert host.next("lobby.changed")["waiting"] == []

    janus = press_browser.janus(engagement.pk)
    handle = janus.videoroom_handle()
    join = {"request": "join", "ptype": "subscriber", "feed": 1}
    answer = janus.request({"janus": "message", "handle_id": handle, "body": join})
    assert answer["error"] == {"code": 403, "reason": "you are waiting in the lobby until a host admits you"}
    assert press_browser.control(engagement.pk).next("room.state")["admission"] == "refused"


def test_a_host_ends_the_meeting_for_everyone_and_its_janus_room_is_destroyed(new_browser) -> None:
    engagement = live_engagement()
    host_browser = new_browser(seat(engagement, Role.HOST, name="Dana Host"))
    counterpart_browser = new_browser(seat(engagement, Role.COUNTERPART))
    counterpart_browser.janus(engagement.pk).videoroom_handle()  # the room is made on Janus
    room = Room.objects.get(engagement=engagement)
    assert run_async(lambda: exists(room))
    counterpart = counterpart_browser.control(engagement.pk)
    counterpart.next("room.state")

    assert host_browser.control(engagement.pk).command("room.end")["type"] == "ok"
    assert counterpart.next("room.ended")["by"].startswith("Dana Host")
    assert closed_with(counterpart.socket) == CLOSE_CLOSED
    assert not run_async(lambda: exists(room))
    room.refresh_from_db()
    assert room.ended_at is not None
    assert counterpart_browser.control(engagement.pk).next("room.state")["status"] == "ended"
    assert counterpart_browser.janus(engagement.pk).turned_away() == (NOT_OPEN, CLOSE_CLOSED)


def test_a_seat_in_one_room_opens_no_other(new_browser) -> None:
    engagement = live_engagement()
    other = live_engagement(trip=engagement.trip)
    browser = new_browser(seat(engagement, Role.PRINCIPAL))
    assert browser.control(engagement.pk).next("room.state")["status"] == "open"
    assert closed_with(browser.control(other.pk).socket) == CLOSE_DENIED
    assert browser.janus(other.pk).turned_away() == (
        {"code": 403, "reason": "no_seat: you have no seat in this room"},
        CLOSE_DENIED,
    )
    assert not Room.objects.filter(engagement=other).exists()


def test_a_room_before_its_opening_time_lets_nobody_into_the_media(new_browser, settings) -> None:
    settings.ROOM_OPENS_BEFORE_MINUTES = 30
    starts = timezone.now() + timedelta(minutes=31)
    engagement = live_engagement(starts_at=starts, ends_at=starts + timedelta(hours=1))
    browser = new_browser(seat(engagement, Role.PRINCIPAL))
    state = browser.control(engagement.pk).next("room.state")
    assert state["status"] == "not_yet"
    assert browser.janus(engagement.pk).turned_away() == (NOT_OPEN, CLOSE_CLOSED)
    assert not Room.objects.filter(engagement=engagement).exists()


def test_a_command_the_app_does_not_know_gets_an_error_that_names_it(new_browser) -> None:
    engagement = live_engagement()
    control = new_browser(seat(engagement, Role.HOST)).control(engagement.pk)
    control.next("room.state")
    assert control.command("room.rename", title="Mine") == {
        "type": "error",
        "reason": "unknown command 'room.rename'",
    }
    assert control.command("lobby.admit", person="someone")["type"] == "error"


def test_past_its_end_a_room_is_open_while_someone_is_in_it_then_over(new_browser) -> None:
    engagement = live_engagement()
    counterpart = new_browser(seat(engagement, Role.COUNTERPART))
    janus = counterpart.janus(engagement.pk)
    handle = janus.videoroom_handle()
    joined = janus.request(
        {"janus": "message", "handle_id": handle, "body": {"request": "join", "ptype": "publisher"}}
    )
    assert joined["plugindata"]["data"]["videoroom"] == "joined"
    ago = timezone.now() - timedelta(minutes=10)
    Engagement.objects.filter(pk=engagement.pk).update(starts_at=ago - timedelta(hours=1), ends_at=ago)

    principal = new_browser(seat(engagement, Role.PRINCIPAL))
    assert principal.control(engagement.pk).next("room.state")["status"] == "open"
    janus.socket.close()  # the meeting's last person leaves: Janus drops them with their session
    deadline = time.monotonic() + WAIT_S
    while principal.control(engagement.pk).next("room.state")["status"] != "over":
        assert time.monotonic() < deadline, "the room still counts someone in it"
        time.sleep(0.2)
    assert principal.janus(engagement.pk).turned_away() == (NOT_OPEN, CLOSE_CLOSED)


def test_a_quiet_room_socket_stays_open(new_browser, settings) -> None:
    """Nothing happens in a room for longer than the channel layer's wait for a message (5 s): the
    sockets stay up. With Redis (`make test`'s second run) this failed: redis-py 8 gives up reading
    after 5 s by default, and the channel layer's blocking read took each room socket down."""
    engagement = live_engagement()
    browser = new_browser(seat(engagement, Role.HOST))
    control = browser.control(engagement.pk)
    control.next("room.state")
    time.sleep(8)
    assert control.command("lobby.knock") == {"type": "ok", "admission": "admitted"}
