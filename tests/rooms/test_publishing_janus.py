"""Publishing grants against the real Janus, through the app's proxy: a journalist's offer is
refused, then answered by Janus once granted, and refused again once withdrawn or expired; the
room is created with talking events. Janus answers an offer only where it can gather media
candidates: run inside the test network namespace (scripts/in-netns.sh). Media itself, and Janus
listing the journalist as publishing and then not, are in tests/browser/test_publishing_grants.py."""

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer, run_async
from tests.rooms.sockets import JanusSocket, SocketBrowser
from tests.rooms.test_sdp import offer
from tests.rooms.test_sdp_janus import configure, joined_publisher
from virtualtrip.rooms import actions, channels, live
from virtualtrip.rooms.enums import AdmissionState
from virtualtrip.rooms.janus.client import janus_client
from virtualtrip.rooms.janus.servers import server_at
from virtualtrip.rooms.models import Admission, ChannelShift, LiveFeed, PublishingGrant, Room
from virtualtrip.rooms.signaling import media_sections
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Participant

pytestmark = pytest.mark.janus
AUDIO_AND_VIDEO = offer("a=sendonly\r\n")
PRESS_REFUSED = {"code": 403, "reason": "the press role watches and listens: publishing is not allowed"}


@pytest.fixture
def janus_socket(app_server: AsgiServer) -> Iterator[Callable[[Participant], JanusSocket]]:
    with ExitStack() as sockets:
        yield lambda participant: SocketBrowser(app_server, sockets, participant).janus(
            participant.engagement_id
        )


def admitted_journalist() -> Participant:
    engagement = live_engagement(title="Rueda de prensa")
    journalist = seat(engagement, Role.PRESS, name="Inés Varela", outlet="El Observador", country="UY")
    Admission.objects.create(engagement=engagement, person=journalist.person, state=AdmissionState.ADMITTED)
    return journalist


def sends(answer: dict) -> set[str]:
    """The kinds of media Janus's answer takes from the offer."""
    sections = media_sections(answer["jsep"]["sdp"])
    return {s.kind for s in sections if s.port != 0 and s.direction in {"recvonly", "sendrecv"}}


def test_a_grant_lets_janus_take_the_offer_and_a_withdrawal_refuses_the_next(janus_socket) -> None:
    journalist = admitted_journalist()
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    janus = janus_socket(journalist)
    handle = joined_publisher(janus)
    assert configure(janus, handle, AUDIO_AND_VIDEO)["error"] == PRESS_REFUSED

    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)
    answered = configure(janus, handle, AUDIO_AND_VIDEO)
    assert answered["plugindata"]["data"]["configured"] == "ok", answered
    assert sends(answered) == {"audio", "video"}

    actions.do_withdraw_publishing(engagement_id, person_id, acting_user=None, reason="floor taken back")
    assert configure(janus, handle, AUDIO_AND_VIDEO)["error"] == PRESS_REFUSED


def test_an_audio_grant_takes_audio_and_refuses_video(janus_socket) -> None:
    journalist = admitted_journalist()
    actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, video=False, acting_user=None)
    janus = janus_socket(journalist)
    handle = joined_publisher(janus)
    refused = configure(janus, handle, AUDIO_AND_VIDEO)["error"]
    assert refused == {"code": 403, "reason": "the press role may not send media with 'configure'"}
    answered = configure(janus, handle, offer("a=inactive\r\n"))
    assert sends(answered) == {"audio"}


def test_an_expired_grant_is_refused_before_the_sweep_withdraws_it(janus_socket) -> None:
    journalist = admitted_journalist()
    actions.do_grant_publishing(
        journalist.engagement_id,
        journalist.person_id,
        until=timezone.now() + timedelta(minutes=1),
        acting_user=None,
    )
    PublishingGrant.objects.update(until=timezone.now() - timedelta(seconds=1))  # its minute is up
    janus = janus_socket(journalist)
    handle = joined_publisher(janus)
    assert configure(janus, handle, AUDIO_AND_VIDEO)["error"] == PRESS_REFUSED
    assert PublishingGrant.objects.get().withdrawn_at is None


def test_the_room_on_janus_sends_talking_events(janus_socket) -> None:
    journalist = admitted_journalist()
    joined_publisher(janus_socket(journalist))
    room = Room.objects.get(engagement_id=journalist.engagement_id)

    async def settings_on_janus() -> dict:
        server = server_at(room.server)
        async with janus_client(server.url, server.api_secret) as client:
            listed = await client.videoroom({"request": "list", "admin_key": server.room_admin_key})
        (mine,) = [r for r in listed["list"] if r["room"] == room.janus_room]
        return dict(mine)

    created = run_async(settings_on_janus)
    assert created["audiolevel_ext"] is True
    assert created["audiolevel_event"] is True
    assert created["audio_active_packets"] == live.AUDIO_ACTIVE_PACKETS
    assert created["audio_level_average"] == live.AUDIO_LEVEL_AVERAGE


def test_an_interpreter_joined_through_the_proxy_is_a_channel_feed_until_the_socket_closes(
    janus_socket,
) -> None:
    engagement = live_engagement(title="Reunión con la ministra", languages=["es", "en"])
    interpreter = seat(engagement, Role.INTERPRETER, name="Þórunn Ægisdóttir", languages=["es", "en"])
    janus = janus_socket(interpreter)
    joined_publisher(janus)
    joined_publisher(janus)  # a page that joined again on the same connection
    room = Room.objects.get(engagement=engagement)
    feeds = LiveFeed.objects.filter(room=room, person=interpreter.person)
    assert [(f.language, f.left_at) for f in feeds] == [("en", None), ("en", None)]
    assert ChannelShift.objects.get(room=room, ended_at__isnull=True).person_id == interpreter.person_id
    janus.socket.close()
    deadline = time.monotonic() + 10
    while feeds.filter(left_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not feeds.filter(left_at__isnull=True).exists()  # every one, not only the last
    assert channels.present_interpreters(room) == set()
