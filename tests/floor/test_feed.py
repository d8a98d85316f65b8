"""The live floor feed over Server-Sent Events, through Django's ASGI handler as `serve` runs it, on
the in-memory layer and on Redis: the token, the first state, one message per change with the
stream's seq as its id, resuming with Last-Event-ID, what it never sends, and a new feed link that
stops the old one."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.core import signing
from django.core.asgi import get_asgi_application
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.floor.conftest import Briefing, admit, make_briefing, viewer
from virtualtrip.floor import actions, feed
from virtualtrip.floor.models import FeedKey
from virtualtrip.floor.queries import feed_state
from virtualtrip.floor.state import stream_key
from virtualtrip.realtime import journal
from virtualtrip.trips.enums import GroundRules
from virtualtrip.trips.models import Engagement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_lasting_connections")]
WAIT_S = 5
SECRET_QUESTION = "Is the <b>dam</b> deal signed? 秘密"


class Feed:
    """One client of the feed, speaking HTTP to the ASGI application."""

    def __init__(self, path: str, query: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver"), *(headers or [])],
            "client": ("127.0.0.1", 40000),
            "server": ("testserver", 80),
        }
        self.app = ApplicationCommunicator(get_asgi_application(), scope)
        self.buffer = b""
        self.raw = b""

    async def open(self) -> dict[str, Any]:
        await self.app.send_input({"type": "http.request", "body": b"", "more_body": False})
        start: dict[str, Any] = await self.app.receive_output(WAIT_S)
        start["headers"] = [(name.lower(), value) for name, value in start["headers"]]
        return start

    async def body(self) -> bytes:
        """The whole body of a response that is not a stream."""
        chunks = b""
        while True:
            part: dict[str, Any] = await self.app.receive_output(WAIT_S)
            chunks += bytes(part.get("body", b""))
            if not part.get("more_body"):
                await self.app.wait(WAIT_S)  # let the handler finish (it closes the request's body)
                return chunks

    async def event(self, timeout: float = WAIT_S) -> dict[str, str]:
        """The next event's fields (comments and the retry line skipped)."""
        while True:
            while b"\n\n" not in self.buffer:
                # Not receive_output, which cancels the application when it times out.
                part = await asyncio.wait_for(self.app.output_queue.get(), timeout)
                self.buffer += part.get("body", b"")
                self.raw += part.get("body", b"")
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            fields = dict(
                line.split(": ", 1) for line in block.decode().splitlines() if not line.startswith(":")
            )
            if "data" in fields:
                return fields

    async def state(self, timeout: float = WAIT_S) -> tuple[int, dict[str, Any]]:
        fields = await self.event(timeout)
        return int(fields["id"]), json.loads(fields["data"])

    async def nothing_for(self, seconds: float) -> None:
        with pytest.raises(asyncio.TimeoutError):
            await self.event(seconds)

    async def close(self) -> None:
        await self.app.send_input({"type": "http.disconnect"})
        await self.app.wait(WAIT_S)


def feed_of(engagement: Engagement, token: str | None = "", last: int | None = None) -> Feed:
    """A client of the feed with `token` ("": the link as first shown; None: no token at all)."""
    path = reverse("floor:feed", args=[engagement.pk])
    query = f"token={feed.feed_token(engagement.pk) if token == '' else token}" if token is not None else ""
    headers = [(b"last-event-id", str(last).encode())] if last is not None else []
    return Feed(path, query, headers)


def run(action: Callable[[], Any]) -> Any:
    return database_sync_to_async(action)()


@pytest.fixture
def briefing(layer) -> Briefing:  # type: ignore[no-untyped-def]
    made = make_briefing(ground_rules=GroundRules.BACKGROUND, attribution="A SENIOR OFFICIAL")
    admit(made.moderator, *made.journalists)
    return made


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_missing_or_wrong_token_is_refused_with_a_plain_message(
    briefing: Briefing, token: str | None
) -> None:
    other = make_briefing().engagement

    async def go() -> None:
        # "" asks for the token of another engagement: valid there, not here
        client = feed_of(briefing.engagement, feed.feed_token(other.pk) if token == "" else token)
        start = await client.open()
        assert start["status"] == 403
        assert dict(start["headers"])[b"content-type"] == b"text/plain; charset=utf-8"
        assert b"This feed needs its token" in await client.body()

    asyncio.run(go())


def test_the_feed_follows_the_floor_and_never_sends_question_text_nor_the_briefers_name(
    briefing: Briefing,
) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel, li = viewer(briefing.journalists[0]), viewer(briefing.journalists[1])
    key = stream_key(engagement.pk)

    async def go() -> None:
        client = feed_of(engagement)
        start = await client.open()
        assert start["status"] == 200
        headers = dict(start["headers"])
        assert headers[b"content-type"] == b"text/event-stream; charset=utf-8"
        assert headers[b"cache-control"] == b"no-cache"
        assert headers[b"access-control-allow-origin"] == b"*"
        head = await run(lambda: journal.head(key))
        rules = {"rule": "background", "attribution": "A SENIOR OFFICIAL", "embargo_until": None}
        assert await client.state() == (
            head,
            {"holder": None, "queue_length": 0, "ground_rules": rules, "status": "open"},
        )
        hand = await run(lambda: actions.check_raise_hand(isabel, engagement))
        seq, state = await client.state()
        assert (seq, state["queue_length"]) == (head + 1, 1)
        await run(lambda: actions.check_ask(li, engagement, SECRET_QUESTION))
        assert (await client.state())[1]["queue_length"] == 2
        await run(lambda: actions.check_give_floor(moderator, engagement, question_id=hand.pk))
        seq, state = await client.state()
        assert seq == await run(lambda: journal.head(key))
        holder = state["holder"]
        assert (holder["name"], holder["outlet"], holder["country"], holder["follow_ups"]) == (
            "Isabel González",
            "Latinus",
            "MX",
            0,
        )
        assert set(holder) == {"name", "outlet", "country", "since", "follow_ups"}
        assert state["queue_length"] == 1
        await run(lambda: actions.check_follow_up(moderator, engagement))
        assert (await client.state())[1]["holder"]["follow_ups"] == 1
        await run(lambda: actions.check_one_more(moderator, engagement))
        assert (await client.state())[1]["status"] == "closing"
        await run(lambda: actions.check_end(moderator, engagement))
        taken_back = (await client.state())[1]  # the end takes the floor back first
        assert (taken_back["status"], taken_back["holder"], taken_back["queue_length"]) == (
            "closing",
            None,
            1,
        )
        seq, state = await client.state()
        assert (seq, state["status"], state["holder"], state["queue_length"]) == (
            await run(lambda: journal.head(key)),
            "ended",
            None,
            0,
        )
        await client.close()
        assert "秘密" not in client.raw.decode()
        assert "dam" not in client.raw.decode()
        assert "Ōtsuka" not in client.raw.decode()

    asyncio.run(go())


def test_an_event_that_changes_nothing_the_feed_shows_sends_nothing(briefing: Briefing) -> None:
    engagement, person = briefing.engagement, briefing.journalists[0].person_id

    async def go() -> None:
        client = feed_of(engagement)
        await client.open()
        await client.state()
        await run(lambda: actions.do_note_talking(engagement.pk, person, True, timezone.now()))
        await client.nothing_for(0.5)
        await client.close()

    asyncio.run(go())


def test_resuming_at_the_head_sends_nothing_until_the_next_change_and_behind_sends_the_state_now(
    briefing: Briefing,
) -> None:
    engagement, isabel = briefing.engagement, viewer(briefing.journalists[0])

    async def go() -> None:
        await run(lambda: actions.check_raise_hand(isabel, engagement))
        head = await run(lambda: journal.head(stream_key(engagement.pk)))
        current = feed_of(engagement, last=head)
        await current.open()
        await current.nothing_for(0.5)
        await run(lambda: actions.check_lower_hand(isabel, engagement))
        assert await current.state() == (head + 1, {**(await current_state(engagement)), "queue_length": 0})
        behind = feed_of(engagement, last=head - 1)
        await behind.open()
        seq, state = await behind.state()
        assert (seq, state["queue_length"]) == (head + 1, 0)
        await current.close()
        await behind.close()

    asyncio.run(go())


async def current_state(engagement: Engagement) -> dict[str, Any]:
    state: dict[str, Any] = await run(lambda: feed_state(engagement))
    return state


def test_a_quiet_feed_reads_the_state_afresh_after_its_heartbeat(briefing: Briefing, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A change made without an event (a re-import's new ground rules) reaches the feed anyway."""
    monkeypatch.setattr(feed, "HEARTBEAT_SECONDS", 0.2)
    engagement = briefing.engagement

    async def go() -> None:
        client = feed_of(engagement)
        await client.open()
        await client.state()
        await run(
            lambda: Engagement.objects.filter(pk=engagement.pk).update(
                ground_rules=GroundRules.OFF_RECORD, attribution=""
            )
        )
        _seq, state = await client.state()
        assert state["ground_rules"]["rule"] == "off_record"
        assert b": still here" in client.raw
        await client.close()

    asyncio.run(go())


def test_a_missed_event_is_made_up_from_the_database(briefing: Briefing, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An event that skips a seq (the one before was dropped by a full channel) brings a fresh read:
    here the floor given in the lost event, which the next event's parts do not hold."""
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel = viewer(briefing.journalists[0])

    async def go() -> None:
        client = feed_of(engagement)
        await client.open()
        await client.state()
        hand = await run(lambda: actions.check_raise_hand(isabel, engagement))
        await client.state()
        with monkeypatch.context() as lost:
            lost.setattr(journal, "fan_out_on_commit", lambda group, payload: None)
            await run(lambda: actions.check_give_floor(moderator, engagement, question_id=hand.pk))
        await run(lambda: actions.do_note_talking(engagement.pk, isabel.person_id or 0, True, timezone.now()))
        seq, state = await client.state()
        assert seq == await run(lambda: journal.head(stream_key(engagement.pk)))
        assert (state["holder"]["name"], state["queue_length"]) == ("Isabel González", 0)
        await client.close()

    asyncio.run(go())


def test_a_client_that_leaves_leaves_the_floors_group(briefing: Briefing, layer: str) -> None:
    if layer != "in-memory":
        pytest.skip("the in-memory layer shows its groups")
    engagement = briefing.engagement

    async def go() -> None:
        client = feed_of(engagement)
        await client.open()
        await client.state()
        channel_layer: Any = get_channel_layer()
        assert len(channel_layer.groups.get(stream_key(engagement.pk), {})) == 1
        await client.close()
        assert channel_layer.groups.get(stream_key(engagement.pk), {}) == {}

    asyncio.run(go())


async def rest_of_stream(client: Feed) -> bytes:
    """What the feed sends until it ends by itself (it fails the test when it does not, in WAIT_S)."""
    rest = client.buffer
    async with asyncio.timeout(WAIT_S):
        while True:
            part: dict[str, Any] = await client.app.output_queue.get()
            rest += bytes(part.get("body", b""))
            if not part.get("more_body"):
                return rest


def test_links_shown_before_feed_keys_had_versions_keep_working_until_replaced(briefing: Briefing) -> None:
    engagement = briefing.engagement
    first_shown = signing.Signer(salt=feed.SALT).signature(str(engagement.pk))
    assert feed.current_token(engagement.pk) == first_shown
    feed.do_new_feed_link(engagement, acting_user=None)
    assert feed.current_token(engagement.pk) != first_shown
    assert feed.token_version(engagement.pk, first_shown) is None


def test_a_new_feed_link_on_the_staff_page_refuses_the_old_one_at_once(briefing: Briefing) -> None:
    engagement = briefing.engagement
    staff = Client()
    staff.force_login(User.objects.create_user("Ōkubo", password="a-long-test-password", is_staff=True))
    old = feed.current_token(engagement.pk)
    page = staff.post(reverse("floor:new-feed-link", args=[engagement.pk]), follow=True).content.decode()
    assert "The live feed has a new address" in page
    new = feed.current_token(engagement.pk)
    assert f"?token={new}" in page
    assert f"?token={old}" not in page
    key = FeedKey.objects.get(engagement=engagement)
    assert (key.version, key.changed_by) == (1, User.objects.get(username="Ōkubo"))
    staff.post(reverse("floor:new-feed-link", args=[engagement.pk]))
    newest = feed.current_token(engagement.pk)

    async def go() -> None:
        for token, status in [(old, 403), (new, 403), (newest, 200)]:
            client = feed_of(engagement, token)
            assert (await client.open())["status"] == status
            await client.close()

    asyncio.run(go())


def test_only_staff_issue_a_new_feed_link(briefing: Briefing) -> None:
    engagement = briefing.engagement
    before = feed.current_token(engagement.pk)
    reporter = Client()
    reporter.force_login(User.objects.create_user("reporter", password="a-long-test-password"))
    assert reporter.post(reverse("floor:new-feed-link", args=[engagement.pk])).status_code == 302
    desk = Client(enforce_csrf_checks=True)
    desk.force_login(User.objects.create_user("desk", password="a-long-test-password", is_staff=True))
    assert desk.post(reverse("floor:new-feed-link", args=[engagement.pk])).status_code == 403
    assert desk.get(reverse("floor:new-feed-link", args=[engagement.pk])).status_code == 405
    assert feed.current_token(engagement.pk) == before


def test_an_open_feed_ends_at_its_next_message_once_its_link_is_replaced(briefing: Briefing) -> None:
    engagement, isabel = briefing.engagement, viewer(briefing.journalists[0])

    async def go() -> None:
        client = feed_of(engagement)
        await client.open()
        await client.state()
        await run(lambda: feed.do_new_feed_link(engagement, acting_user=None))
        await run(lambda: actions.check_raise_hand(isabel, engagement))
        assert await rest_of_stream(client) == feed.REPLACED
        await client.app.wait(WAIT_S)

    asyncio.run(go())


def test_a_quiet_open_feed_ends_at_its_next_heartbeat_once_its_link_is_replaced(
    briefing: Briefing, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(feed, "HEARTBEAT_SECONDS", 0.2)
    engagement = briefing.engagement

    async def go() -> None:
        client = feed_of(engagement)
        await client.open()
        await client.state()
        await run(lambda: feed.do_new_feed_link(engagement, acting_user=None))
        assert (await rest_of_stream(client)).endswith(feed.REPLACED)
        await client.app.wait(WAIT_S)

    asyncio.run(go())
