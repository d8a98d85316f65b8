import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest_plugins = ["tests.janus"]

BASE_DOCUMENT: dict[str, Any] = {
    "format": "virtualtrip/1",
    "trip": {
        "slug": "test-trip",
        "title": "Test trip",
        "principal": "minister",
        "home": {"city": "Washington, D.C.", "timezone": "America/New_York"},
        "summary": "A short trip for tests.",
    },
    "people": [
        {
            "id": "minister",
            "name": "Ana Minister",
            "title": "Minister",
            "country": "US",
            "label": "MINISTER",
            "languages": ["en"],
        },
        {
            "id": "counterpart",
            "name": "Carlos Counterpart",
            "title": "Foreign Secretary",
            "country": "MX",
            "label": "SECRETARY COUNTERPART",
            "languages": ["es"],
        },
        {"id": "reporter", "name": "Rita Reporter", "country": "MX", "outlet": "Diario de Prueba"},
    ],
    "destinations": [
        {
            "country": "MX",
            "timezone": "America/Mexico_City",
            "mission": "U.S. Mission Mexico",
            "languages": ["es"],
            "engagements": [
                {
                    "id": "mx-meeting",
                    "kind": "bilateral_meeting",
                    "title": "Meeting with the Foreign Secretary",
                    "starts": "2021-02-26T10:15",
                    "ends": "2021-02-26T11:00",
                    "location": "Mexico City",
                    "coverage": "closed_press",
                    "public": True,
                    "participants": [
                        {"person": "minister", "role": "principal"},
                        {"person": "counterpart", "role": "counterpart"},
                    ],
                },
                {
                    "id": "mx-private",
                    "kind": "roundtable",
                    "title": "Private talk with the counterpart",
                    "starts": "2021-02-26T12:00",
                    "ends": "2021-02-26T12:30",
                    "location": "Mexico City",
                    "coverage": "closed_press",
                    "public": False,
                    "participants": [{"person": "minister", "role": "principal"}],
                },
            ],
        },
        {
            "country": "US",
            "timezone": "America/New_York",
            "engagements": [
                {
                    "id": "us-press",
                    "kind": "press_availability",
                    "title": "Press availability",
                    "starts": "2021-02-26T16:00",
                    "ends": "2021-02-26T16:30",
                    "location": "Washington, D.C.",
                    "coverage": "open_press",
                    "public": True,
                    "participants": [
                        {"person": "minister", "role": "principal"},
                        {"person": "reporter", "role": "press"},
                    ],
                }
            ],
        },
    ],
}


def trip_document() -> dict[str, Any]:
    """A fresh copy of a small valid trip file, to change in a test."""
    return copy.deepcopy(BASE_DOCUMENT)


def as_yaml(document: dict[str, Any]) -> bytes:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()


@pytest.fixture
def write_trip(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Writes a document (dict or text) to a file and returns its path."""

    def write(document: dict[str, Any] | str | bytes, name: str = "trip.yaml") -> Path:
        path = tmp_path / name
        if isinstance(document, dict):
            path.write_bytes(as_yaml(document))
        elif isinstance(document, str):
            path.write_text(document, encoding="utf-8")
        else:
            path.write_bytes(document)
        return path

    return write


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Runs `virtualtrip ARGS` in a fresh SQLite database of its own."""
    env = {"PATH": os.environ["PATH"], "VIRTUALTRIP_DATA_DIR": str(tmp_path / "data")}
    subprocess.run(
        [sys.executable, "-m", "virtualtrip.cli", "migrate", "-v0"], env=env, check=True, timeout=120
    )

    def virtualtrip(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "virtualtrip.cli", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)

    return virtualtrip


@pytest.fixture
def in_memory_layer(settings) -> None:  # type: ignore[no-untyped-def]
    """The in-memory channel layer, even in the run on Redis: events stay in this process and are
    written for `serve` to relay (virtualtrip.realtime)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "virtualtrip.realtime.layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def _english_after_each_test():  # type: ignore[no-untyped-def]
    """A request under /es/ or /fr/ leaves its language active in the thread; put English back so
    that links made by later code are unprefixed, as they are in production outside a request."""
    yield
    from django.utils import translation

    translation.activate("en")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. Playwright's sync API keeps an event loop running in the main thread
    from the first browser test to the end of the session, and there `async_to_sync` (which sends
    every room event) refuses to run."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
