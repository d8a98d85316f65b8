"""On background the briefer's name never reaches Janus, a page or a recording: everywhere rooms
labels them, it uses the engagement's attribution."""

import json

import pytest

from tests.factories.rooms import live_engagement, seat
from virtualtrip.rooms.queries import lobby_roles, speaker
from virtualtrip.rooms.seats import participant_seat, person_seat_key
from virtualtrip.rooms.signaling import SignalingPolicy
from virtualtrip.trips.enums import GroundRules, Role

pytestmark = pytest.mark.django_db
ATTRIBUTION = "A SENIOR STATE DEPARTMENT OFFICIAL"


def briefer(rule: str):  # type: ignore[no-untyped-def]
    attribution = ATTRIBUTION if rule == GroundRules.BACKGROUND else ""
    engagement = live_engagement(ground_rules=rule, attribution=attribution, timezone="Pacific/Chatham")
    return seat(engagement, Role.BRIEFER, name="Wénceslas Brïefer", title="Deputy Assistant Secretary")


def joined(participant) -> dict:  # type: ignore[no-untyped-def]
    """The join Janus gets from the proxy for this participant's publisher."""
    policy = SignalingPolicy(
        participant_seat(participant, lobby_roles(participant.engagement)), 9, "pin", "t", True
    )
    policy.inbound({"janus": "create", "transaction": "c"})
    policy.outbound({"janus": "success", "transaction": "c", "data": {"id": 1}})
    policy.inbound(
        {"janus": "attach", "plugin": "janus.plugin.videoroom", "session_id": 1, "transaction": "a"}
    )
    policy.outbound({"janus": "success", "transaction": "a", "data": {"id": 2}})
    join = {"request": "join", "ptype": "publisher"}  # the proxy names the publisher itself
    message = {"janus": "message", "session_id": 1, "handle_id": 2, "transaction": "j", "body": join}
    forwarded = policy.inbound(message)
    assert isinstance(forwarded, dict), forwarded
    return forwarded


def test_on_background_janus_and_the_recordings_get_the_attribution() -> None:
    participant = briefer(GroundRules.BACKGROUND)
    assert participant_seat(participant, []).display == ATTRIBUTION
    forwarded = joined(participant)
    assert forwarded["body"]["display"] == ATTRIBUTION
    assert "Brïefer" not in json.dumps(forwarded, ensure_ascii=False)
    assert speaker(participant.engagement_id, person_seat_key(participant.person_id)).label == ATTRIBUTION


@pytest.mark.parametrize("rule", [GroundRules.ON_RECORD, GroundRules.OFF_RECORD])
def test_otherwise_the_briefer_is_named(rule: str) -> None:
    participant = briefer(rule)
    assert participant_seat(participant, []).display.startswith(
        "Wénceslas Brïefer — Deputy Assistant Secretary"
    )
    assert joined(participant)["body"]["display"].startswith("Wénceslas Brïefer")


def test_on_background_only_the_briefer_is_hidden() -> None:
    participant = briefer(GroundRules.BACKGROUND)
    moderator = seat(participant.engagement, Role.MODERATOR, name="Mo Derator")
    assert participant_seat(moderator, []).display.startswith("Mo Derator")


@pytest.mark.django_db(transaction=True)
def test_going_on_background_mid_meeting_seats_the_briefer_anew(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Their proxy and page joined with the name: both must take the seat again, with the attribution."""
    from channels.db import database_sync_to_async
    from django.db import connections

    from tests.janus import run_async
    from tests.rooms.sockets import claimed, communicator

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    participant = briefer(GroundRules.ON_RECORD)
    moderator = seat(participant.engagement, Role.MODERATOR, name="Mo Derator")
    client, other = claimed(participant), claimed(moderator)

    def go_on_background() -> None:
        engagement = participant.engagement
        engagement.ground_rules, engagement.attribution = GroundRules.BACKGROUND, ATTRIBUTION
        engagement.save()

    async def run() -> tuple[list[str], list[str]]:
        sockets = [communicator(client, participant.engagement_id, "control")]
        sockets.append(communicator(other, participant.engagement_id, "control"))
        for socket in sockets:
            assert (await socket.connect())[0]
            assert (await socket.receive_json_from(timeout=5))["type"] == "room.state"
        await database_sync_to_async(go_on_background)()
        revoked = await sockets[0].receive_json_from(timeout=5)
        closed = await sockets[0].receive_output(timeout=5)
        assert await sockets[1].receive_nothing(timeout=0.5)  # the moderator's seat did not change
        for socket in sockets:
            await socket.disconnect()
        return [revoked["type"]], [str(closed.get("code"))]

    assert run_async(run) == (["seat.revoked"], ["4403"])
