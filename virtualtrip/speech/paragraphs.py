"""Words into paragraphs: one paragraph per turn, as the house style has it."""

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from virtualtrip.speech.speakers import UNKNOWN, Speaker
from virtualtrip.speech.turns import Turn
from virtualtrip.speech.words import Word, joined

NEAREST_S = 1.0
"""A word outside every turn goes to the nearest turn this close; past it, to nobody."""


@dataclass(frozen=True)
class Paragraph:
    speaker: Speaker
    words: tuple[Word, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def text(self) -> str:
        return joined(list(self.words))


CLOSE_TURNS = 4
"""Turns looked at around a word: the ones starting just before it and just after (turns hardly overlap)."""


def speaker_of(word: Word, turns: Sequence[Turn], starts: Sequence[float] | None = None) -> Speaker:
    """The speaker of the turn the word overlaps most, or the nearest one within NEAREST_S. `turns` are
    in order of their start (`starts`, their starts, when the caller has them)."""
    starts = starts if starts is not None else [t.start for t in turns]
    here = bisect.bisect_right(starts, word.end)
    close = turns[max(0, here - CLOSE_TURNS) : here + 1]
    best = max(close, key=lambda t: t.overlap(word.start, word.end), default=None)
    if best is not None and best.overlap(word.start, word.end) > 0:
        return best.speaker
    near = min(close, key=lambda t: _distance(t, word.middle), default=None)
    if near is not None and _distance(near, word.middle) <= NEAREST_S:
        return near.speaker
    return UNKNOWN


def _distance(turn: Turn, at: float) -> float:
    return max(turn.start - at, at - turn.end, 0.0)


def paragraphs(words: Sequence[Word], turns: Sequence[Turn]) -> list[Paragraph]:
    """Consecutive words of one speaker make a paragraph."""
    turns = sorted(turns, key=lambda t: t.start)
    starts = [t.start for t in turns]
    speakers = _mended([speaker_of(word, turns, starts) for word in words], words)
    made: list[Paragraph] = []
    current: list[Word] = []
    for index, word in enumerate(words):
        if current and speakers[index] != speakers[index - 1]:
            made.append(Paragraph(speakers[index - 1], tuple(current)))
            current = []
        current.append(word)
    if current:
        made.append(Paragraph(speakers[-1], tuple(current)))
    return made


MEND_WORDS = 3
"""The most words a change of speaker is moved by to meet a sentence's end."""
_SENTENCE_END = re.compile(r"[.?!…]['\"”’)]*$")


def _ends_sentence(word: Word) -> bool:
    return bool(_SENTENCE_END.search(word.text.strip()))


def _continues(word: Word) -> bool:
    text = word.text.strip()
    return bool(text) and text[0].islower()


def _mended(speakers: list[Speaker], words: Sequence[Word]) -> list[Speaker]:
    """The speakers with each change moved to the end of a sentence when the recogniser's word times
    put it a word or two off. Where the words say a sentence runs on across a change (a lower-case
    word after it, no full stop before it), the change moves to that sentence's end ("over to | you.
    Thank you" becomes "over to you. | Thank you"); where a sentence the speaker after the change goes
    on with starts before it, the change moves to that sentence's start ("questions. Go | ahead"
    becomes "questions. | Go ahead"). Never by more than MEND_WORDS words."""
    mended = list(speakers)
    for index in range(1, len(words)):
        if mended[index] == mended[index - 1] or not _continues(words[index]):
            continue
        if not _ends_sentence(words[index - 1]):
            end = next(
                (i for i in range(index, min(index + MEND_WORDS, len(words))) if _ends_sentence(words[i])),
                None,
            )
            if end is not None and all(mended[i] == mended[index] for i in range(index, end + 1)):
                mended[index : end + 1] = [mended[index - 1]] * (end + 1 - index)
                continue
        start = next(
            (
                i
                for i in range(index - 1, max(index - 1 - MEND_WORDS, -1), -1)
                if i == 0 or _ends_sentence(words[i - 1])
            ),
            None,
        )
        if start is not None and all(mended[i] == mended[index - 1] for i in range(start, index)):
            mended[start:index] = [mended[index]] * (index - start)
    return mended
