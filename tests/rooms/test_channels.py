"""Interpretation channels on the server: which publisher is a channel's, who is live on it, and who
may take it or hand it over. A page plays only what these say, so a forged claim must change nothing."""

from typing import Any

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from tests.html import texts
from tests.janus import run_async
from tests.rooms.sockets import claimed, communicator, next_output
from tests.rooms.test_publishing_grants import room_events
from virtualtrip.rooms import actions, channels
from virtualtrip.rooms.actions import RoomActionRefused, check_take_channel, do_note_live_feed, do_open_room
from virtualtrip.rooms.models import ChannelShift
from virtualtrip.rooms.seats import participant_seat
from virtualtrip.rooms.signals import talking_changed
from virtualtrip.trips.enums import GroundRules, Role
from virtualtrip.trips.models import Engagement, Participant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]
ATTRIBUTION = "A SENIOR STATE DEPARTMENT OFFICIAL"


@pytest.fixture(autouse=True)
def connections_closed_after_each_message(monkeypatch) -> None:
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


def booth(engagement: Engagement, *pairs: list[str]) -> list[Participant]:
    names = ["Ngozi Ọkafọr", "Żaneta Wójcik-Ølsen", "Jean-Loïc d'Arcy"]
    return [
        seat(engagement, Role.INTERPRETER, name=names[n % 3], languages=pair) for n, pair in enumerate(pairs)
    ]


@pytest.fixture
def meeting() -> Engagement:
    """A meeting in Lagos (English) with a Yoruba minister and French and English channels."""
    engagement = live_engagement(languages=[])
    engagement.destination.languages = ["en"]
    engagement.destination.save()
    seat(engagement, Role.COUNTERPART, name="Adéwálé Ọlábísí", languages=["yo"])
    return engagement


def joined(participant: Participant, feed: int) -> None:
    room = do_open_room(participant.engagement)
    do_note_live_feed(room, feed, participant_seat(participant, []), timezone.now())


def part(engagement: Engagement) -> list[dict[str, Any]]:
    return channels.channels_part(Engagement.objects.get(pk=engagement.pk), do_open_room(engagement))


def test_channels_are_the_languages_interpreted_into_in_the_engagements_order(meeting) -> None:
    first, second, third = booth(meeting, ["yo", "fr"], ["yo", "en"], ["en", "fr"])
    assert [(c["language"], c["name"]) for c in part(meeting)] == [("en", "English"), ("fr", "Français")]
    assert part(meeting)[1]["interpreters"] == [
        {"person": first.person_id, "feed": None, "feeds": [], "present": False},
        {"person": third.person_id, "feed": None, "feeds": [], "present": False},
    ]
    assert second.person_id in [i["person"] for i in part(meeting)[0]["interpreters"]]


def test_a_language_without_its_own_name_in_django_gets_its_english_one(meeting) -> None:
    booth(meeting, ["en", "ha"], ["en", "ig"])
    assert [c["name"] for c in part(meeting)] == ["Hausa", "Asụsụ Ìgbò"]


def test_the_first_interpreter_of_a_booth_to_join_is_live_and_everyone_is_told(meeting) -> None:
    first, second = booth(meeting, ["yo", "fr"], ["yo", "fr"])
    joined(second, 41)
    joined(first, 42)
    (french,) = part(meeting)
    assert french["on_air"] == second.person_id
    assert french["interpreters"] == [
        {"person": first.person_id, "feed": 42, "feeds": [42], "present": True},
        {"person": second.person_id, "feed": 41, "feeds": [41], "present": True},
    ]
    changed = [e for e in room_events(meeting.pk) if e["type"] == "channels.changed"]
    assert len(changed) == 2
    assert changed[-1]["channels"] == part(meeting)


def test_a_rejoin_gives_the_channel_the_new_feed(meeting) -> None:
    (interpreter,) = booth(meeting, ["yo", "en"])
    joined(interpreter, 7)
    joined(interpreter, 9)
    assert part(meeting)[0]["interpreters"] == [
        {"person": interpreter.person_id, "feed": 9, "feeds": [7, 9], "present": True}
    ]  # the older feed is listed too: a page never plays it as the floor
    assert ChannelShift.objects.filter(ended_at__isnull=True).count() == 1
    assert channels.channel_feeds(do_open_room(meeting)) == {7, 9}


def test_an_interpreters_talking_is_not_the_floors(meeting) -> None:
    (interpreter,) = booth(meeting, ["yo", "en"])
    speaker = seat(meeting, Role.COUNTERPART, name="Bọ́lá Ṣíkírù")
    joined(interpreter, 7)
    joined(speaker, 8)
    heard: list[int] = []

    def note(sender: Any, person_id: int, **kwargs: Any) -> None:
        heard.append(person_id)

    talking_changed.connect(note)
    try:
        actions.do_note_talking(meeting.pk, interpreter.person_id, True, timezone.now(), feed=7)
        actions.do_note_talking(meeting.pk, speaker.person_id, True, timezone.now(), feed=8)
    finally:
        talking_changed.disconnect(note)
    assert heard == [speaker.person_id]
    talks = [e for e in room_events(meeting.pk) if e["type"] == "talking.changed"]
    assert [e["feed"] for e in talks] == [8]


def test_a_partner_who_is_not_connected_cannot_be_handed_the_channel(meeting) -> None:
    first, second = booth(meeting, ["yo", "en"], ["yo", "en"])
    joined(first, 1)
    with pytest.raises(RoomActionRefused, match="Your partner is not connected") as never_joined:
        check_take_channel(participant_seat(first, []), second.person_id)
    assert never_joined.value.code == "conflict"
    with pytest.raises(RoomActionRefused, match="Your microphone is not connected"):
        check_take_channel(participant_seat(second, []))
    joined(second, 2)
    room = do_open_room(meeting)
    actions.do_note_feed_left(room, 2, timezone.now())  # the partner's connection dropped
    assert [i["present"] for i in part(meeting)[0]["interpreters"]] == [True, False]
    assert room_events(meeting.pk)[-1]["type"] == "channels.changed"
    with pytest.raises(RoomActionRefused, match="Your partner is not connected"):
        check_take_channel(participant_seat(first, []), second.person_id)
    assert part(meeting)[0]["on_air"] == first.person_id


def test_the_recording_is_split_as_the_room_heard_it_whatever_the_trip_says_later(meeting) -> None:
    english, french = booth(meeting, ["yo", "en"], ["yo", "fr"])
    joined(english, 1)
    joined(french, 2)
    room = do_open_room(meeting)
    english.person.languages = ["yo", "fr"]  # re-paired after the meeting
    english.person.save()
    french.delete()  # and the French interpreter taken off the engagement
    plan = channels.recording_plan(room)
    assert plan.languages == {f"p{english.person_id}": "en", f"p{french.person_id}": "fr"}
    assert set(plan.live) == set(plan.languages)


def test_a_take_that_comes_after_the_end_opens_nothing(meeting) -> None:
    first, second = booth(meeting, ["yo", "en"], ["yo", "en"])
    joined(first, 1)
    joined(second, 2)
    room = do_open_room(meeting)
    actions.do_end_room(room, acting="host")
    assert actions.do_put_on_air(room, "en", second.person_id, timezone.now()) is False
    assert not ChannelShift.objects.filter(ended_at__isnull=True).exists()


def test_a_handover_ends_one_shift_at_the_instant_the_next_starts(meeting) -> None:
    first, second = booth(meeting, ["yo", "en"], ["yo", "en"])
    joined(first, 1)
    joined(second, 2)
    check_take_channel(participant_seat(first, []), second.person_id)
    shifts = list(ChannelShift.objects.order_by("started_at", "pk"))
    assert [s.person_id for s in shifts] == [first.person_id, second.person_id]
    assert shifts[0].ended_at == shifts[1].started_at
    assert shifts[1].ended_at is None
    check_take_channel(participant_seat(first, []))  # the partner takes it back
    assert part(meeting)[0]["on_air"] == first.person_id


def test_taking_what_one_holds_changes_nothing_and_sends_nothing(meeting) -> None:
    (interpreter,) = booth(meeting, ["yo", "en"])
    joined(interpreter, 1)
    before = len(room_events(meeting.pk))
    check_take_channel(participant_seat(interpreter, []))
    assert len(room_events(meeting.pk)) == before
    assert ChannelShift.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PRESS, Role.COUNTERPART, Role.DELEGATION, Role.AUDIENCE])
def test_nobody_but_a_channels_interpreter_takes_it(meeting, role: str) -> None:
    booth(meeting, ["yo", "en"])
    other = seat(meeting, role, name="Forger", languages=["yo", "en"])
    joined(other, 5)
    with pytest.raises(RoomActionRefused, match="Only the interpreters of a channel speak into it"):
        check_take_channel(participant_seat(other, []))
    assert not ChannelShift.objects.exists()
    assert part(meeting)[0]["on_air"] is None


def test_an_interpreter_cannot_hand_over_a_channel_not_theirs_or_not_held(meeting) -> None:
    english, french, partner = booth(meeting, ["yo", "en"], ["yo", "fr"], ["yo", "en"])
    joined(english, 1)
    with pytest.raises(RoomActionRefused, match="does not interpret into it") as wrong:
        check_take_channel(participant_seat(english, []), french.person_id)
    assert wrong.value.code == "not_found"
    with pytest.raises(RoomActionRefused, match="Only the interpreter live") as not_live:
        check_take_channel(participant_seat(partner, []), english.person_id)
    assert not_live.value.code == "conflict"
    assert part(meeting)[0]["on_air"] == english.person_id


def test_an_ended_meeting_has_no_channel_to_take_and_its_shifts_are_closed(meeting) -> None:
    (interpreter,) = booth(meeting, ["yo", "en"])
    joined(interpreter, 1)
    room = actions.do_end_room(do_open_room(meeting), acting="host")
    shift = ChannelShift.objects.get()
    assert shift.ended_at == room.ended_at
    with pytest.raises(RoomActionRefused, match="not on") as refused:
        check_take_channel(participant_seat(interpreter, []))
    assert refused.value.code == "not_open"


def test_the_control_channel_gives_channels_to_all_and_a_booth_to_interpreters(meeting) -> None:
    meeting.ground_rules, meeting.attribution = GroundRules.BACKGROUND, ATTRIBUTION
    meeting.save()
    interpreter, partner = booth(meeting, ["yo", "en"], ["yo", "en"])
    journalist = seat(meeting, Role.PRESS, name="Pía Periodista")
    joined(interpreter, 3)
    joined(partner, 4)

    clients = {p.pk: claimed(p) for p in (interpreter, partner, journalist)}

    async def state(participant: Participant, *commands: dict[str, Any]) -> list[Any]:
        socket = communicator(clients[participant.pk], meeting.pk, "control")
        assert (await socket.connect())[0]
        try:
            answers = [await next_output(socket)]
            for command in commands:
                await socket.send_json_to(command)
                answers.append(await next_output(socket))
            return answers
        finally:
            await socket.disconnect()

    take = {"type": "channel.take", "id": "c1", "body": {}}
    press_state, refused = run_async(lambda: state(journalist, take))
    assert press_state["body"]["channels"] == part(meeting)
    assert press_state["body"]["booth"] is None
    assert "Ngozi" not in str(press_state)
    assert refused["code"] == "forbidden"
    assert refused["in_response"] == "c1"

    (booth_state,) = run_async(lambda: state(partner))
    assert booth_state["body"]["booth"] == {
        "language": "en",
        "name": "English",
        "interpreters": [
            {"person": interpreter.person_id, "name": "Ngozi Ọkafọr"},
            {"person": partner.person_id, "name": "Żaneta Wójcik-Ølsen"},
        ],
    }
    hand_over = {"type": "channel.hand_over", "id": "c2", "body": {"person": "1"}}
    _, invalid = run_async(lambda: state(interpreter, hand_over))
    assert invalid["code"] == "invalid"
    confused = {"type": "channel.take", "id": "c3", "body": {"person": partner.person_id}}
    _, invalid = run_async(lambda: state(partner, confused))
    assert invalid["code"] == "invalid"
    assert part(meeting)[0]["on_air"] == interpreter.person_id
    hand_over["body"] = {"person": partner.person_id}
    _, done = run_async(lambda: state(interpreter, hand_over))
    assert done["type"] == "ok"
    assert part(meeting)[0]["on_air"] == partner.person_id


def test_the_booth_shows_the_ground_rules_an_interpreter_renders_the_briefer_by(meeting) -> None:
    meeting.ground_rules, meeting.attribution = GroundRules.BACKGROUND, ATTRIBUTION
    meeting.save()
    (interpreter,) = booth(meeting, ["yo", "en"])
    journalist = seat(meeting, Role.PRESS, name="Pía Periodista")
    page = claimed(interpreter).get(reverse("rooms:room", args=[meeting.pk])).content.decode()
    assert texts(page, css_class="booth-rules") == [
        f"Ground rules: On background. Render the briefer as “{ATTRIBUTION}”, never by name."
    ]
    press_page = claimed(journalist).get(reverse("rooms:room", args=[meeting.pk])).content.decode()
    assert texts(press_page, css_class="booth-rules") == []


def test_a_newer_tab_that_closed_does_not_silence_the_one_still_open(meeting) -> None:
    (interpreter,) = booth(meeting, ["yo", "en"])
    joined(interpreter, 11)
    joined(interpreter, 12)  # a second tab
    assert part(meeting)[0]["interpreters"][0]["feed"] == 12
    room = do_open_room(meeting)
    actions.do_note_feed_left(room, 12, timezone.now())
    live = part(meeting)[0]["interpreters"][0]
    assert (live["feed"], sorted(live["feeds"]), live["present"]) == (11, [11, 12], True)
    actions.do_note_feed_left(room, 11, timezone.now())
    assert part(meeting)[0]["interpreters"][0]["feed"] == 12  # both gone: the newest, as before
    assert part(meeting)[0]["interpreters"][0]["present"] is False


def test_a_feed_noted_again_is_connected_again(meeting) -> None:
    (interpreter,) = booth(meeting, ["yo", "en"])
    joined(interpreter, 21)
    actions.do_note_feed_left(do_open_room(meeting), 21, timezone.now())
    joined(interpreter, 21)
    assert part(meeting)[0]["interpreters"][0]["present"] is True
