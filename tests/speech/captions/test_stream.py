"""The live caption stream's logic, on made-up audio: bursts of noise are words, and a reader that
hears one word per burst stands in for the recogniser (the real one is in test_live_reading.py)."""

import itertools

import numpy as np
import pytest

from virtualtrip.speech.audio import SAMPLE_RATE
from virtualtrip.speech.captions.stream import (
    FRAME_S,
    CaptionStream,
    CaptionUpdate,
    agreed,
    first_pause,
    last_pause,
    speaking,
)
from virtualtrip.speech.words import Word

WORDS = ["Grüße", "aus", "Łódź", "und", "Ōsaka", "heute", "früh", "wieder", "hier", "dort", "fertig"]


def audio(*pieces: tuple[str, float]) -> np.ndarray:
    """("word", seconds) is a burst of noise that long; ("", seconds) is silence."""
    rng = np.random.default_rng(7)
    parts = [
        (rng.standard_normal(int(s * SAMPLE_RATE)) * 0.2 if word else np.zeros(int(s * SAMPLE_RATE)))
        for word, s in pieces
    ]
    return np.concatenate(parts).astype(np.float32)


class BurstReader:
    """Hears each burst of the window as the next word of a script it knows by each burst's place in
    the whole stream: it is told the window, and works out where the window is from what it has read."""

    def __init__(self, script: list[str]) -> None:
        self.script = script
        self.readings: list[tuple[float, str]] = []

    def __call__(self, samples: np.ndarray, before: str) -> list[Word]:
        self.readings.append((len(samples) / SAMPLE_RATE, before))
        frames = speaking(samples)
        words: list[Word] = []
        start = None
        for index, loud in enumerate([*frames, False]):
            if loud and start is None:
                start = index
            if not loud and start is not None:
                count = len(before.split()) + len(words)
                text = self.script[count % len(self.script)]
                words.append(Word(start * FRAME_S, index * FRAME_S, f" {text}"))
                start = None
        return words


def run(stream: CaptionStream, samples: np.ndarray, chunk_s: float = 0.1) -> list[CaptionUpdate]:
    chunk = int(chunk_s * SAMPLE_RATE)
    updates: list[CaptionUpdate] = []
    for at in range(0, len(samples), chunk):
        updates += stream.feed(samples[at : at + chunk])
    return updates + stream.finish()


def test_silence_gives_no_caption_and_never_asks_the_recogniser() -> None:
    reader = BurstReader(WORDS)
    assert run(CaptionStream(reader), audio(("", 12.0))) == []
    assert reader.readings == []


def test_a_pause_ends_the_cue_and_the_next_words_start_another() -> None:
    reader = BurstReader(WORDS)
    samples = audio(
        ("w", 0.3), ("", 0.2), ("w", 0.3), ("", 1.5), ("w", 0.4), ("", 0.2), ("w", 0.3), ("", 1.0)
    )
    finals = [u for u in run(CaptionStream(reader), samples) if u.final]
    assert [u.cue for u in finals] == [0, 1]
    assert finals[0].text == "Grüße aus"
    assert finals[0].end < 1.0 < finals[1].start
    assert finals[1].end < samples.size / SAMPLE_RATE


def test_partial_captions_come_once_a_step_and_grow_until_the_cue_is_final() -> None:
    reader = BurstReader(WORDS)
    pieces: list[tuple[str, float]] = []
    for _ in range(5):
        pieces += [("w", 0.3), ("", 0.2)]
    updates = run(CaptionStream(reader, step_s=1.0), audio(*pieces, ("", 1.0)))
    partials = [u for u in updates if not u.final]
    assert partials
    assert all(u.cue == 0 for u in updates)
    assert [len(u.text) for u in partials] == sorted(len(u.text) for u in partials)
    assert updates[-1].final
    assert updates[-1].text == "Grüße aus Łódź und Ōsaka"
    assert len(updates) <= 4  # 3 seconds of audio: one update a second, then the final one


def test_words_settle_only_when_two_readings_agree() -> None:
    assert agreed([], []) == 0
    first = [Word(0, 1, " Ōsaka"), Word(1, 2, " is")]
    assert agreed(first, [Word(0, 1, " osaka,"), Word(1, 2, " is"), Word(2, 3, " far")]) == 2
    assert agreed(first, [Word(0, 1, " Osaka's"), Word(1, 2, " is")]) == 0


def test_speech_longer_than_the_window_is_split_at_a_breath_without_losing_words() -> None:
    reader = BurstReader(WORDS)
    pieces: list[tuple[str, float]] = []
    for _ in range(30):
        pieces += [("w", 0.3), ("", 0.2)]  # 15 s without a pause long enough to end a cue
    updates = run(CaptionStream(reader, max_window_s=6.0), audio(*pieces, ("", 1.0)))
    finals = [u for u in updates if u.final]
    assert len(finals) >= 2
    words = " ".join(u.text for u in finals).split()
    assert len(words) == 30
    assert all(a.end <= b.start for a, b in itertools.pairwise(finals))
    assert max(window for window, _ in reader.readings) <= 6.0 + 1.0


@pytest.mark.parametrize(
    ("frames", "expected"),
    [([0, 0, 1, 1, 0, 0, 0, 1], (4, 7)), ([1, 0, 1, 0, 0], (3, 5)), ([0, 0, 0], None), ([1, 1], None)],
)
def test_first_pause_after_speech(frames: list[int], expected: tuple[int, int] | None) -> None:
    assert first_pause(np.array(frames, dtype=bool), 2) == expected


def test_last_breath_before_a_frame() -> None:
    frames = np.array([1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1], dtype=bool)
    assert last_pause(frames, 1, len(frames)) == 7
    assert last_pause(frames, 1, 6) == 2
    assert last_pause(frames, 3, len(frames)) == 7
    assert last_pause(frames, 4, len(frames)) is None


class ForgetfulReader(BurstReader):
    """Reads a window that starts after the stream's start otherwise: its first word as 'anders'."""

    def __call__(self, samples: np.ndarray, before: str) -> list[Word]:
        words = super().__call__(samples, before)
        if before and words:
            words[0] = Word(words[0].start, words[0].end, " anders")
        return words


def test_words_settled_before_a_long_stretch_is_cut_keep_their_spelling_in_the_next_cue() -> None:
    reader = ForgetfulReader(WORDS)
    pieces: list[tuple[str, float]] = []
    for _ in range(20):
        pieces += [("w", 0.3), ("", 0.2)]  # 10 s without a pause long enough to end a cue
    finals = [u for u in run(CaptionStream(reader, max_window_s=6.0), audio(*pieces, ("", 1.0))) if u.final]
    assert len(finals) >= 2
    words = " ".join(u.text for u in finals).split()
    assert len(words) == 20
    assert "anders" not in words
