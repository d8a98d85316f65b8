"""The recogniser as live captions use it: one short window at a time, fast, with the room's names."""

from collections.abc import Callable
from typing import Any

from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.captions.stream import Reader
from virtualtrip.speech.corrections import correct
from virtualtrip.speech.engine import NO_REPEAT_NGRAM, REPETITION_PENALTY, ModelInfo, load_model
from virtualtrip.speech.vocabulary import Vocabulary
from virtualtrip.speech.words import Word

HALLUCINATION_SILENCE_S = 0.4
SHORTEST_S = 0.3
"""Less audio than this is not read: whisper invents words for a fragment of one."""


def window_reader(vocabulary: Vocabulary | None, info: ModelInfo) -> Reader:
    """A `Reader` on the model `info` names, told the room's names (prompt and correction pass) and
    the words just before the window. Greedy (beam 1): a live caption is read again each second, and
    a beam of three takes twice as long for little gain on a window this short."""
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
        options: dict[str, Any] = {
            "language": "en",
            "beam_size": 1,
            "temperature": 0.0,
            "word_timestamps": True,
            "vad_filter": True,
            # A window often ends in the middle of a pause: whisper fills it with words of its own
            # ("Thank you for watching") unless it skips a pause this long that it wrote words into.
            "hallucination_silence_threshold": HALLUCINATION_SILENCE_S,
            "condition_on_previous_text": False,
            "repetition_penalty": REPETITION_PENALTY,
            "no_repeat_ngram_size": NO_REPEAT_NGRAM,
            "initial_prompt": " ".join(part for part in (prompt, before) if part) or None,
        }
        segments, _ = model.transcribe(samples, **options)
        words = [Word(w.start, w.end, w.word, w.probability) for s in segments for w in s.words or []]
        return correct(words, vocabulary)[0] if vocabulary else words

    return read
