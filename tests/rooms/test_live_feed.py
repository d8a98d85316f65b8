"""Whose voice a publisher is (LiveFeed), and Janus's list of them, against odd data: a feed id
reused in another room, a seat's name kept where it must not be, a display too long to keep, and
listparticipants answered with what is not a list of participants."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from virtualtrip.rooms import live
from virtualtrip.rooms.actions import do_note_live_feed, do_open_room
from virtualtrip.rooms.models import LiveFeed
from virtualtrip.rooms.queries import FeedVoice, feed_voices
from virtualtrip.rooms.seats import participant_seat, staff_seat
from virtualtrip.trips.enums import GroundRules, Role

pytestmark = pytest.mark.django_db
ATTRIBUTION = "A SENIOR STATE DEPARTMENT OFFICIAL"


def test_a_feed_id_noted_in_one_room_says_nothing_of_another() -> None:
    first, second = live_engagement(), live_engagement()
    briefer = seat(first, Role.BRIEFER, name="Wénceslas Brïefer")
    reporter = seat(second, Role.PRESS, name="Rita Reporter")
    room_a, room_b = do_open_room(first), do_open_room(second)
    now = timezone.now()
    do_note_live_feed(room_a, 7, participant_seat(briefer, []), now)
    assert feed_voices(room_b, [7]) == {}
    do_note_live_feed(room_b, 7, participant_seat(reporter, []), now)
    assert feed_voices(room_a, [7]) == {7: FeedVoice(7, briefer.person_id, "")}
    assert feed_voices(room_b, [7]) == {7: FeedVoice(7, reporter.person_id, "")}


def test_a_persons_name_is_not_kept_with_their_feed() -> None:
    """A briefer who joined on the record may go on background: the row must not hold their name."""
    engagement = live_engagement()
    briefer = seat(engagement, Role.BRIEFER, name="Wénceslas Brïefer", title="Deputy Assistant Secretary")
    room = do_open_room(engagement)
    do_note_live_feed(room, 7, participant_seat(briefer, []), timezone.now())
    engagement.ground_rules, engagement.attribution = GroundRules.BACKGROUND, ATTRIBUTION
    engagement.save()
    row = LiveFeed.objects.get(room=room, feed=7)
    assert (row.person_id, row.display, str(row)) == (briefer.person_id, "", " on feed 7")


def test_a_staff_accounts_long_name_is_kept_cut_to_fit() -> None:
    engagement = live_engagement()
    room = do_open_room(engagement)
    user = User.objects.create_user("desk", first_name="Ō" * 150, last_name="ß" * 150, is_staff=True)
    do_note_live_feed(room, 9, staff_seat(engagement.pk, user), timezone.now())
    display = LiveFeed.objects.get(room=room, feed=9).display
    assert display == ("Ō" * 150 + " " + "ß" * 150)[:300]


@pytest.mark.parametrize(
    ("answer", "listed"),
    [
        ({"participants": None}, []),
        ({"participants": {"id": 1}}, []),
        ({}, []),
        ({"participants": ["x", 5, None, {"id": 3, "publisher": True}]}, [{"id": 3, "publisher": True}]),
    ],
)
def test_odd_answers_to_listparticipants_are_read_as_no_participants(
    monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any], listed: list[dict[str, Any]]
) -> None:
    class Janus:
        async def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
            return answer

    @asynccontextmanager
    async def client(url: str, secret: str) -> AsyncIterator[Janus]:
        yield Janus()

    class Server:
        url, api_secret = "ws://janus", "s"

    monkeypatch.setattr(live, "janus_client", client)
    monkeypatch.setattr(live, "server_at", lambda url: Server())
    room = do_open_room(live_engagement())
    assert asyncio.run(live.list_participants(room)) == listed
