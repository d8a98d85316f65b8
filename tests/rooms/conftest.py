from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.janus import AsgiServer
from tests.rooms.sockets import SocketBrowser
from virtualtrip.trips.models import Participant


@pytest.fixture
def new_browser(app_server: AsgiServer) -> Iterator[Callable[[Participant], SocketBrowser]]:
    """A new browser that has opened this participant's join link, its sockets closed at the end."""
    with ExitStack() as sockets:
        yield lambda participant: SocketBrowser(app_server, sockets, participant)
