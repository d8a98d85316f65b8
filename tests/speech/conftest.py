"""Speech fixtures: a made-up trip imported from a script, and the script's audio rehearsed once per
test session (espeak-ng is quick, the recogniser less so: each transcription is made once)."""

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import as_yaml
from tests.speech.editing import SHORT_TURNS, counting_wav, recorded, stored
from tests.speech.scripts import SHORT, Script, trip_document
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.speech.models import Transcript
from virtualtrip.speech.rehearsal import Rehearsal, rehearse, voices_for
from virtualtrip.trips.actions import do_import_trip
from virtualtrip.trips.models import Engagement
from virtualtrip.trips.tripfile.check import check_trip_file


def import_script_trip(script: Script, **changes: Any) -> Engagement:
    """The script's trip, imported; its briefing engagement."""
    document = trip_document(script)
    document["destinations"][0]["engagements"][0].update(changes)
    trip = do_import_trip(check_trip_file(as_yaml(document)), acting_user=None)
    return Engagement.objects.get(trip=trip, key=script.slug)


_rehearsals: dict[str, Rehearsal] = {}


@pytest.fixture(scope="session")
def rehearsed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """rehearsed(script) -> the script's audio, made once a session."""

    def make(script: Script) -> Rehearsal:
        if script.slug not in _rehearsals:
            folder = tmp_path_factory.mktemp(script.slug)
            speakers = list(dict.fromkeys(line.speaker for line in script.lines))
            _rehearsals[script.slug] = rehearse(script.lines, voices_for(speakers), Path(folder))
        return _rehearsals[script.slug]

    return make


# The editor's tests: the short briefing's trip, its draft as the recogniser would make it, and a room
# recording to play beside it.
@pytest.fixture
def engagement() -> Engagement:
    return import_script_trip(SHORT)


@pytest.fixture
def transcript(engagement: Engagement) -> Transcript:
    return stored(engagement, SHORT_TURNS)


@pytest.fixture
def track(engagement: Engagement, settings, tmp_path: Path) -> RecordingTrack:  # type: ignore[no-untyped-def]
    settings.RECORDINGS_DIR = tmp_path / "recordings"
    return recorded(engagement, counting_wav(tmp_path / "mix.wav"))
