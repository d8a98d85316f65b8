"""A caption window read on an encoder input as long as the window: the real tiny.en, on lines
espeak-ng reads in the test run."""

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from virtualtrip.speech.audio import SAMPLE_RATE, decode
from virtualtrip.speech.captions.window import WindowOptions, read_window
from virtualtrip.speech.corrections import plain
from virtualtrip.speech.engine import load_model, model_info
from virtualtrip.speech.rehearsal import Line, rehearse

SPOKEN = "Welcome to Valparaíso. The ferry to the island of Chiloé leaves at noon on Thursday."
OPTIONS = WindowOptions(prompt="Valparaíso, Chiloé.", repetition_penalty=1.08, no_repeat_ngram_size=6)


@pytest.fixture(scope="module")
def model() -> Any:
    return load_model(model_info())


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    folder: Path = tmp_path_factory.mktemp("window")
    return decode(rehearse([Line("guide", SPOKEN)], {"guide": "en-gb-x-rp"}, folder).tracks["guide"])


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def words_of(words: list[Any]) -> list[str]:
    return [plain(w.text) for w in words]


def encoded_lengths(model: Any, samples: np.ndarray) -> tuple[list[str], list[int]]:
    """The words read, and the length (in frames) of each input the encoder was given."""
    lengths: list[int] = []
    encode = model.encode

    def measured(features: np.ndarray) -> Any:
        lengths.append(features.shape[-1])
        return encode(features)

    model.encode = measured
    try:
        return words_of(read_window(model, samples, OPTIONS)), lengths
    finally:
        del model.encode


def test_a_short_window_is_read_on_ten_seconds_of_input_not_whispers_thirty(
    model: Any, spoken: np.ndarray
) -> None:
    heard, lengths = encoded_lengths(model, spoken)
    assert {"welcome", "island", "thursday"} <= set(heard), heard
    assert lengths == [1000]


def test_a_longer_window_is_read_on_its_speech_and_a_second_after_it(model: Any, spoken: np.ndarray) -> None:
    heard, lengths = encoded_lengths(model, np.concatenate([spoken, silence(4.0), spoken]))
    assert heard.count("welcome") == 2, heard
    speech_frames = (2 * len(spoken) + 4 * SAMPLE_RATE) // (SAMPLE_RATE // 100)
    assert lengths == [pytest.approx(speech_frames + 100, abs=60)]


def test_words_are_timed_on_the_windows_clock_after_a_silence(model: Any, spoken: np.ndarray) -> None:
    window = np.concatenate([silence(2.0), spoken, silence(1.0)])
    words = read_window(model, window, OPTIONS)
    alone = read_window(model, spoken, OPTIONS)
    assert words
    assert alone
    assert words[0].start >= 1.6
    assert words[-1].end <= len(window) / SAMPLE_RATE
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert words[0].start == pytest.approx(alone[0].start + 2.0, abs=0.4)
    assert {"welcome", "island", "thursday"} <= set(words_of(words))


def test_silence_and_noise_are_nothing_said(model: Any) -> None:
    noise = np.random.default_rng(7).normal(0, 0.02, 3 * SAMPLE_RATE).astype(np.float32)
    assert read_window(model, silence(3.0), OPTIONS) == []
    assert read_window(model, noise, OPTIONS) == []


def test_a_window_longer_than_whispers_is_read_to_its_thirtieth_second(
    model: Any, spoken: np.ndarray
) -> None:
    words = read_window(model, np.concatenate([spoken, silence(26.0), spoken]), OPTIONS)
    assert "welcome" in words_of(words)
    assert all(w.end <= 30.5 for w in words)
