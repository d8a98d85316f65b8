"""One live caption window read on an encoder input as long as the window, not whisper's 30 s.

faster-whisper's `transcribe` pads every window to 30 s of features before the encoder, whatever
its length, so a 4 s window costs the encoder as much as a 30 s one (on two cores, tiny.en, the
encoder alone: 0.49 s on 30 s of input, 0.07 s on 10 s); a live caption reads its window again
twice a second, and the encoder's fixed cost was most of a caption's latency (a whole reading: 0.81 s
against 0.36 s, docs/benchmarks.md). CTranslate2's Whisper encodes a shorter input; this reads the
window that way: voice activity (Silero, as `transcribe` does) finds the speech in it, the speech
and a little silence after it are encoded, decoded greedily without timestamps (a caption window
is one segment) and its words are timed by the cross-attention alignment (`align`), as
`word_timestamps` does in `transcribe`. In place of `transcribe`'s `hallucination_silence_threshold`,
only the speech the voice activity found is read, and a reading whisper takes for no speech, or one
that repeats itself, is dropped whole (`transcribe` at one temperature would keep it)."""

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.words import Word

SHORTEST_FRAMES = 1000
TAIL_FRAMES = 100
"""The encoder's input is the speech and 1 s of silence after it, and 10 s at least. Measured on the
rehearsed briefing's lines read whole (`docs/benchmarks.md`): word error 0.309 at 10 s, 0.322 on
the speech and its 1 s alone, 0.382 at whisper's 30 s; a reading 0.36 s against 0.81 s. On less than
10 s whisper more often stops early, at a word the window cuts."""
WHISPER_FRAMES = 3000
"""Whisper's 30 s: a longer window is read to there."""
SPEECH_PAD_S = 0.2
NO_SPEECH = 0.6
LOW_LOGPROB = -1.0
REPETITIVE = 2.4
"""As `transcribe`'s thresholds: a reading whisper thinks is no speech and is unsure of, or one that
repeats itself (compression ratio), is taken as nothing said."""
PREPENDED = "\"'“¿([{-"
APPENDED = "\"'.。,，!！?？:：”)]}、"


@dataclass(frozen=True)
class WindowOptions:
    prompt: str
    repetition_penalty: float
    no_repeat_ngram_size: int


def read_window(model: Any, samples: Samples, options: WindowOptions) -> list[Word]:
    """The words said in `samples` (16 kHz), on the window's clock; none where no one speaks."""
    from faster_whisper.audio import pad_or_trim

    samples = np.nan_to_num(np.asarray(samples, dtype=np.float32))
    speech = _speech_span(samples)
    if speech is None:
        return []
    start, end = speech
    features = model.feature_extractor(samples[start:end])
    content = min(features.shape[-1] - 1, WHISPER_FRAMES)
    frames = min(max(SHORTEST_FRAMES, content + TAIL_FRAMES), WHISPER_FRAMES)
    encoded = model.encode(pad_or_trim(features[:, :content], frames))
    tokenizer = _tokenizer(model)
    tokens = _decode(model, tokenizer, encoded, options)
    if not tokens:
        return []
    return _timed(model, tokenizer, encoded, tokens, content, start / SAMPLE_RATE)


def _speech_span(samples: Samples) -> tuple[int, int] | None:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(samples, VadOptions(speech_pad_ms=int(SPEECH_PAD_S * 1000)))
    if not found:
        return None
    return int(found[0]["start"]), int(found[-1]["end"])


@functools.lru_cache(maxsize=4)
def _tokenizer(model: Any) -> Any:
    from faster_whisper.tokenizer import Tokenizer

    return Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")


@functools.lru_cache(maxsize=4)
def _suppressed(tokenizer: Any) -> list[int]:
    from faster_whisper.transcribe import get_suppressed_tokens

    return list(get_suppressed_tokens(tokenizer, [-1]))


def _decode(model: Any, tokenizer: Any, encoded: Any, options: WindowOptions) -> list[int]:
    from faster_whisper.transcribe import get_compression_ratio

    before = tokenizer.encode(" " + options.prompt.strip()) if options.prompt.strip() else []
    prompt = model.get_prompt(tokenizer, before[-(model.max_length // 2 - 1) :], without_timestamps=True)
    result = model.model.generate(
        encoded,
        [prompt],
        beam_size=1,
        repetition_penalty=options.repetition_penalty,
        no_repeat_ngram_size=options.no_repeat_ngram_size,
        max_length=model.max_length,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=_suppressed(tokenizer),
    )[0]
    tokens = [token for token in result.sequences_ids[0] if token < tokenizer.eot]
    logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    if result.no_speech_prob > NO_SPEECH and logprob < LOW_LOGPROB:
        return []
    return [] if get_compression_ratio(tokenizer.decode(tokens).strip()) > REPETITIVE else tokens


def _timed(
    model: Any, tokenizer: Any, encoded: Any, tokens: list[int], frames: int, offset: float
) -> list[Word]:
    """The tokens' words, timed by the alignment of the speech's `frames`, on the window's clock."""
    from faster_whisper.transcribe import merge_punctuations

    alignment = model.find_alignment(tokenizer, [tokens], encoded, frames)[0]
    merge_punctuations(alignment, PREPENDED, APPENDED)
    return [_word(timing, offset) for timing in alignment if timing["word"]]


def _word(timing: dict[str, Any], offset: float) -> Word:
    start, end = offset + float(timing["start"]), offset + float(timing["end"])
    return Word(round(start, 2), round(end, 2), timing["word"], float(timing["probability"]))
