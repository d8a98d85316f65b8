"""`virtualtrip serve` with other processes beside it. A revocation made by another process reaches
the sockets serve holds: a planner's `join-link --reissue` and a re-import that takes someone off,
with the in-memory channel layer (serve relays them from the database) and with Redis (the channel
layer carries them). And serve cuts frames far too large before buffering them."""

import http.cookiejar
import json
import os
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.conftest import as_yaml
from tests.rooms.test_reimport import live_trip_document
from tests.rooms.test_serve import Served

pytestmark = [pytest.mark.janus, pytest.mark.slow]
NOTICED_WITHIN_S = 5


class LinkHolder:
    """A browser without a browser: it opens a join link on the served app and holds its cookies."""

    def __init__(self, served: Served, link: str) -> None:
        self.served = served
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.opener.open(link, timeout=10).read()
        csrf = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        request = urllib.request.Request(link, method="POST", headers={"X-CSRFToken": csrf or ""})  # noqa: S310
        with self.opener.open(request, timeout=10) as answer:
            self.room = json.loads(answer.read())["room"]

    def control(self) -> ClientConnection:
        engagement = self.room.strip("/").split("/")[-1]
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)
        base = f"127.0.0.1:{self.served.port}"
        return connect(
            f"ws://{base}/ws/rooms/{engagement}/control/",
            additional_headers={"Cookie": cookies, "Origin": f"http://{base}"},
            open_timeout=10,
        )


def revocation(socket: ClientConnection) -> tuple[dict, int | None]:
    """The `seat.revoked` event the socket gets within NOTICED_WITHIN_S, and its close code."""
    revoked: dict = {}
    try:
        while True:
            event = json.loads(socket.recv(timeout=NOTICED_WITHIN_S))
            if event["type"] == "seat.revoked":
                revoked = event["body"]
    except ConnectionClosed as closed:
        return revoked, closed.rcvd.code if closed.rcvd is not None else None
    except TimeoutError:
        return revoked, None


@pytest.fixture(params=["in-memory", "redis"])
def served(request, tmp_path: Path):
    extra = {}
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL (make test runs Redis)")
        extra["REDIS_URL"] = os.environ["REDIS_URL"]
    running = Served(tmp_path, extra_env=extra)
    try:
        running.wait_healthy()
        trip = tmp_path / "trip.yaml"
        trip.write_bytes(as_yaml(live_trip_document(guests=1)))
        assert running.command("import-trip", str(trip)).returncode == 0
        yield running
    finally:
        running.stop()


def link(served: Served, person: str, *extra: str) -> str:
    answer = served.command(
        "join-link",
        "kathmandu-day",
        "meeting",
        person,
        "--base-url",
        f"http://127.0.0.1:{served.port}",
        *extra,
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


def test_a_link_reissued_from_the_command_line_unseats_its_browser(served: Served) -> None:
    holder = LinkHolder(served, link(served, "p1"))
    bystander = LinkHolder(served, link(served, "p2"))
    with holder.control() as socket, bystander.control() as other:
        assert json.loads(socket.recv(timeout=10))["type"] == "room.state"
        assert json.loads(other.recv(timeout=10))["type"] == "room.state"
        link(served, "p1", "--reissue")
        body, code = revocation(socket)
        assert (body.get("reason"), code) == ("Your link was replaced by a new one.", 4403)
        assert revocation(other) == ({}, None)  # nobody else is touched


def test_a_reimport_that_takes_someone_off_unseats_them(served: Served, tmp_path: Path) -> None:
    guest = LinkHolder(served, link(served, "p6"))
    with guest.control() as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "room.state"
        trip = tmp_path / "without-guest.yaml"
        trip.write_bytes(as_yaml(live_trip_document()))
        assert served.command("import-trip", "--replace", str(trip)).returncode == 0
        body, code = revocation(socket)
        assert (body.get("reason"), code) == ("You are no longer on the list for this engagement.", 4403)


def test_serve_cuts_a_frame_far_over_the_sockets_limits_before_buffering_it(served: Served) -> None:
    holder = LinkHolder(served, link(served, "p1"))
    with holder.control() as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "room.state"
        socket.send("x" * (2 * 1024 * 1024))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009  # message too big
