"""The recogniser as live captions use it: one short window at a time, fast, with the room's names."""

from collections.abc import Callable
from typing import Any

from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.captions.stream import Reader
from virtualtrip.speech.captions.window import WindowOptions, read_window
from virtualtrip.speech.corrections import correct
from virtualtrip.speech.engine import NO_REPEAT_NGRAM, REPETITION_PENALTY, ModelInfo, load_model
from virtualtrip.speech.vocabulary import Vocabulary
from virtualtrip.speech.words import Word

SHORTEST_S = 0.3
"""Less audio than this is not read: whisper invents words for a fragment of one."""


def window_reader(vocabulary: Vocabulary | None, info: ModelInfo) -> Reader:
    """A `Reader` on the model `info` names, told the room's names (prompt and correction pass) and
    the words just before the window. Greedy (beam 1) on an encoder input as long as the window
    (`window.read_window`): a live caption is read again twice a second, and a beam of three takes
    twice as long for little gain on a window this short."""
    return readers_on(load_model(info), info.english_only)(vocabulary)


def readers_on(model: Any, english_only: bool) -> Callable[[Vocabulary | None], Reader]:
    """Readers on one loaded model, each told a vocabulary: when a room's names change (its briefer
    goes on background) its reader is made anew without loading the model again."""
    return lambda vocabulary: _reader(model, english_only, vocabulary)


def _reader(model: Any, english_only: bool, vocabulary: Vocabulary | None) -> Reader:
    prompt = vocabulary.prompt(bare=english_only) if vocabulary else ""

    def read(samples: Samples, before: str) -> list[Word]:
        if len(samples) < SHORTEST_S * SAMPLE_RATE:
            return []
        words = read_window(model, samples, _options(prompt, before))
        return correct(words, vocabulary)[0] if vocabulary else words

    return read


def _options(prompt: str, before: str) -> WindowOptions:
    return WindowOptions(
        prompt=" ".join(part for part in (prompt, before) if part),
        repetition_penalty=REPETITION_PENALTY,
        no_repeat_ngram_size=NO_REPEAT_NGRAM,
    )
