"""The channel layers the realtime tests run on: the app's in-memory one, then Redis where the run has
it (the floor's `layer` fixture), and the floor's sockets as the resumable sockets to test."""

from typing import Any

import pytest
from channels.layers import get_channel_layer

from tests.floor.conftest import layer, no_lasting_connections, nothing_counted

__all__ = ["layer", "no_lasting_connections", "nothing_counted"]


@pytest.fixture
def channel_layer(layer: str) -> Any:
    """The process's channel layer, as the app configures it for each."""
    return get_channel_layer()
