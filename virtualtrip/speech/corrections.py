"""The correction pass: near misses of the trip's names written as the trip writes them.

The recogniser, even told the names, writes some of them as it hears them ("Pichowski", "Gonzalez").
Every run of one to five words is compared with every term of the vocabulary, by spelling (rapidfuzz's
ratio, accents and case aside) and by sound (the Metaphone codes, jellyfish); a run that scores high
enough on both together is written as the term. Each change is kept as evidence (what was heard, what
was written, the score) so that an editor sees every change and can undo it.

On background a briefer's name heard in the audio is written as the attribution, in brackets; its
evidence does not keep what was heard."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import jellyfish
from rapidfuzz import fuzz, process

from virtualtrip.speech.spelling import without_marks
from virtualtrip.speech.vocabulary import Term, TermKind, Vocabulary
from virtualtrip.speech.words import Word

THRESHOLD = 78.0
"""The least score (0-100) a run needs to be written as a term."""
SHORT_THRESHOLD = 90.0
"""For terms of five letters or fewer, which resemble many ordinary words."""
SHORT_TERM = 5
WITHHELD = "withheld"
HEARD_WITHHELD = "(withheld)"
_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)
_POSSESSIVE = re.compile(r"(['’]s)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.?!;:]\W*$")


@dataclass(frozen=True)
class Correction:
    start: float
    end: float
    heard: str
    written: str
    score: float
    kind: str
    """The term's kind (person, title, outlet, place), or `withheld`."""
    person: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def plain(text: str) -> str:
    """Letters and digits only, lower case, accents dropped (Ł as L): what spelling is compared on."""
    return "".join(c for c in without_marks(text.casefold()) if c.isalnum())


@cache
def sound(text: str) -> str:
    return jellyfish.metaphone(" ".join(plain(word) for word in text.split()) or "")


def score(heard: str, term: str) -> float:
    """How much `heard` looks and sounds like `term`, 0-100."""
    spelled = fuzz.ratio(plain(heard), plain(term))
    sounded = fuzz.ratio(sound(heard), sound(term))
    return max(spelled, (spelled + sounded) / 2)


@dataclass(frozen=True)
class _Match:
    first: int
    count: int
    term: Term | None
    """None for a withheld name."""
    written: str
    score: float
    size: int
    """Words in the name matched: a whole name goes before its surname alone."""


def _core(text: str) -> tuple[str, str, str]:
    match = _EDGE.match(text.strip())
    assert match is not None  # the pattern matches every string
    lead, core, tail = match.groups()
    possessive = _POSSESSIVE.search(core)
    if possessive:
        return lead, core[: possessive.start()], possessive.group(1) + tail
    return lead, core, tail


def _runs(words: Sequence[Word], first: int, longest: int) -> Iterator[tuple[int, str]]:
    """The runs of words starting at `first`, up to `longest` long, that do not cross a sentence."""
    texts: list[str] = []
    for index in range(first, min(first + longest, len(words))):
        text = words[index].text.strip()
        if any(c.isdigit() for c in text):
            return
        texts.append(text)
        yield index - first + 1, " ".join(texts)
        if _SENTENCE_END.search(text):
            return


def _threshold(term: str) -> float:
    return SHORT_THRESHOLD if len(plain(term)) <= SHORT_TERM else THRESHOLD


PREFILTER = 50.0
"""Terms whose spelling scores below this against a run are not scored further."""


def _candidates(core: str, vocabulary: Vocabulary) -> list[Term]:
    """The terms spelled at least a little like `core` (rapidfuzz, in C, over the whole vocabulary)."""
    terms = [t for t in vocabulary.terms if t.kind is not TermKind.TITLE]
    spelled = [plain(t.text) for t in terms]
    close = process.extract(plain(core), spelled, scorer=fuzz.ratio, score_cutoff=PREFILTER, limit=None)
    return [terms[index] for _, _, index in close]


def _best(heard: str, vocabulary: Vocabulary) -> tuple[Term | None, str, float, int] | None:
    core = _core(heard)[1]
    if not plain(core):
        return None
    found: tuple[Term | None, str, float, int] | None = None
    for name in vocabulary.withheld:
        value = score(core, name)
        if value >= SHORT_THRESHOLD and (found is None or value > found[2]):
            found = (None, f"[{vocabulary.withheld_as}]", value, len(name.split()))
    if found is not None:
        return found
    for term in _candidates(core, vocabulary):
        value = score(core, term.text)
        if value >= _threshold(term.text) and (found is None or value > found[2]):
            found = (term, term.text, value, len(term.text.split()))
    return found


def _matches(words: Sequence[Word], vocabulary: Vocabulary) -> list[_Match]:
    longest = 1 + max((len(t.text.split()) for t in vocabulary.terms), default=1)
    longest = max(longest, 1 + max((len(n.split()) for n in vocabulary.withheld), default=1))
    found: list[_Match] = []
    for first in range(len(words)):
        for count, heard in _runs(words, first, longest):
            best = _best(heard, vocabulary)
            if best is not None:
                found.append(_Match(first, count, *best))
    return found


def _chosen(found: list[_Match]) -> list[_Match]:
    """The best matches that do not overlap: longer terms first (a whole name before its surname
    alone, even when the surname is heard right and the first name not: "Meramando Cruz Pérez" is
    "Armando Cruz Pérez", not "Meramando Cruz" and "Pérez"), then higher scores, then shorter runs
    (a word beside a name, "the Foreign Press Center", must not be taken into it). A run already
    written as its term takes its words too, so that no longer run around it can."""
    taken: set[int] = set()
    chosen: list[_Match] = []
    for match in sorted(found, key=lambda m: (-m.size, -m.score, m.count, m.first)):
        span = set(range(match.first, match.first + match.count))
        if not span & taken:
            taken |= span
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.first)


def correct(words: Sequence[Word], vocabulary: Vocabulary) -> tuple[list[Word], list[Correction]]:
    """The words with near misses of the vocabulary written as its terms, and the evidence of each
    change. A corrected run becomes one word spanning the run's times."""
    out: list[Word] = []
    corrections: list[Correction] = []
    position = 0
    for match in _chosen(_matches(words, vocabulary)):
        out += words[position : match.first]
        run = words[match.first : match.first + match.count]
        heard = " ".join(w.text.strip() for w in run)
        lead, core, tail = _core(heard)
        if match.term is not None and core == match.written:
            out += run  # already written as the trip writes it
            position = match.first + match.count
            continue
        space = " " if run[0].text.startswith(" ") else ""
        written = f"{space}{lead}{match.written}{tail}"
        probability = min(w.probability for w in run)
        out.append(Word(run[0].start, run[-1].end, written, probability))
        corrections.append(_evidence(run, heard, match))
        position = match.first + match.count
    out += words[position:]
    return out, corrections


def _evidence(run: Sequence[Word], heard: str, match: _Match) -> Correction:
    term = match.term
    return Correction(
        start=run[0].start,
        end=run[-1].end,
        heard=HEARD_WITHHELD if term is None else _core(heard)[1],
        written=match.written,
        score=round(match.score, 1),
        kind=WITHHELD if term is None else term.kind.value,
        person=None if term is None else term.person,
    )
