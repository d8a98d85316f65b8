"""Live captions against a hostile user and a failing world: forged events, pages for staff only,
a background briefer's name by every way out, hostile text, odd answers from Janus, more voices than
ports, and the database or the channel layer failing for a moment."""

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from socket import AF_INET, SOCK_DGRAM
from socket import socket as udp_socket
from typing import Any, TypeVar

import numpy as np
import pytest
import webvtt
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections
from django.test import Client

from tests.factories.rooms import seat
from tests.janus import free_port, run_async
from tests.speech.conftest import import_script_trip
from tests.speech.scripts import BACKGROUND, BRANDT, SHORT, ZIELINSKI
from virtualtrip.rooms import queries as room_queries
from virtualtrip.rooms.actions import do_note_live_feed, do_open_room
from virtualtrip.rooms.janus.client import JanusError
from virtualtrip.rooms.models import Room
from virtualtrip.rooms.seats import participant_seat
from virtualtrip.speech.actions import do_keep_caption
from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.captions import reading
from virtualtrip.speech.captions import worker as worker_module
from virtualtrip.speech.captions.events import CaptionChanged
from virtualtrip.speech.captions.kept import captions_vtt
from virtualtrip.speech.captions.listening import Listener
from virtualtrip.speech.captions.stream import CaptionStream, Reader
from virtualtrip.speech.captions.window import WindowOptions
from virtualtrip.speech.captions.worker import CaptionWorker, caption_ports, configured_worker, publishers
from virtualtrip.speech.corrections import correct
from virtualtrip.speech.models import Caption
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.vocabulary import Vocabulary, vocabulary_for
from virtualtrip.speech.words import Word
from virtualtrip.trips.enums import GroundRules, Role
from virtualtrip.trips.models import Engagement, Participant

ATTRIBUTION = "A SENIOR STATE DEPARTMENT OFFICIAL"
WAIT_S = 10.0

T = TypeVar("T")


def closed_after(work: Callable[..., Any], *args: Any) -> None:
    """Do ORM `work` in a thread of its own, then close that thread's connection."""
    try:
        work(*args)
    finally:
        connections.close_all()


async def closing_connections(work: Coroutine[Any, Any, T]) -> T:
    """Run `work`, then close the database connections of the threads its ORM calls ran in: left
    open, PostgreSQL's are found unclosed later, in another test."""
    try:
        return await work
    finally:
        await sync_to_async(connections.close_all)()


def loud(seconds: float) -> Samples:
    rng = np.random.default_rng(3)
    return (rng.standard_normal(int(seconds * SAMPLE_RATE)) * 0.2).astype(np.float32)


def quiet(seconds: float) -> Samples:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def saying(*texts: str) -> Callable[[Vocabulary], Reader]:
    """A model that hears these words at the start of any window, read with the room's names as the
    real reader is (the correction pass)."""

    def reader_for(vocabulary: Vocabulary) -> Reader:
        def read(samples: Samples, before: str) -> list[Word]:
            if len(samples) < SAMPLE_RATE // 2:
                return []
            words = [Word(0.05 + 0.1 * i, 0.1 + 0.1 * i, f" {text}") for i, text in enumerate(texts)]
            return correct(words, vocabulary)[0]

        return read

    return reader_for


class FakeListener:
    """The listener, without ffmpeg: the test puts samples in `voices[port]`."""

    queues: dict[int, "asyncio.Queue[Samples | None]"] = {}

    def __init__(self, host: str, port: int) -> None:
        self.port = port
        self.srtp_key = "k"

    async def __aenter__(self) -> "FakeListener":
        FakeListener.queues[self.port] = asyncio.Queue()
        return self

    async def __aexit__(self, *exc: object) -> None:
        FakeListener.queues.pop(self.port, None)

    async def chunks(self) -> AsyncIterator[Samples]:
        queue = FakeListener.queues[self.port]
        while (chunk := await queue.get()) is not None:
            yield chunk


class FakeJanus:
    """listparticipants, rtp_forward and stop_rtp_forward, as the test wants them answered."""

    def __init__(self) -> None:
        self.participants: Any = []
        self.unreachable = False
        self.refuse_forward = False
        self.forwarded: list[tuple[int, int]] = []
        self.stopped: list[int] = []

    async def list_participants(self, room: Room) -> Any:
        if self.unreachable:
            raise OSError("connection refused")
        return self.participants

    async def forward_audio(self, room: Room, feed: int, host: str, port: int, key: str) -> int:
        if self.refuse_forward:
            raise JanusError(f"publisher {feed} sends no audio to forward")
        self.forwarded.append((feed, port))
        return 1000 + feed

    async def stop_forward(self, room: Room, feed: int, stream_id: int) -> None:
        self.stopped.append(feed)


@pytest.fixture
def janus(monkeypatch: pytest.MonkeyPatch) -> FakeJanus:
    fake = FakeJanus()
    monkeypatch.setattr(worker_module, "list_participants", fake.list_participants)
    monkeypatch.setattr(worker_module, "forward_audio", fake.forward_audio)
    monkeypatch.setattr(worker_module, "stop_forward", fake.stop_forward)
    monkeypatch.setattr(worker_module, "Listener", FakeListener)
    monkeypatch.setattr(worker_module, "RETRY_AFTER_S", 0.0)
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    return fake


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[CaptionChanged]:
    """The caption events the worker sends to rooms."""
    events: list[CaptionChanged] = []

    def send(group: str, event: CaptionChanged) -> None:
        events.append(event)

    monkeypatch.setattr(worker_module, "send_event_on_commit", send)
    return events


def model(monkeypatch: pytest.MonkeyPatch, reader_for: Callable[[Vocabulary], Reader]) -> None:
    monkeypatch.setattr(worker_module, "_room_reader", lambda room: reader_for)


def briefer_publishing(engagement: Engagement, feed: int = 7) -> Room:
    room = do_open_room(engagement)
    briefer = Participant.objects.get(engagement=engagement, role="briefer")
    do_note_live_feed(room, feed, participant_seat(briefer, []), room.opened_at)  # type: ignore[arg-type]
    return room


async def until(check: Callable[[], bool], what: str) -> None:
    for _ in range(int(WAIT_S / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"waited {WAIT_S} s for {what}")


async def speak(port: int, *pieces: Samples) -> None:
    for piece in pieces:
        FakeListener.queues[port].put_nowait(piece)


def go_on_background(engagement: Engagement) -> None:
    engagement.refresh_from_db()
    engagement.ground_rules, engagement.attribution = GroundRules.BACKGROUND, ATTRIBUTION
    engagement.save()


# Forged messages and pages for staff only


@pytest.mark.django_db(transaction=True)
def test_a_browser_cannot_send_a_caption_to_the_room(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.rooms.sockets import claimed, communicator

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    engagement = import_script_trip(SHORT)
    press = Participant.objects.get(engagement=engagement, role="press")
    moderator = Participant.objects.get(engagement=engagement, role="moderator")
    forger, other = claimed(press), claimed(moderator)
    forged = {"voice": 1, "cue": 0, "speaker": "ENVOY BRANDT", "text": "We surrender.", "final": True}

    async def run() -> tuple[dict[str, Any], bool]:
        sockets = [
            communicator(forger, engagement.pk, "control"),
            communicator(other, engagement.pk, "control"),
        ]
        for socket in sockets:
            assert (await socket.connect())[0]
            assert (await socket.receive_json_from(timeout=5))["type"] == "room.state"
        await sockets[0].send_json_to({"type": "caption.changed", "id": "c1", "body": forged})
        answer = await sockets[0].receive_json_from(timeout=5)
        nothing = await sockets[1].receive_nothing(timeout=0.5)
        for socket in sockets:
            await socket.disconnect()
        return answer, nothing

    answer, nothing = run_async(lambda: closing_connections(run()))
    assert (answer["type"], answer["code"], answer["in_response"]) == ("error", "unknown_command", "c1")
    assert nothing


@pytest.mark.django_db
def test_captions_and_the_speech_pages_are_for_active_staff_only() -> None:
    from tests.rooms.sockets import claimed

    engagement = import_script_trip(SHORT)
    now = engagement.starts_at
    do_keep_caption(engagement.pk, "MODERATOR", "Good afternoon.", now, now)
    press = claimed(Participant.objects.get(engagement=engagement, role="press"))
    user = Client()
    user.force_login(User.objects.create_user("reader"))
    former = Client()
    former.force_login(User.objects.create_user("former", is_staff=True, is_active=False))
    for path in (f"/speech/{engagement.pk}/captions.vtt", f"/speech/{engagement.pk}/"):
        for client in (Client(), press, user, former):
            response = client.get(path)
            assert response.status_code in {302, 403}, (path, response.status_code)
            assert "Good afternoon" not in response.content.decode()


def test_the_captions_script_writes_text_never_html() -> None:
    script = Path("virtualtrip/speech/static/speech/captions.js").read_text()
    assert re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\.html\(", script) == []
    assert script.count(".textContent = body.") == 2  # the speaker and the text, as text


# A background briefer's name


@pytest.mark.django_db
def test_on_background_the_briefers_name_heard_is_written_as_the_attribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engagement = import_script_trip(BACKGROUND)
    prompts: list[str] = []

    def heard(model: object, samples: Samples, options: WindowOptions) -> list[Word]:
        prompts.append(options.prompt)
        said = [(0.0, 0.3, " Thanks,"), (0.3, 0.6, " Tomasz"), (0.6, 1.0, " Zielinski.")]
        return [Word(start, end, text, 0.9) for start, end, text in said]

    monkeypatch.setattr(reading, "read_window", heard)
    read = reading.readers_on(object(), True)(vocabulary_for(engagement))
    text = "".join(w.text for w in read(loud(1.0), ""))
    assert text == f" Thanks, [{BACKGROUND.attribution}]."
    assert prompts
    assert all("Zieli" not in prompt for prompt in prompts)


@pytest.mark.django_db(transaction=True)
def test_a_briefer_gone_on_background_mid_room_is_the_attribution_from_then_on(
    monkeypatch: pytest.MonkeyPatch, janus: FakeJanus, sent: list[CaptionChanged]
) -> None:
    """The label, the words (settled before, and heard after), the kept cue: none names them."""
    engagement = import_script_trip(SHORT)
    briefer_publishing(engagement)
    janus.participants = [{"id": 7, "publisher": True}]
    model(monkeypatch, saying("Helena", "Brandt", "here."))
    worker = CaptionWorker("127.0.0.1", [23000])

    async def run() -> None:
        await worker.look()
        await until(lambda: 23000 in FakeListener.queues, "the voice to be listened to")
        await speak(23000, loud(1.0), loud(1.0))
        await until(lambda: any(e.text for e in sent), "a caption")
        await asyncio.sleep(0.5)  # the second reading agrees: the name is settled
        await asyncio.to_thread(closed_after, go_on_background, engagement)
        before = len(sent)
        await worker.look()
        await speak(23000, loud(1.0), quiet(1.0))
        await until(lambda: any(e.final for e in sent[before:]), "the cue to end")
        for room_id in list(worker.rooms):
            await worker._stop_room(room_id)

    run_async(lambda: closing_connections(run()))
    assert sent[0].speaker == BRANDT.label  # on the record, named
    after = sent[next(i for i, e in enumerate(sent) if e.speaker != BRANDT.label) :]
    assert {e.speaker for e in after} == {ATTRIBUTION}
    assert all("Brandt" not in e.text and "Helena" not in e.text for e in after), after
    assert [(c.speaker, "Brandt" in c.text) for c in Caption.objects.all()] == [(ATTRIBUTION, False)]


@pytest.mark.django_db
def test_captions_kept_before_the_engagement_went_on_background_no_longer_name_the_briefer() -> None:
    engagement = import_script_trip(SHORT)
    room = do_open_room(engagement)
    at = room.opened_at
    assert at is not None
    do_keep_caption(engagement.pk, BRANDT.label, "Helena Brandt, on the record.", at, at)
    do_keep_caption(engagement.pk, "MODERATOR", "Thank you, Envoy Brandt.", at, at)
    go_on_background(engagement)
    vtt = captions_vtt(engagement)
    assert "Brandt" not in vtt, vtt
    assert "BRANDT" not in vtt, vtt
    cues = webvtt.from_string(vtt).captions
    assert [c.voice for c in cues] == [ATTRIBUTION, "MODERATOR"]


# Hostile text


def test_noise_that_never_settles_does_not_grow_the_window_without_end() -> None:
    """A publisher playing noise (or readings that never agree) for a minute: each reading stays short."""
    readings: list[float] = []
    count = iter(range(10**6))

    def never_agrees(samples: Samples, before: str) -> list[Word]:
        readings.append(len(samples) / SAMPLE_RATE)
        return [Word(0.1, 0.4, f" word{next(count)}")]

    def hears_nothing(samples: Samples, before: str) -> list[Word]:
        readings.append(len(samples) / SAMPLE_RATE)
        return []

    for read in (never_agrees, hears_nothing):
        readings.clear()
        stream = CaptionStream(read, max_window_s=5.0)
        for _ in range(60):
            stream.feed(loud(1.0))
        assert max(readings) <= 11.0, max(readings)


# Janus, ports and failures


def test_only_real_publishers_janus_lists_are_captioned() -> None:
    listed = [
        {"publisher": True},
        {"id": "7", "publisher": True},
        {"id": True, "publisher": True},
        {"id": -3, "publisher": True},
        {"id": 8, "publisher": "yes"},
        {"id": 10, "publisher": False},
        "junk",
        None,
        {"id": 9, "publisher": True},
    ]
    assert publishers(listed) == {9}
    assert publishers(None) == set()
    assert publishers({"id": 9}) == set()


@pytest.mark.django_db(transaction=True)
def test_odd_answers_from_janus_and_a_refused_forward_do_not_stop_the_worker(
    monkeypatch: pytest.MonkeyPatch, janus: FakeJanus, sent: list[CaptionChanged]
) -> None:
    engagement = import_script_trip(SHORT)
    briefer_publishing(engagement)
    model(monkeypatch, saying("hello"))
    worker = CaptionWorker("127.0.0.1", [23001])

    async def run() -> None:
        running = asyncio.create_task(worker.run(every=0.02))
        for odd in (None, {"participants": 1}, ["x", 5], [{"id": "7", "publisher": True}]):
            janus.participants = odd
            await asyncio.sleep(0.1)
        janus.unreachable = True
        await asyncio.sleep(0.1)
        janus.unreachable, janus.refuse_forward = False, True
        janus.participants = [{"id": 7, "publisher": True}]
        await asyncio.sleep(0.2)
        assert not running.done()
        janus.refuse_forward = False  # the one port a refused forward had is free again
        await until(lambda: janus.forwarded == [(7, 23001)], "the forward asked again")
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    run_async(lambda: closing_connections(run()))
    assert janus.stopped == [7]


@pytest.mark.django_db(transaction=True)
def test_the_database_and_the_channel_layer_failing_for_a_moment_do_not_stop_the_worker(
    monkeypatch: pytest.MonkeyPatch, janus: FakeJanus, sent: list[CaptionChanged]
) -> None:
    engagement = import_script_trip(SHORT)
    briefer_publishing(engagement)
    janus.participants = [{"id": 7, "publisher": True}]
    model(monkeypatch, saying("hello", "there."))
    looks = {"failed": 0}
    real_open_rooms = room_queries.open_rooms

    def open_rooms() -> list[Room]:
        if looks["failed"] < 2:
            looks["failed"] += 1
            raise OperationalError("the database is restarting")
        return real_open_rooms()

    monkeypatch.setattr(room_queries, "open_rooms", open_rooms)
    layer = {"down": True}

    def send(group: str, event: CaptionChanged) -> None:
        if layer["down"]:
            layer["down"] = False
            raise ConnectionError("redis went away")
        sent.append(event)

    monkeypatch.setattr(worker_module, "send_event_on_commit", send)
    worker = CaptionWorker("127.0.0.1", [23002])

    async def run() -> None:
        running = asyncio.create_task(worker.run(every=0.02))
        await until(lambda: 23002 in FakeListener.queues, "a look that worked")
        await speak(23002, loud(1.0), loud(1.0), loud(1.0), quiet(1.0))
        await until(lambda: any(e.final for e in sent), "the cue to end")
        assert not running.done()
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    run_async(lambda: closing_connections(run()))
    assert looks["failed"] == 2
    assert not layer["down"]
    assert [c.text for c in Caption.objects.all()] == ["hello there."]


@pytest.mark.django_db(transaction=True)
def test_more_voices_than_ports_a_new_feed_id_and_the_room_ending(
    monkeypatch: pytest.MonkeyPatch, janus: FakeJanus, sent: list[CaptionChanged]
) -> None:
    engagement = import_script_trip(SHORT)
    room = briefer_publishing(engagement, feed=7)
    moderator = Participant.objects.get(engagement=engagement, role="moderator")
    do_note_live_feed(room, 8, participant_seat(moderator, []), room.opened_at)  # type: ignore[arg-type]
    model(monkeypatch, saying("hello."))
    worker = CaptionWorker("127.0.0.1", [23003])
    briefer_seat = participant_seat(Participant.objects.get(engagement=engagement, role="briefer"), [])

    def end_room() -> None:
        Room.objects.filter(pk=room.pk).update(ended_at=engagement.ends_at)

    async def run() -> None:
        janus.participants = [{"id": 7, "publisher": True}, {"id": 8, "publisher": True}]
        await worker.look()
        await until(lambda: len(janus.forwarded) == 1, "one voice forwarded")
        await worker.look()
        await asyncio.sleep(0.1)
        assert len(janus.forwarded) == 1  # one port: one voice, the other waits
        first = janus.forwarded[0][0]
        janus.participants = [p for p in janus.participants if p["id"] != first]
        await worker.look()
        await until(lambda: worker._free == [23003], "the port back")
        await worker.look()
        await until(lambda: len(janus.forwarded) == 2, "the other voice forwarded")
        assert [feed for feed, _ in janus.forwarded] == [first, 15 - first]
        # The briefer leaves and joins again, as another publisher.
        await asyncio.to_thread(closed_after, do_note_live_feed, room, 17, briefer_seat, engagement.starts_at)
        janus.participants = [{"id": 17, "publisher": True}]
        for _ in range(3):
            await worker.look()
            await asyncio.sleep(0.05)
        await until(lambda: 23003 in FakeListener.queues, "the new feed listened to")
        await speak(23003, loud(1.0), loud(1.0))
        await until(lambda: any(e.voice == 17 for e in sent), "a caption of the new feed")
        await asyncio.to_thread(closed_after, end_room)
        await worker.look()
        assert worker.rooms == {}

    run_async(lambda: closing_connections(run()))
    assert janus.stopped == [7, 8, 17] or janus.stopped == [8, 7, 17]
    assert {e.speaker for e in sent if e.voice == 17} == {BRANDT.label}
    assert [c.speaker for c in Caption.objects.all()] == [BRANDT.label]  # its cue ended with the room
    assert worker._free == [23003]


# Settings


@pytest.mark.parametrize(
    "ports",
    [(22000,), (22199, 22000), (22000, 22000), (22001, 22002), (0, 100), (22000, 70000), ("a", "b")],
)
def test_malformed_caption_ports_are_refused_with_the_setting_named(settings, ports) -> None:  # type: ignore[no-untyped-def]
    settings.SPEECH_CAPTION_PORTS = ports
    with pytest.raises(ImproperlyConfigured, match="VIRTUALTRIP_CAPTION_PORTS"):
        configured_worker()


def test_caption_ports_are_every_other_port_of_the_range_each_with_the_next_one_beside_it() -> None:
    assert list(caption_ports((22000, 22003))) == [22000, 22002]
    assert list(caption_ports((22000, 22004))) == [22000, 22002]  # 22004 has no 22005 for its RTCP
    assert len(caption_ports((22000, 22199))) == 100
    assert list(caption_ports((22001, 22004))) == [22002]  # even ports for RTP, as RTP has it


def test_two_voices_on_the_first_two_voice_ports_are_both_listened_to() -> None:
    """ffmpeg binds a voice's port and the next one: voices side by side, the second was deaf."""
    first = free_port() % 1000 + 44000
    first -= first % 2
    one, two = caption_ports((first, first + 3))

    async def run() -> None:
        async with Listener("127.0.0.1", one) as heard, Listener("127.0.0.1", two) as other:
            await asyncio.sleep(1.0)
            assert heard.running
            assert other.running, await other.problem()

    run_async(run)


@pytest.mark.django_db
def test_on_background_from_the_start_the_stored_feed_says_nothing_of_the_name() -> None:
    engagement = import_script_trip(BACKGROUND)
    room = briefer_publishing(engagement)
    voice = room_queries.feed_voices(room, [7])[7]
    assert ZIELINSKI.name not in voice.display


def test_a_voice_port_already_taken_is_named_in_the_error() -> None:
    taken = udp_socket(AF_INET, SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    port = taken.getsockname()[1]

    async def run() -> None:
        with pytest.raises(SpeechProblem, match=f"127.0.0.1:{port}: .*bind failed"):
            async with Listener("127.0.0.1", port):
                pass

    try:
        run_async(run)
    finally:
        taken.close()


@pytest.mark.django_db(transaction=True)
def test_an_interpreters_voice_is_a_channel_not_the_floor_and_is_not_captioned(
    monkeypatch: pytest.MonkeyPatch, janus: FakeJanus, sent: list[CaptionChanged]
) -> None:
    engagement = import_script_trip(SHORT)
    room = briefer_publishing(engagement, feed=7)
    interpreter = seat(engagement, Role.INTERPRETER, name="Ana Lúcia Gonçalves", languages=["en", "pt"])
    do_note_live_feed(room, 9, participant_seat(interpreter, []), room.opened_at)  # type: ignore[arg-type]
    janus.participants = [{"id": 7, "publisher": True}, {"id": 9, "publisher": True}]
    model(monkeypatch, saying("hello."))
    worker = CaptionWorker("127.0.0.1", [23010, 23011, 23012, 23013])

    async def run() -> None:
        running = asyncio.create_task(worker.run(every=0.02))
        await until(lambda: bool(janus.forwarded), "the briefer's voice forwarded")
        await asyncio.sleep(0.2)  # a few more looks
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    run_async(lambda: closing_connections(run()))
    assert [feed for feed, _port in janus.forwarded] == [7]
