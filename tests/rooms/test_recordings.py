"""Turning a recorded room into audio files, on real Janus recordings (fixtures/*.mjr, two speakers
of a call between two browsers with fake microphones) with the real janus-pp-rec and ffmpeg."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audio import FFMPEG, loudest_db
from tests.factories.rooms import live_engagement, seat
from virtualtrip.rooms import actions, queries, recordings
from virtualtrip.rooms.ending import process_recording
from virtualtrip.rooms.enums import RecordingState
from virtualtrip.rooms.models import ChannelShift, RecordingTrack, Room
from virtualtrip.rooms.recordings import (
    ChannelPlan,
    RecordingProblem,
    find_pieces,
    make_tracks,
    merged,
    mix_command,
    raw_folder,
)
from virtualtrip.rooms.seats import display_name
from virtualtrip.trips.enums import Role

FIXTURES = Path(__file__).parent / "fixtures"
FIRST, SECOND = sorted(FIXTURES.glob("*.mjr"))
FIRST_PACKET_US = 1795463442922617  # "u" in FIRST's header
SECOND_PACKET_US = 1795463443310784
PIECE_SECONDS = 7.8


def put(engagement_id: int, source: Path, name: str | None = None) -> Path:
    raw = raw_folder(engagement_id)
    raw.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, raw / (name or source.name)))


def shifted(source: Path, target: Path, seconds: int) -> None:
    """A copy of `source` whose header says its first packet came `seconds` later: a rejoin."""
    data = source.read_bytes()
    first = str(FIRST_PACKET_US).encode()
    assert data.count(first) == 1
    target.write_bytes(data.replace(first, str(FIRST_PACKET_US + seconds * 1_000_000).encode()))


@pytest.fixture(autouse=True)
def recordings_dir(settings, tmp_path: Path) -> Path:
    settings.RECORDINGS_DIR = tmp_path
    return tmp_path


def test_pieces_are_read_from_janus_headers_and_video_and_strangers_are_left_out(tmp_path) -> None:
    put(1, FIRST)
    put(1, SECOND)
    put(1, FIRST, "videoroom-1234-user-5-1795463442862-audio-0.mjr")
    (raw_folder(1) / "p3-1795463449999-audio-0.mjr").write_bytes(b"")  # Janus got no packet
    (raw_folder(1) / "p1-1795463442862-video-1.mjr").write_bytes(b"MJR00002")
    pieces = find_pieces(raw_folder(1))
    assert [(p.seat_key, p.first_packet_us) for p in pieces] == [
        ("p1", FIRST_PACKET_US),
        ("p2", SECOND_PACKET_US),
    ]


def test_one_file_for_the_room_and_one_per_speaker_all_on_one_clock() -> None:
    put(1, FIRST)
    put(1, SECOND)
    tracks = {track.seat_key: track for track in make_tracks(1)}
    assert set(tracks) == {None, "p1", "p2"}
    assert {track.path.name for track in tracks.values()} == {"room.ogg", "speaker-p1.ogg", "speaker-p2.ogg"}
    started = datetime.fromtimestamp(FIRST_PACKET_US / 1e6, tz=UTC)
    for track in tracks.values():
        assert track.starts_at == started
        assert track.duration_seconds == pytest.approx(PIECE_SECONDS, abs=0.6)
        assert track.path.read_bytes().startswith(b"OggS")
        assert track.size_bytes == track.path.stat().st_size
        assert loudest_db(track.path) > -40  # the fake microphone's beeps, not silence
    assert not list(raw_folder(1).parent.glob(".making-*"))


def test_interpreters_are_left_out_of_the_floor_and_heard_in_their_channel_only_while_live() -> None:
    put(1, FIRST)
    put(1, SECOND)  # p2 interprets into Yoruba, live from the 3rd second to the 5th of the mix
    started = datetime.fromtimestamp(FIRST_PACKET_US / 1e6, tz=UTC)
    live: list[tuple[datetime, datetime | None]] = [
        (started + timedelta(seconds=3), started + timedelta(seconds=5))
    ]
    tracks = {track.path.name: track for track in make_tracks(1, ChannelPlan({"p2": "yo"}, {"p2": live}))}
    assert set(tracks) == {"room.ogg", "speaker-p1.ogg", "speaker-p2.ogg", "channel-yo.ogg"}
    assert (tracks["channel-yo.ogg"].seat_key, tracks["channel-yo.ogg"].language) == (None, "yo")
    assert (tracks["speaker-p2.ogg"].seat_key, tracks["speaker-p2.ogg"].language) == ("p2", "yo")
    assert tracks["room.ogg"].language == ""
    channel = tracks["channel-yo.ogg"].path
    assert loudest_db(channel, 3.2, 4.8) > -40
    assert loudest_db(channel, 0.5, 2.8) < -80
    assert loudest_db(channel, 5.3, 7.5) < -80
    floor, alone = tracks["room.ogg"].path, tracks["speaker-p1.ogg"].path
    assert loudest_db(floor) == pytest.approx(loudest_db(alone), abs=0.5)  # the floor is p1 alone


def test_a_recording_of_interpreters_only_has_no_floor() -> None:
    put(1, SECOND, "p2-1-audio-0.mjr")
    tracks = make_tracks(1, ChannelPlan({"p2": "fr"}, {"p2": []}))
    assert sorted(track.path.name for track in tracks) == ["channel-fr.ogg", "speaker-p2.ogg"]
    assert loudest_db(next(t.path for t in tracks if t.language and t.seat_key is None)) < -80


def test_an_interpreter_on_and_off_air_hundreds_of_times_is_gated_span_by_span(recordings_dir) -> None:
    """A booth that swaps every few minutes for a long day, or a hostile take/hand-over loop: each
    span is heard, each gap silent, and the floor is made whatever the count."""
    put(1, FIRST)
    put(1, SECOND)
    started = datetime.fromtimestamp(FIRST_PACKET_US / 1e6, tz=UTC)
    live: list[tuple[datetime, datetime | None]] = [
        (started + timedelta(seconds=1 + n * 0.02), started + timedelta(seconds=1 + n * 0.02 + 0.01))
        for n in range(300)  # 300 spans of 10 ms, from 1 s to 7 s
    ]
    live.append((started + timedelta(seconds=3), started + timedelta(seconds=5)))
    tracks = {track.path.name: track for track in make_tracks(1, ChannelPlan({"p2": "yo"}, {"p2": live}))}
    assert {"room.ogg", "channel-yo.ogg"} <= set(tracks)
    channel = tracks["channel-yo.ogg"].path
    assert loudest_db(channel, 3.2, 4.8) > -40
    assert loudest_db(channel, 0.2, 0.9) < -80
    assert loudest_db(channel, 7.2, 7.7) < -80
    assert not list(recordings_dir.glob("engagement-1/.making-*"))


def tone(path: Path, amplitude: float, seconds: float = 4.0) -> Path:
    """A steady tone at `amplitude` (0 to 1) as Ogg Opus: inputs told apart by their loudness."""
    source = ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}", "-af", f"volume={amplitude}"]
    subprocess.run([FFMPEG, "-nostdin", "-v", "error", *source, "-c:a", "libopus", str(path)], check=True)
    return path


def test_two_interpreters_of_one_channel_are_each_gated_by_their_own_spans(tmp_path: Path) -> None:
    """A booth of two: the loud one live for the first second, the quiet one for the third. A gate
    command that reached only the first input's volume played the loud one in both."""
    loud, quiet = tone(tmp_path / "loud.ogg", 0.5), tone(tmp_path / "quiet.ogg", 0.03)
    out = tmp_path / "channel-yo.ogg"
    recordings._mix(
        recordings._Mix(None, out, [(loud, 0), (quiet, 0)], "yo", [[(0.0, 1.0)], [(2.0, 3.0)]]), tmp_path
    )
    assert loudest_db(out, 0.1, 0.9) == pytest.approx(-24, abs=2)  # lavfi's sine is at 1/8
    assert loudest_db(out, 1.2, 1.8) < -80
    assert loudest_db(out, 2.1, 2.9) == pytest.approx(-48.5, abs=2)  # the quiet one, not the loud one
    assert loudest_db(out, 3.2, 3.8) < -80


def test_a_relative_recordings_folder_is_mixed_from_where_it_is(
    settings, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings.RECORDINGS_DIR = Path("recordings")
    put(1, FIRST)
    put(1, SECOND)
    started = datetime.fromtimestamp(FIRST_PACKET_US / 1e6, tz=UTC)
    live: list[tuple[datetime, datetime | None]] = [(started + timedelta(seconds=3), None)]
    tracks = make_tracks(1, ChannelPlan({"p2": "yo"}, {"p2": live}))
    assert "channel-yo.ogg" in {track.path.name for track in tracks}
    assert all(track.path.exists() for track in tracks)


def test_spans_that_overlap_or_touch_are_one() -> None:
    assert merged([(5.0, 6.0), (1.0, 2.0), (2.0, 3.0), (1.5, 2.5)]) == [(1.0, 3.0), (5.0, 6.0)]
    assert merged([(1.0, 2.0), (1.5, None), (4.0, 5.0)]) == [(1.0, None)]
    assert merged([(1.0, 1.0), (2.0, 1.5)]) == []  # a take and a hand-over in the same instant
    assert merged([]) == []


def test_a_channel_that_cannot_be_mixed_is_left_out_and_the_floor_still_lands(monkeypatch, caplog) -> None:
    from virtualtrip.rooms import recordings

    put(1, FIRST)
    put(1, SECOND)
    real_run = recordings._run

    def failing_for_channels(command: list[str], what: str, cwd: Path | None = None) -> str:
        if "channel-" in command[-1]:
            raise RecordingProblem(f"{what}: ffmpeg failed: made to fail")
        return real_run(command, what, cwd)

    monkeypatch.setattr(recordings, "_run", failing_for_channels)
    tracks = make_tracks(1, ChannelPlan({"p2": "yo"}, {"p2": []}))
    assert sorted(track.path.name for track in tracks) == ["room.ogg", "speaker-p1.ogg", "speaker-p2.ogg"]
    assert "channel yo left out of the recording: mixing channel-yo.ogg" in caplog.text


def test_a_speaker_who_rejoined_gets_both_pieces_at_their_time() -> None:
    put(1, FIRST)
    shifted(FIRST, raw_folder(1) / "p1-1795463462862-audio-0.mjr", seconds=20)
    tracks = {track.seat_key: track for track in make_tracks(1)}
    assert set(tracks) == {None, "p1"}
    assert tracks["p1"].duration_seconds == pytest.approx(20 + PIECE_SECONDS, abs=0.6)


def test_nothing_recorded_is_a_clear_problem() -> None:
    raw_folder(4).mkdir(parents=True)
    with pytest.raises(RecordingProblem, match=r"engagement-4/raw: no audio was recorded"):
        make_tracks(4)


def test_mix_places_each_input_at_its_offset_and_does_not_scale() -> None:
    command = mix_command([(Path("a.opus"), 0), (Path("b.opus"), 1500)], Path("out.ogg"))
    graph = command[command.index("-filter_complex") + 1]
    assert graph == (
        "[0:a]adelay=0:all=1[d0];[1:a]adelay=1500:all=1[d1];"
        "[d0][d1]amix=inputs=2:normalize=0:dropout_transition=0[mix]"
    )
    assert command[-1] == "out.ogg"


def ended_room(record: bool = True) -> Room:
    engagement = live_engagement(record=record)
    room = actions.do_open_room(engagement)
    return actions.do_end_room(room, acting="Host")


@pytest.mark.django_db
def test_only_a_recorded_engagement_waits_for_its_audio_when_it_ends() -> None:
    assert ended_room(record=True).recording == RecordingState.PENDING
    assert ended_room(record=False).recording == RecordingState.NOT_RECORDED


@pytest.mark.django_db
def test_processing_lists_the_tracks_with_speakers_named_from_the_trip() -> None:
    room = ended_room()
    principal = seat(room.engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State")
    counterpart = seat(room.engagement, Role.COUNTERPART, name="Lucía Ferrer")
    put(room.engagement_id, FIRST, f"p{principal.person_id}-1-audio-0.mjr")
    put(room.engagement_id, SECOND, f"p{counterpart.person_id}-2-audio-0.mjr")

    assert process_recording(room.pk) is True
    room.refresh_from_db()
    assert room.recording == RecordingState.READY
    tracks = {t.speaker: t for t in RecordingTrack.objects.filter(room=room)}
    assert set(tracks) == {"", display_name(principal), display_name(counterpart)}
    assert tracks[display_name(principal)].person == principal.person
    assert tracks[""].file == f"engagement-{room.engagement_id}/room.ogg"
    assert process_recording(room.pk) is False  # made once: nothing is waiting any more


@pytest.mark.django_db
def test_processing_keeps_each_channel_apart_from_the_floor() -> None:
    room = ended_room()
    minister = seat(room.engagement, Role.COUNTERPART, name="Ọmọ́túndé Àlàbí", languages=["yo"])
    interpreter = seat(room.engagement, Role.INTERPRETER, name="Chloé Gagnon", languages=["yo", "fr"])
    put(room.engagement_id, FIRST, f"p{minister.person_id}-1-audio-0.mjr")
    put(room.engagement_id, SECOND, f"p{interpreter.person_id}-2-audio-0.mjr")
    assert room.ended_at is not None
    began = room.ended_at - timedelta(hours=1)
    ChannelShift.objects.create(room=room, language="fr", person=interpreter.person, started_at=began)
    assert process_recording(room.pk) is True
    tracks = list(RecordingTrack.objects.filter(room=room))
    floor = queries.room_mix(tracks)
    assert floor is not None
    assert floor.file.endswith("/room.ogg")
    assert {language: t.file.rsplit("/", 1)[1] for language, t in queries.channel_mixes(tracks).items()} == {
        "fr": "channel-fr.ogg"
    }
    own = next(t for t in tracks if t.person == interpreter.person)
    assert own.language == "fr"


@pytest.mark.django_db
def test_a_failed_recording_says_why_lists_nothing_and_can_be_made_again() -> None:
    room = ended_room()
    assert process_recording(room.pk) is False
    room.refresh_from_db()
    assert room.recording == RecordingState.FAILED
    assert room.recording_error.endswith("raw: no audio was recorded")
    assert not RecordingTrack.objects.filter(room=room).exists()

    put(room.engagement_id, FIRST)
    actions.do_remake_recording(room)
    assert process_recording(room.pk) is True
    assert RecordingTrack.objects.filter(room=room).count() == 2


@pytest.mark.django_db
def test_a_staff_speaker_is_named_as_on_their_video(django_user_model) -> None:
    room = ended_room()
    user = django_user_model.objects.create_user("aide", first_name="Kim", last_name="Ode", is_staff=True)
    put(room.engagement_id, FIRST, f"u{user.pk}-1-audio-0.mjr")
    assert process_recording(room.pk) is True
    assert set(RecordingTrack.objects.filter(room=room).values_list("speaker", flat=True)) == {
        "",
        "Kim Ode — Trip staff",
    }
