"""Who spoke when: a turns file refused with its line, per-speaker tracks, the floor log's talking
spans, and words given to the turns they fall in."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from virtualtrip.speech.paragraphs import paragraphs
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.speakers import UNKNOWN, Speaker
from virtualtrip.speech.turns import FRAME_S, Turn, read_turns_file, turns_from_talking, turns_from_tracks
from virtualtrip.speech.words import Word

MOD, ASKER = Speaker("MODERATOR", "jean"), Speaker("QUESTION", "ana-lópez")
SPEAKERS = {"jean": MOD, "ana-lópez": ASKER}


def test_a_turns_file_gives_its_turns_in_order_skipping_comments() -> None:
    text = "# start end person\n4.5\t9\tana-lópez\n\n0\t4.2\tjean\r\n"
    assert read_turns_file(text, SPEAKERS) == [Turn(0, 4.2, MOD), Turn(4.5, 9, ASKER)]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("0 4 jean", "1 field(s) where 3 are expected"),
        ("zero\t4\tjean", "the start 'zero' is not a number"),
        ("-1\t4\tjean", "from 0"),
        ("nan\t4\tjean", "not a number of seconds"),
        ("5\t4\tjean", "the end (4 s) is not after the start (5 s)"),
        ("0\t4\tnobody", "no person with the id 'nobody'"),
        ("0\t4\tjean\textra", "4 field(s)"),
    ],
)
def test_a_bad_line_refuses_the_file_with_its_line_number(line: str, said: str) -> None:
    with pytest.raises(SpeechProblem) as refused:
        read_turns_file(f"0\t1\tjean\n{line}\n", SPEAKERS, "turns.tsv")
    assert str(refused.value).startswith("turns.tsv, line 2: ")
    assert said in str(refused.value)


def test_overlapping_turns_are_refused_where_the_second_starts() -> None:
    with pytest.raises(
        SpeechProblem, match=r"line 2: this turn starts at 3 s, before the turn before it ends \(4 s\)"
    ):
        read_turns_file("0\t4\tjean\n3\t6\tana-lópez\n", SPEAKERS, "t")


def tone(seconds: float, at: float, length: float, level: float = 0.3) -> np.ndarray:
    samples = np.zeros(int(seconds * 8000), dtype=np.float32)
    start, end = int(at * 8000), int((at + length) * 8000)
    samples[start:end] = level * np.sin(np.arange(end - start) / 3.0)
    return samples


def test_the_loudest_track_that_is_not_silent_speaks_and_echoes_do_not() -> None:
    from virtualtrip.speech.turns import loudness

    moderator = tone(6, 0.5, 2.0) + tone(6, 4, 1.5, 0.01)  # the journalist's voice, faintly
    journalist = tone(6, 4, 1.5)
    turns = turns_from_tracks(
        [(MOD, loudness(moderator, 8000), 0.0), (ASKER, loudness(journalist, 8000), 0.0)]
    )
    assert [t.speaker for t in turns] == [MOD, ASKER]
    assert turns[0].start == pytest.approx(0.5, abs=FRAME_S)
    assert turns[0].end == pytest.approx(2.5, abs=FRAME_S)
    assert turns[1].start == pytest.approx(4.0, abs=FRAME_S)


def test_a_track_starting_later_is_put_at_its_place_on_the_clock() -> None:
    from virtualtrip.speech.turns import loudness

    late = tone(2, 0.0, 1.0)
    turns = turns_from_tracks([(ASKER, loudness(late, 8000), 10.0)])
    assert turns[0].start == pytest.approx(10.0, abs=FRAME_S)


def test_talking_spans_of_the_floor_log_on_the_audios_clock() -> None:
    start = datetime(2027, 3, 4, 15, 0, tzinfo=UTC)
    log = {
        "talking": [
            {
                "person": "jean",
                "name": "Jean",
                "from": (start + timedelta(seconds=2)).isoformat(),
                "to": (start + timedelta(seconds=5)).isoformat(),
            },
            {
                "person": None,
                "name": "A senior official",
                "from": (start + timedelta(seconds=6)).isoformat(),
                "to": (start + timedelta(seconds=9)).isoformat(),
            },
            {
                "person": "jean",
                "name": "Jean",
                "from": (start + timedelta(seconds=10)).isoformat(),
                "to": None,
            },
        ]
    }
    turns = turns_from_talking(log, start, SPEAKERS)
    assert turns == [Turn(2, 5, MOD), Turn(6, 9, Speaker("A SENIOR OFFICIAL"))]


def spoken(*pieces: tuple[float, float, str]) -> list[Word]:
    return [Word(start, end, text) for start, end, text in pieces]


def test_words_go_to_their_turn_and_a_sentence_running_over_a_change_is_mended() -> None:
    words = spoken(
        (0.0, 0.5, " Over"),
        (0.5, 0.9, " to"),
        (1.3, 1.7, " you."),
        (1.7, 2.0, " Thank"),
        (2.0, 2.4, " you."),
        (5.0, 5.4, " Where?"),
    )
    turns = [Turn(0, 1.2, MOD), Turn(1.4, 2.5, ASKER)]
    made = paragraphs(words, turns)
    assert [(p.speaker, p.text) for p in made] == [
        (MOD, "Over to you."),
        (ASKER, "Thank you."),
        (UNKNOWN, "Where?"),
    ]
