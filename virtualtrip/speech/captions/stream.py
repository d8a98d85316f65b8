"""One voice's live captions, from its audio as it arrives.

Whisper reads a whole window at once, so a live caption reads the stretch of speech so far again
each `step_s` and shows the reading at once (a partial caption). A word is settled when two readings
in a row agree on it and on every word before it (local agreement): settled words never change, so a
caption does not flicker when the later reading hears the end of the window better. A cue ends when
the voice falls silent, or when its stretch grows past `max_window_s` (then it ends at the last
breath before its last settled word, and the words after it start the next cue, those settled still
settled; when nothing settles in twice that, at its end)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from virtualtrip.speech.audio import SAMPLE_RATE, Samples
from virtualtrip.speech.corrections import plain
from virtualtrip.speech.words import Word, joined

Reader = Callable[[Samples, str], list[Word]]
"""Reads a window of 16 kHz samples with a prompt (what was said just before it); its words, on the
window's clock."""
SILENT_DBFS = -45.0
FRAME_S = 0.03
FRAME_SAMPLES = int(FRAME_S * SAMPLE_RATE)
STEP_S = 0.5
"""Read again twice a second: a reading of a few seconds takes 0.3-0.5 s on two cores (tiny.en), so
one voice speaking keeps up (two at once wait on each other, and catch up at their next step), and a
word shows half a second sooner than at a step of a second (p95 2.0 s against 3.4 s on the rehearsed
briefing, `docs/benchmarks.md`)."""


@dataclass(frozen=True)
class CaptionUpdate:
    """A cue's whole text so far. Times are seconds of this voice's stream."""

    cue: int
    text: str
    start: float
    end: float
    final: bool
    words: tuple[Word, ...] = ()
    """The cue's words on the stream's clock."""


def speaking(samples: Samples) -> np.ndarray:
    """For each 30 ms frame, whether it is louder than silence."""
    frame = FRAME_SAMPLES
    count = len(samples) // frame
    if count == 0:
        return np.zeros(0, dtype=bool)
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    levels = 20 * np.log10(np.maximum(rms, 1e-9))
    return np.asarray(levels > SILENT_DBFS)


def _key(word: Word) -> str:
    return plain(word.text)


def agreed(before: Sequence[Word], now: Sequence[Word]) -> int:
    """How many words at the start of two readings are the same words."""
    count = 0
    for old, new in zip(before, now, strict=False):
        if _key(old) != _key(new):
            break
        count += 1
    return count


def first_pause(frames: np.ndarray, shortest: int) -> tuple[int, int] | None:
    """The first run of at least `shortest` quiet frames after speech: its first and past-last frame."""
    loud = np.flatnonzero(frames)
    if len(loud) == 0:
        return None
    quiet_from = int(loud[0])
    for index in loud[1:]:
        if index - quiet_from - 1 >= shortest:
            return quiet_from + 1, int(index)
        quiet_from = int(index)
    if len(frames) - quiet_from - 1 >= shortest:
        return quiet_from + 1, len(frames)
    return None


def last_pause(frames: np.ndarray, shortest: int, before: int) -> int | None:
    """The middle frame of the last run of at least `shortest` quiet frames between speech, before
    frame `before`."""
    loud = np.flatnonzero(frames[:before])
    gaps = np.flatnonzero(np.diff(loud) > shortest)
    if len(gaps) == 0:
        return None
    last = int(gaps[-1])
    return (int(loud[last]) + int(loud[last + 1])) // 2


class CaptionStream:
    """A voice's samples go in as they come (`add`); each `step` answers with the caption updates
    the new audio makes. `feed` does both, for a caller that has all the time it needs."""

    def __init__(
        self,
        read: Reader,
        *,
        step_s: float = STEP_S,
        max_window_s: float = 6.0,
        silence_end_s: float = 0.5,
        breath_s: float = 0.15,
    ) -> None:
        self._read = read
        self.step_samples = int(step_s * SAMPLE_RATE)
        self._max_window = int(max_window_s * SAMPLE_RATE)
        self._silence_end = max(1, round(silence_end_s / FRAME_S))
        self._breath = max(1, round(breath_s / FRAME_S))
        self._audio = np.zeros(0, dtype=np.float32)
        self._audio_start = 0
        """The sample number (from the stream's start) of the window's first sample."""
        self.unread = 0
        """Samples added since the last step."""
        self._settled: list[Word] = []
        self._guess: list[Word] = []
        self._cue = 0
        self._before = ""
        """The end of the last cue: the reader's prompt, as what was said just before."""

    @property
    def seconds(self) -> float:
        """How much of the stream has arrived."""
        return (self._audio_start + len(self._audio)) / SAMPLE_RATE

    def add(self, samples: Samples) -> None:
        self._audio = np.concatenate([self._audio, samples.astype(np.float32)])
        self.unread += len(samples)

    def feed(self, samples: Samples) -> list[CaptionUpdate]:
        self.add(samples)
        return self.step() if self.unread >= self.step_samples else []

    def step(self) -> list[CaptionUpdate]:
        """Read the window again: a partial caption, or the cues that pauses in it ended."""
        self.unread = 0
        updates: list[CaptionUpdate] = []
        while True:
            frames = speaking(self._audio)
            if not frames.any():
                self._drop_silence()
                return updates
            pause = first_pause(frames, self._silence_end)
            if pause is None:
                break
            cut = pause[0] * FRAME_SAMPLES
            self._take_reading(cut)
            updates += self._end_cue(cut, (pause[1] - 1) * FRAME_SAMPLES)
        self._take_reading(len(self._audio))
        if len(self._audio) >= self._max_window:
            updates += self._split(frames)
        elif self._settled or self._guess:
            updates.append(self._update(final=False))
        return updates

    def finish(self) -> list[CaptionUpdate]:
        """The stream ended: whatever is still being said, read once more and ended."""
        updates = self.step()
        if not speaking(self._audio).any():
            return updates
        self._take_reading(len(self._audio))
        return updates + self._end_cue(len(self._audio), len(self._audio))

    def _drop_silence(self) -> None:
        """Nothing heard in the window: keep only its last step (speech may begin at its end)."""
        self._skip(max(0, len(self._audio) - self.step_samples))
        self._settled, self._guess = [], []

    def _skip(self, samples: int) -> None:
        self._audio_start += samples
        self._audio = self._audio[samples:]

    def _sample(self, seconds: float) -> int:
        """A stream time as an index into the window."""
        return max(0, min(len(self._audio), round(seconds * SAMPLE_RATE) - self._audio_start))

    def _take_reading(self, until: int) -> None:
        """Read the cue's audio so far, up to sample `until` of the window, and settle what this
        reading and the one before agree on past the words already settled. The whole cue is read
        each time, not only its unsettled end: cut where a settled word seems to end (whisper's
        word times are rough), a window starts in the middle of a word, and reads worse."""
        offset = self._audio_start / SAMPLE_RATE
        words = self._read(self._audio[:until], self._before)
        reading = [Word(w.start + offset, w.end + offset, w.text, w.probability) for w in words]
        settled_until = self._settled[-1].end if self._settled else offset
        fresh = [w for w in reading if w.middle > settled_until]
        count = agreed(self._guess, fresh)
        self._settled += fresh[:count]
        self._guess = fresh[count:]

    def _split(self, frames: np.ndarray) -> list[CaptionUpdate]:
        """The stretch of speech runs past the longest window: end the cue at its last breath
        among the settled words (or at the last settled word), and go on from there."""
        if not self._settled:
            if len(self._audio) >= 2 * self._max_window:
                # Twice the longest window and nothing agreed on (noise, music, readings that never
                # agree): the cue ends with what was heard, or none, and the window starts afresh,
                # or it would grow, and each reading with it, for as long as the noise went on.
                return self._end_cue(len(self._audio), len(self._audio))
            return [self._update(final=False)] if self._guess else []
        settled_frame = self._sample(self._settled[-1].end) // FRAME_SAMPLES
        breath = last_pause(frames, self._breath, settled_frame + 1)
        cut = breath * FRAME_SAMPLES if breath is not None else self._sample(self._settled[-1].end)
        return self._end_cue(cut, cut, keep_settled=True)

    def _end_cue(self, until: int, skip: int, *, keep_settled: bool = False) -> list[CaptionUpdate]:
        """End the cue with the words heard before sample `until` of the window, and forget the
        window's first `skip` samples. Later words are guesses for the next cue, to be agreed on;
        with `keep_settled` (a long stretch cut at a breath, speech on both sides of the cut) the
        settled ones stay settled: a window that starts at the cut reads them afresh, often
        otherwise ("will ships" read again as "we'll ship"). After a pause they are not kept: a
        word settled inside the pause is whisper's, not the speaker's."""
        ends = (self._audio_start + until) / SAMPLE_RATE
        words = [w for w in self._settled + self._guess if w.middle < ends]
        settled_later = [w for w in self._settled if w.middle >= ends]
        guessed_later = [w for w in self._guess if w.middle >= ends]
        if keep_settled:
            self._settled, self._guess = settled_later, guessed_later
        else:
            self._settled, self._guess = [], settled_later + guessed_later
        self._skip(skip)
        if not words:
            return []
        self._before = joined(words[-12:])
        update = CaptionUpdate(self._cue, joined(words), words[0].start, words[-1].end, True, tuple(words))
        self._cue += 1
        return [update]

    def _update(self, *, final: bool) -> CaptionUpdate:
        words = self._settled + self._guess
        return CaptionUpdate(self._cue, joined(words), words[0].start, words[-1].end, final, tuple(words))
