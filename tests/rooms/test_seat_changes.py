"""A seat changed while its sockets are open: a revocation meant for an older link, a new role, a
lobby moved, an admission taken back. Each socket checks its seat again and leaves only when it is
no longer the seat it took; against the app under uvicorn and the real Janus."""

import pytest

from tests.factories.rooms import live_engagement, seat
from tests.rooms.sockets import ControlSocket, closed_with
from virtualtrip.rooms.actions import (
    SEAT_CHANGED,
    do_change_lobby_roles,
    do_issue_join_link,
    do_open_room,
    do_recheck_seats,
)
from virtualtrip.rooms.consumers import CLOSE_DENIED
from virtualtrip.rooms.models import Room
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.janus


def still_answers(control: ControlSocket) -> bool:
    return bool(control.command("lobby.knock")["type"] == "ok")


def test_a_revocation_that_arrives_after_the_new_link_was_opened_leaves_it_seated(new_browser) -> None:
    """As a relayed `join-link --reissue` can: the event names the person, the new link's sockets
    stay and the old link's go."""
    engagement = live_engagement()
    counterpart = seat(engagement, Role.COUNTERPART, name="Bishnu Thapa")
    old = new_browser(counterpart)
    old_control = old.control(engagement.pk)
    old_control.next("room.state")
    do_issue_join_link(counterpart, acting_user=None, reissue=True)
    assert closed_with(old_control.socket) == CLOSE_DENIED
    control = new_browser(counterpart).control(engagement.pk)  # opens the new link, in a new browser
    control.next("room.state")
    do_recheck_seats(engagement.pk, [counterpart.person_id])  # the late copy of the revocation
    assert still_answers(control)


def test_a_new_role_from_a_reimport_or_the_admin_makes_the_seat_leave(new_browser) -> None:
    engagement = live_engagement()
    counterpart = seat(engagement, Role.COUNTERPART)
    host = seat(engagement, Role.HOST)
    control = new_browser(counterpart).control(engagement.pk)
    control.next("room.state")
    host_control = new_browser(host).control(engagement.pk)
    host_control.next("room.state")
    counterpart.role = Role.PRESS
    counterpart.save()
    assert control.next("seat.revoked") == {"person": counterpart.person_id, "reason": SEAT_CHANGED}
    assert closed_with(control.socket) == CLOSE_DENIED
    host.position = 9  # saved, but the seat is the same: it stays
    host.save()
    assert still_answers(host_control)


def test_a_role_moved_into_the_lobby_makes_its_seats_leave_and_the_others_stay(new_browser) -> None:
    engagement = live_engagement()
    counterpart = seat(engagement, Role.COUNTERPART)
    guide = seat(engagement, Role.GUIDE)
    room = do_open_room(engagement)
    moved = new_browser(counterpart).control(engagement.pk)
    moved.next("room.state")
    stays = new_browser(guide).control(engagement.pk)
    stays.next("room.state")
    do_change_lobby_roles(room, [*room.lobby_roles, Role.COUNTERPART])
    assert moved.next("seat.revoked")["reason"] == SEAT_CHANGED
    assert closed_with(moved.socket) == CLOSE_DENIED
    assert still_answers(stays)
    assert Role.COUNTERPART in Room.objects.get(pk=room.pk).lobby_roles


def test_an_admitted_journalist_refused_later_leaves_the_media_too(new_browser) -> None:
    engagement = live_engagement()
    host = new_browser(seat(engagement, Role.HOST)).control(engagement.pk)
    host.next("room.state")
    journalist = seat(engagement, Role.PRESS)
    press = new_browser(journalist)
    press_control = press.control(engagement.pk)
    press_control.next("room.state")
    press_control.command("lobby.knock")
    assert host.command("lobby.admit", person=journalist.person_id)["type"] == "ok"
    janus = press.janus(engagement.pk)
    handle = janus.videoroom_handle()
    joined = janus.request(
        {"janus": "message", "handle_id": handle, "body": {"request": "join", "ptype": "publisher"}}
    )
    assert joined["plugindata"]["data"]["videoroom"] == "joined"
    assert host.command("lobby.refuse", person=journalist.person_id)["type"] == "ok"
    assert closed_with(janus.socket) == CLOSE_DENIED
