"""The floor's abuse limits against a client that lies or gives up halfway: a forged X-Forwarded-For,
a proxy in front of the site, sockets whose connect fails midway."""

import re

import pytest
from django.test import Client, RequestFactory, override_settings

from tests.factories.rooms import live_engagement
from tests.floor.conftest import Briefing, admit, make_briefing
from tests.floor.sockets import FloorSocket
from tests.floor.test_accreditation import GOOD, briefing, register_url
from tests.janus import run_async
from tests.rooms.sockets import claimed
from virtualtrip.clients import client_address, trusted_networks
from virtualtrip.floor import invitations
from virtualtrip.floor.consumers import OPEN, FloorConsumer
from virtualtrip.floor.invitations import (
    InvitationFull,
    check_join_with_invitation,
    do_issue_invitation,
    invitation_path,
)
from virtualtrip.floor.models import Accreditation, Invitation
from virtualtrip.rooms import actions as room_actions
from virtualtrip.trips.enums import EngagementKind
from virtualtrip.trips.models import Participant

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"


def register(engagement: object, peer: str, number: int, forwarded: str | None = None) -> int:
    data = {**GOOD, "email": f"reporter{number}@example.org"}
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return Client(REMOTE_ADDR=peer).post(register_url(engagement), data, headers=headers).status_code  # type: ignore[arg-type]


def test_a_forged_x_forwarded_for_is_ignored_without_a_trusted_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    engagement = briefing()
    statuses = [register(engagement, "203.0.113.9", n, f"198.51.100.{n}") for n in range(3)]
    assert (statuses, Accreditation.objects.count()) == ([200, 429, 429], 1)


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    engagement = briefing()
    statuses = [
        register(engagement, PROXY, 0, "198.51.100.1"),
        register(engagement, PROXY, 1, "198.51.100.2"),
        register(engagement, PROXY, 2, "198.51.100.1"),
        # what the client wrote itself is left of what the proxy appended: never read
        register(engagement, PROXY, 3, "192.0.2.77, 198.51.100.2"),
        # from a client that is not the proxy, the header is not believed
        register(engagement, "198.51.100.3", 4, "192.0.2.78"),
        register(engagement, "198.51.100.3", 5, "192.0.2.79"),
    ]
    assert statuses == [200, 200, 429, 429, 200, 429]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # two proxies of ours
        (PROXY, "10.0.0.7, 10.0.0.8", PROXY),
        (PROXY, "2001:db8::1", "2001:db8::1"),
        (PROXY, "[2001:db8::2]:4711", "2001:db8::2"),
        (PROXY, "198.51.100.1 , junk, 198.51.100.2", "198.51.100.2"),
        (PROXY, "x" * 10_000, PROXY),
        ("198.51.100.9", "192.0.2.1", "198.51.100.9"),
        ("", "192.0.2.1", ""),
    ],
)
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_the_client_address_is_the_rightmost_one_no_proxy_of_ours_wrote(
    peer: str, forwarded: str | None, client: str
) -> None:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers)
    assert client_address(request) == client


def test_a_trusted_proxy_that_is_no_address_is_named() -> None:
    with pytest.raises(
        ValueError, match=re.escape("TRUSTED_PROXIES: 'proxy.local' is not an IP address or network")
    ):
        trusted_networks(["10.0.0.1", "proxy.local"])


def test_a_guest_who_read_the_last_place_free_is_refused_once_another_took_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Where the row lock is no lock (SQLite), a guest's read of the count can be stale by the time it
    writes: the conditional update refuses them, and nothing of theirs is made."""
    engagement = live_engagement(kind=EngagementKind.TOWN_HALL)
    invitation = do_issue_invitation(engagement, acting_user=None, capacity=1)
    token = invitation_path(invitation).split("/")[-2]
    stale = Invitation.objects.get(pk=invitation.pk)  # read while the place was free
    check_join_with_invitation(token, "Aroha")
    monkeypatch.setattr(invitations, "read_invitation", lambda token, now=None, *, lock=False: stale)
    with pytest.raises(InvitationFull):
        check_join_with_invitation(token, "Tama")
    names = list(Participant.objects.filter(engagement=engagement).values_list("person__name", flat=True))
    assert (names, Invitation.objects.get().joined) == (["Aroha"], 1)


def test_a_failed_join_gives_its_place_back(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The place is counted in the same transaction as the seat: a join failing after the count
    (its join link not made) leaves the place free for the next guest."""
    engagement = live_engagement(kind=EngagementKind.TOWN_HALL)
    invitation = do_issue_invitation(engagement, acting_user=None, capacity=1)
    token = invitation_path(invitation).split("/")[-2]

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the join link could not be made")

    with monkeypatch.context() as patched:
        patched.setattr(room_actions, "do_issue_join_link", broken)
        with pytest.raises(RuntimeError):
            check_join_with_invitation(token, "Aroha")
    assert (Invitation.objects.get().joined, Participant.objects.filter(engagement=engagement).count()) == (
        0,
        0,
    )
    check_join_with_invitation(token, "Tama")
    assert Invitation.objects.get().joined == 1


async def connect_and_wait(socket: FloorSocket) -> None:
    """Connect, then wait for the socket's first message: the error, wherever it comes."""
    await socket.socket.connect()
    await socket.socket.receive_output(timeout=5)


@pytest.fixture
def live(layer) -> Briefing:  # type: ignore[no-untyped-def]
    made = make_briefing()
    admit(made.moderator, *made.journalists)
    return made


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_lasting_connections")
def test_a_socket_whose_connect_fails_midway_keeps_no_place(live: Briefing, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The seat check failing (the database gone) and the groups failing to join after the place was
    taken: either way the seat's count of sockets is back where it was."""
    briefing = live
    isabel = claimed(briefing.journalists[0])

    async def run() -> None:
        with monkeypatch.context() as broken:
            broken.setattr(FloorConsumer, "authenticate", lambda self: 1 / 0)
            failing = FloorSocket(isabel, briefing.engagement.pk)
            with pytest.raises(ZeroDivisionError):
                await connect_and_wait(failing)
        assert OPEN.open == {}
        with monkeypatch.context() as broken:
            broken.setattr(FloorConsumer, "groups_of", lambda self, viewer: 1 / 0)
            failing = FloorSocket(isabel, briefing.engagement.pk)
            with pytest.raises(ZeroDivisionError):
                await connect_and_wait(failing)
        assert OPEN.open == {}
        working = FloorSocket(isabel, briefing.engagement.pk)
        assert (await working.open())["type"] == "floor.state"
        await working.close()

    run_async(run)
    assert OPEN.open == {}
