"""Publishing rights that change during a meeting: grants and withdrawals, what the proxy lets
through on each offer, the proxy stopping a withdrawn publication on Janus itself, the sweep's
expiry, and who is talking. Without Janus: the proxy talks to a stand-in that answers as Janus does."""

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from tests.janus import run_async
from tests.rooms.sockets import claimed, communicator, next_output
from tests.rooms.test_signaling import AUDIO_ONLY_OFFER, AUDIO_VIDEO_OFFER, joined_policy, message
from virtualtrip import realtime
from virtualtrip.realtime.models import RelayedEvent
from virtualtrip.rooms import actions, consumers, ending, live, protocol, queries
from virtualtrip.rooms.enums import AdmissionState
from virtualtrip.rooms.models import Admission, PublishingGrant
from virtualtrip.rooms.seats import person_seat_key
from virtualtrip.rooms.signaling import Refusal
from virtualtrip.rooms.signals import talking_changed
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Participant

# Events are read where serve would relay them from: written only with the in-memory layer.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]
PANELS = Path(__file__).parent / "templates"
PRESS_REFUSED = "the press role watches and listens: publishing is not allowed"


@pytest.fixture(autouse=True)
def connections_closed_after_each_message(monkeypatch) -> None:
    """The consumers reach the database from threads of their own: their connections close after
    each use, so none outlives the test (PostgreSQL would not drop the test database)."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


def seat_events(participant: Participant) -> list[dict[str, Any]]:
    group = protocol.seat_group(participant.engagement_id, person_seat_key(participant.person_id))
    return [event.payload["event"] for event in RelayedEvent.objects.filter(group=group).order_by("pk")]


def room_events(engagement_id: int) -> list[dict[str, Any]]:
    group = protocol.room_group(engagement_id)
    return [event.payload["event"] for event in RelayedEvent.objects.filter(group=group).order_by("pk")]


def rights(participant: Participant, at_offset: timedelta = timedelta()) -> tuple[bool, bool]:
    return queries.publishing_rights(
        participant.engagement_id, participant.person_id, participant.role, timezone.now() + at_offset
    )


@pytest.fixture
def journalist() -> Participant:
    """A journalist admitted from the lobby."""
    engagement = live_engagement(title="Point de presse")
    journalist = seat(engagement, Role.PRESS, name="Zhang Wei", outlet="Xinhua", country="CN")
    Admission.objects.create(engagement=engagement, person=journalist.person, state=AdmissionState.ADMITTED)
    return journalist


def test_a_press_seat_publishes_nothing_until_granted_then_what_the_grant_says(journalist) -> None:
    assert rights(journalist) == (False, False)
    actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, video=False, acting_user=None)
    assert rights(journalist) == (True, False)
    actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, acting_user=None)
    assert rights(journalist) == (True, True)
    actions.do_withdraw_publishing(journalist.engagement_id, journalist.person_id, acting_user=None)
    assert rights(journalist) == (False, False)


def test_a_grant_adds_to_the_role_and_a_speaker_keeps_its_own_rights() -> None:
    engagement = live_engagement()
    interpreter = seat(engagement, Role.INTERPRETER, name="Amélie Roux")
    briefer = seat(engagement, Role.BRIEFER, name="Kwame Mensah")
    actions.do_grant_publishing(engagement.pk, interpreter.person_id, audio=False, acting_user=None)
    assert rights(interpreter) == (True, True)
    actions.do_withdraw_publishing(engagement.pk, briefer.person_id, acting_user=None)
    assert rights(briefer) == (True, True)
    assert queries.publishing_rights(engagement.pk, None, "staff", timezone.now()) == (False, False)


def test_a_grant_ends_at_its_until(journalist) -> None:
    until = timezone.now() + timedelta(minutes=2)
    actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, until=until, acting_user=None)
    assert rights(journalist) == (True, True)
    assert rights(journalist, timedelta(minutes=2)) == (False, False)


def test_granting_twice_changes_nothing_and_sends_one_event(journalist) -> None:
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)
    first = PublishingGrant.objects.get()
    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)
    assert PublishingGrant.objects.get().granted_at == first.granted_at
    assert seat_events(journalist) == [
        {"type": "publishing.changed", "person": person_id, "audio": True, "video": True, "until": None}
    ]


def test_withdrawing_twice_or_what_was_never_granted_sends_one_event(journalist) -> None:
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    actions.do_withdraw_publishing(engagement_id, person_id, acting_user=None)
    assert seat_events(journalist) == []
    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)
    actions.do_withdraw_publishing(engagement_id, person_id, acting_user=None, reason="time is up")
    actions.do_withdraw_publishing(engagement_id, person_id, acting_user=None)
    assert [(e["audio"], e["video"]) for e in seat_events(journalist)] == [(True, True), (False, False)]
    assert PublishingGrant.objects.get().withdrawn_reason == "time is up"


def test_a_changed_grant_is_sent_again(journalist) -> None:
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)
    actions.do_grant_publishing(engagement_id, person_id, video=False, acting_user=None)
    assert [(e["audio"], e["video"]) for e in seat_events(journalist)] == [(True, True), (True, False)]


def test_events_are_sent_only_once_the_grant_commits(journalist, monkeypatch) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []

    class Layer:
        async def group_send(self, group: str, payload: dict[str, Any]) -> None:
            sent.append((group, payload))

    monkeypatch.setattr(realtime, "get_channel_layer", Layer)
    with transaction.atomic():
        actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, acting_user=None)
        assert sent == []  # nothing leaves inside the transaction
    group = protocol.seat_group(journalist.engagement_id, person_seat_key(journalist.person_id))
    assert [(g, p["event"]["type"]) for g, p in sent] == [(group, "publishing.changed")]


def test_a_grant_for_someone_not_in_the_engagement_or_of_nothing_is_refused(journalist) -> None:
    other = seat(live_engagement(), Role.PRESS)
    with pytest.raises(actions.RoomActionRefused, match="takes part"):
        actions.do_grant_publishing(journalist.engagement_id, other.person_id, acting_user=None)
    with pytest.raises(actions.RoomActionRefused, match="audio, video or both"):
        actions.do_grant_publishing(
            journalist.engagement_id, journalist.person_id, audio=False, video=False, acting_user=None
        )
    past = timezone.now() - timedelta(seconds=1)
    with pytest.raises(actions.RoomActionRefused, match="still to come"):
        actions.do_grant_publishing(
            journalist.engagement_id, journalist.person_id, until=past, acting_user=None
        )
    assert not PublishingGrant.objects.exists()


def test_the_sweep_withdraws_expired_grants_and_leaves_the_others(journalist, monkeypatch) -> None:
    engagement = journalist.engagement
    other = seat(engagement, Role.PRESS, name="Olusegun Bello", outlet="The Punch", country="NG")
    soon = timezone.now() + timedelta(seconds=30)
    actions.do_grant_publishing(engagement.pk, journalist.person_id, until=soon, acting_user=None)
    actions.do_grant_publishing(engagement.pk, other.person_id, acting_user=None)
    monkeypatch.setattr(ending, "timezone", FixedClock(soon + timedelta(seconds=1)))
    monkeypatch.setattr(ending, "end_empty_rooms", _nothing_to_end)
    run_async(lambda: ending.sweep_once(set()))
    expired = PublishingGrant.objects.get(person=journalist.person)
    assert (expired.withdrawn_reason, expired.withdrawn_at is not None) == ("expired", True)
    assert PublishingGrant.objects.get(person=other.person).withdrawn_at is None
    assert seat_events(journalist)[-1]["audio"] is False
    assert [e["audio"] for e in seat_events(other)] == [True]


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


async def _nothing_to_end(now: object, seen_empty: set[int]) -> list[int]:
    return []


# The signaling policy reads the rights the consumer gives it.
def test_the_policy_lets_a_granted_press_seat_offer_audio_and_video() -> None:
    policy = joined_policy(Role.PRESS)
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    offer = {"type": "offer", "sdp": AUDIO_VIDEO_OFFER}
    configure = {"request": "configure", "audio": True, "video": True}
    assert policy.inbound(message(configure, offer)) == Refusal(403, PRESS_REFUSED)
    policy.rights = (True, True)
    assert not isinstance(policy.inbound({**message(configure, offer), "transaction": "m2"}), Refusal)
    assert policy.published == {22: {"audio", "video"}}
    policy.rights = (True, False)
    assert policy.over_rights() == [22]
    refused = policy.inbound({**message(configure, offer), "transaction": "m3"})
    assert refused == Refusal(403, "the press role may not send media with 'configure'")
    audio_only = {"type": "offer", "sdp": AUDIO_ONLY_OFFER}
    assert not isinstance(policy.inbound({**message(configure, audio_only), "transaction": "m4"}), Refusal)
    assert policy.over_rights() == []


def test_the_proxy_unpublish_is_its_own_and_its_answers_stop_at_the_proxy() -> None:
    policy = joined_policy(Role.PRESS)
    policy.rights = (True, True)
    policy.inbound(message({"request": "join", "ptype": "publisher"}))
    policy.inbound({**message({"request": "configure"}, {"type": "offer", "sdp": AUDIO_VIDEO_OFFER})})
    policy.rights = (False, False)
    sent = policy.unpublish(22)
    assert (sent["session_id"], sent["handle_id"], sent["body"], sent["token"]) == (
        11,
        22,
        {"request": "unpublish"},
        "tok",
    )
    assert policy.is_own({"janus": "ack", "transaction": sent["transaction"]})
    assert policy.is_own({"janus": "event", "transaction": sent["transaction"]})
    assert not policy.is_own({"janus": "event", "transaction": sent["transaction"]})
    forged = policy.inbound({**message({"request": "unpublish"}), "transaction": sent["transaction"]})
    assert isinstance(forged, Refusal)
    policy.outbound({"janus": "hangup", "session_id": 11, "sender": 22})
    assert policy.published == {}


# The proxy, with a stand-in for Janus.
class FakeJanus:
    """Answers as Janus does the requests the proxy forwards, and remembers them."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.out: asyncio.Queue[str] = asyncio.Queue()

    async def send(self, raw: str) -> None:
        request = json.loads(raw)
        self.sent.append(request)
        transaction = request["transaction"]
        if request["janus"] in {"create", "attach"}:
            made = {"id": 11 if request["janus"] == "create" else 22}
            self.answer({"janus": "success", "transaction": transaction, "data": made})
        elif request["janus"] == "message":
            body = request["body"]
            self.answer({"janus": "ack", "transaction": transaction})
            data: dict[str, Any] = {"videoroom": "event", body["request"] + "d": "ok"}
            if body["request"] == "join":
                data = {"videoroom": "joined", "id": 4242, "publishers": []}
            event = {"janus": "event", "transaction": transaction, "sender": request["handle_id"]}
            self.answer({**event, "plugindata": {"plugin": "janus.plugin.videoroom", "data": data}})

    def answer(self, message: dict[str, Any]) -> None:
        self.out.put_nowait(json.dumps(message))

    def __aiter__(self) -> "FakeJanus":
        return self

    async def __anext__(self) -> str:
        return await self.out.get()

    async def close(self) -> None:
        return None

    def bodies(self) -> list[str]:
        return [m["body"]["request"] for m in self.sent if m["janus"] == "message"]


@pytest.fixture
def fake_janus(monkeypatch) -> FakeJanus:
    fake = FakeJanus()

    async def connect(*args: Any, **kwargs: Any) -> FakeJanus:
        return fake

    async def ensure(*args: Any, **kwargs: Any) -> bool:
        return False

    monkeypatch.setattr(consumers, "connect", connect)
    monkeypatch.setattr(live, "ensure_janus_room", ensure)
    return fake


async def request(socket: Any, message: dict[str, Any]) -> dict[str, Any]:
    """Send a Janus request through the proxy; its answer (not an ack)."""
    await socket.send_json_to(message)
    while True:
        answer = await next_output(socket)
        assert isinstance(answer, dict), answer
        if answer.get("transaction") == message["transaction"] and answer["janus"] != "ack":
            return answer


OFFER = {"type": "offer", "sdp": AUDIO_VIDEO_OFFER}
CONFIGURE = {"request": "configure", "audio": True, "video": True}


def publish_through_proxy(journalist: Participant, fake: FakeJanus, steps: Any) -> Any:
    client = claimed(journalist)

    async def run() -> Any:
        socket = communicator(client, journalist.engagement_id, "janus")
        assert (await socket.connect())[0]
        try:
            await request(socket, {"janus": "create", "transaction": "c"})
            base = {"janus": "message", "session_id": 11, "handle_id": 22}
            await request(
                socket,
                {"janus": "attach", "session_id": 11, "plugin": "janus.plugin.videoroom", "transaction": "a"},
            )
            join = {"request": "join", "ptype": "publisher"}
            await request(socket, {**base, "body": join, "transaction": "j"})
            return await steps(socket, base)
        finally:
            await socket.disconnect()

    return run_async(run)


def test_the_proxy_reads_the_rights_fresh_on_every_offer(journalist, fake_janus) -> None:
    engagement_id, person_id = journalist.engagement_id, journalist.person_id

    async def steps(socket: Any, base: dict[str, Any]) -> list[Any]:
        offer = {**base, "body": CONFIGURE, "jsep": OFFER}
        before = await request(socket, {**offer, "transaction": "o1"})
        await _in_thread(lambda: actions.do_grant_publishing(engagement_id, person_id, acting_user=None))
        granted = await request(socket, {**offer, "transaction": "o2"})
        return [before.get("error"), granted.get("plugindata", granted).get("data")]

    before, granted = publish_through_proxy(journalist, fake_janus, steps)
    assert before == {"code": 403, "reason": PRESS_REFUSED}
    assert granted == {"videoroom": "event", "configured": "ok"}
    assert fake_janus.bodies() == ["join", "configure"]


def test_a_withdrawal_makes_the_proxy_unpublish_on_janus_and_refuse_the_next_offer(
    journalist, fake_janus
) -> None:
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)

    async def steps(socket: Any, base: dict[str, Any]) -> list[Any]:
        offer = {**base, "body": CONFIGURE, "jsep": OFFER}
        await request(socket, {**offer, "transaction": "o1"})
        await _in_thread(lambda: actions.do_withdraw_publishing(engagement_id, person_id, acting_user=None))
        await _until(lambda: "unpublish" in fake_janus.bodies())
        again = await request(socket, {**offer, "transaction": "o2"})
        return [again.get("error"), await socket.receive_nothing(timeout=0.3)]

    again, quiet = publish_through_proxy(journalist, fake_janus, steps)
    unpublish = fake_janus.sent[-1]
    assert (unpublish["handle_id"], unpublish["body"]) == (22, {"request": "unpublish"})
    assert unpublish["transaction"].startswith("vt-proxy-")
    assert again == {"code": 403, "reason": PRESS_REFUSED}
    assert quiet  # the answers to the proxy's unpublish never reached the page
    assert fake_janus.bodies() == ["join", "configure", "unpublish"]


def test_media_that_starts_after_a_withdrawal_is_stopped(journalist, fake_janus) -> None:
    """The withdrawal came while the offer was on its way: Janus could not unpublish what had not
    started, so the proxy stops it when Janus says the media is up."""
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    actions.do_grant_publishing(engagement_id, person_id, acting_user=None)

    async def steps(socket: Any, base: dict[str, Any]) -> Any:
        await request(socket, {**base, "body": CONFIGURE, "jsep": OFFER, "transaction": "o1"})
        await _in_thread(lambda: PublishingGrant.objects.update(withdrawn_at=timezone.now()))
        fake_janus.answer({"janus": "webrtcup", "session_id": 11, "sender": 22})
        await _until(lambda: "unpublish" in fake_janus.bodies())
        return fake_janus.bodies()

    assert publish_through_proxy(journalist, fake_janus, steps) == ["join", "configure", "unpublish"]


def test_the_proxy_notes_its_own_publishers_talking_and_no_one_elses(journalist, fake_janus) -> None:
    engagement_id, person_id = journalist.engagement_id, journalist.person_id
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append(kwargs)

    talking_changed.connect(listen)

    def talking(kind: str, who: int) -> None:
        data = {"videoroom": kind, "room": 5, "id": who, "audio-level-dBov-avg": 31.5}
        plugindata = {"plugin": "janus.plugin.videoroom", "data": data}
        fake_janus.answer({"janus": "event", "session_id": 11, "sender": 22, "plugindata": plugindata})

    async def steps(socket: Any, base: dict[str, Any]) -> None:
        talking("talking", 777)  # another publisher: their proxy notes it
        talking("talking", 4242)
        talking("stopped-talking", 4242)
        await _until(lambda: len(heard) == 2)

    try:
        publish_through_proxy(journalist, fake_janus, steps)
    finally:
        talking_changed.disconnect(listen)
    assert [(h["engagement_id"], h["person_id"], h["talking"]) for h in heard] == [
        (engagement_id, person_id, True),
        (engagement_id, person_id, False),
    ]
    assert heard[0]["at"] <= heard[1]["at"]
    assert [e for e in room_events(engagement_id) if e["type"] == "talking.changed"] == [
        {"type": "talking.changed", "person": person_id, "talking": True, "feed": 4242},
        {"type": "talking.changed", "person": person_id, "talking": False, "feed": 4242},
    ]


def test_note_talking_sends_the_signal_and_the_room_event(journalist) -> None:
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append({k: v for k, v in kwargs.items() if k != "signal"})

    talking_changed.connect(listen)
    at = timezone.now()
    try:
        actions.do_note_talking(journalist.engagement_id, journalist.person_id, True, at)
    finally:
        talking_changed.disconnect(listen)
    assert heard == [
        {
            "engagement_id": journalist.engagement_id,
            "person_id": journalist.person_id,
            "talking": True,
            "at": at,
        }
    ]
    assert room_events(journalist.engagement_id) == [
        {"type": "talking.changed", "person": journalist.person_id, "talking": True, "feed": None}
    ]


def test_the_janus_room_is_created_with_talking_events(monkeypatch) -> None:
    created: list[dict[str, Any]] = []

    class Client:
        async def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
            created.append(body)
            return {"exists": False}

    class Opened:
        async def __aenter__(self) -> Client:
            return Client()

        async def __aexit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(live, "janus_client", lambda url, secret: Opened())
    room = actions.do_open_room(live_engagement())
    run_async(lambda: live.ensure_janus_room(room, "Briefing"))
    create = created[-1]
    assert (create["request"], create["audiolevel_event"]) == ("create", True)
    assert 0 < create["audio_level_average"] < 127
    assert 0 < create["audio_active_packets"] <= 50  # a second or less to notice a voice


# The page.
def test_the_room_page_shows_the_granted_rights_and_the_room_panels(journalist, settings) -> None:
    settings.ROOM_PANELS = ["rooms/test_panel.html"]
    templates = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**templates, "DIRS": [*templates["DIRS"], PANELS]}]
    client = claimed(journalist)
    path = f"/rooms/{journalist.engagement_id}/"
    page = client.get(path).content.decode()
    assert '"publishAudio": false' in page
    assert 'id="mic" aria-pressed="true" hidden' in page
    assert f"Panel for press, person {journalist.person_id}, in Point de presse" in page
    assert page.index('<section class="room-panels">') < page.index("Panel for press")
    actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, video=False, acting_user=None)
    page = client.get(path).content.decode()
    assert '"publishAudio": true' in page
    assert '"publishVideo": false' in page
    assert 'id="mic" aria-pressed="true">' in page
    assert 'id="camera" aria-pressed="true" hidden' in page
    assert '"rolePublishes": {"audio": false, "video": false}' in page


def test_without_room_panels_the_page_has_no_panel_section(journalist, settings) -> None:
    settings.ROOM_PANELS = []
    page = claimed(journalist).get(f"/rooms/{journalist.engagement_id}/").content.decode()
    assert "room-panels" not in page


def test_the_control_channel_snapshot_says_what_the_seat_may_publish(journalist) -> None:
    actions.do_grant_publishing(journalist.engagement_id, journalist.person_id, acting_user=None)
    client = claimed(journalist)

    async def snapshot() -> Any:
        socket = communicator(client, journalist.engagement_id, "control")
        assert (await socket.connect())[0]
        try:
            return await next_output(socket)
        finally:
            await socket.disconnect()

    state = run_async(snapshot)
    assert state["type"] == "room.state"
    assert state["body"]["publishing"] == {"audio": True, "video": True}


async def _in_thread(work: Any) -> None:
    """ORM work (that sends room events) from the test's coroutine: in a thread, as a request would."""

    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()

    await asyncio.get_running_loop().run_in_executor(None, run)


async def _until(condition: Any, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)
