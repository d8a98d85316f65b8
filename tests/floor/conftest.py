import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connections

from tests.factories.rooms import live_engagement, seat
from virtualtrip.floor.consumers import OPEN
from virtualtrip.floor.people import Viewer
from virtualtrip.rooms.actions import check_decide_admission, do_knock
from virtualtrip.rooms.queries import lobby_roles
from virtualtrip.rooms.seats import participant_seat
from virtualtrip.trips.enums import EngagementKind, Role
from virtualtrip.trips.models import Engagement, Participant


def viewer(participant: Participant, *, in_lobby: bool = False) -> Viewer:
    console = participant.role in {Role.MODERATOR, Role.HOST, Role.PRINCIPAL, Role.DELEGATION}
    return Viewer(participant.engagement_id, participant.person_id, None, participant.role, console, in_lobby)


@dataclass
class Briefing:
    engagement: Engagement
    moderator: Participant
    briefer: Participant
    journalists: list[Participant]

    @property
    def viewers(self) -> list[Viewer]:
        return [viewer(p) for p in [self.moderator, self.briefer, *self.journalists]]


def admit(keeper: Participant, *guests: Participant) -> None:
    """Let journalists in from the lobby, as a host does on the room page."""
    roles = lobby_roles(keeper.engagement)
    for guest in guests:
        do_knock(participant_seat(guest, roles))
        check_decide_admission(participant_seat(keeper, roles), guest.person_id, admit=True)


def make_briefing(**fields: object) -> Briefing:
    """A press briefing under way with a moderator, a briefer and three journalists of two outlets
    and two countries, with names in other scripts."""
    engagement = live_engagement(kind=EngagementKind.PRESS_BRIEFING, timezone="Asia/Kathmandu", **fields)
    return Briefing(
        engagement,
        seat(engagement, Role.MODERATOR, name="Jeanne Modératrice"),
        seat(
            engagement,
            Role.BRIEFER,
            key="jon-otsuka",
            name="Jon Briefer-Ōtsuka",
            title="Deputy Assistant Secretary",
        ),
        [
            seat(engagement, Role.PRESS, name="Isabel González", outlet="Latinus", country="MX"),
            seat(engagement, Role.PRESS, name="李雷", outlet="Xinhua", country="CN"),
            seat(engagement, Role.PRESS, name="Zoë Ångström", outlet="Latinus", country="MX"),
        ],
    )


@pytest.fixture(autouse=True)
def nothing_counted() -> None:
    """Each test starts with no registration counted and no floor socket open: the local-memory
    cache and the count of open sockets live as long as the test process."""
    cache.clear()
    OPEN.open.clear()


@pytest.fixture
def no_lasting_connections(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Sockets read the database from threads of their own: they close their connections after each
    message, so none outlives the test."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@pytest.fixture(params=["in-memory", "redis"])
def layer(request, settings):  # type: ignore[no-untyped-def]
    """The test run's channel layer: the app's in-memory one, then Redis as settings configure it."""
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL (make test runs Redis)")
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [os.environ["REDIS_URL"]]},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "virtualtrip.realtime.layers.InMemoryChannelLayer"}}
    return request.param


@pytest.fixture
def briefing(db) -> Briefing:  # type: ignore[no-untyped-def]
    return make_briefing()
