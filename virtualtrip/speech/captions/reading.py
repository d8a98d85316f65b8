"""The recogniser as live captions use it: one short window at a time, fast, with the room's names."""

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
    model = load_model(info)
    prompt = vocabulary.prompt(bare=info.english_only) if vocabulary else ""

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
