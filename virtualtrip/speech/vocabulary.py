"""Who and what a recording is likely to name: the trip's people, titles, outlets and places.

The recogniser is given them (its initial prompt and hotwords) and the correction pass maps near
misses back to them. The engagement's own people come first, then the rest of the trip, then places:
the model's prompt has room for about 220 tokens and keeps what comes first here.

On background the briefer's name is never part of it, so nothing can write it; it is kept apart as
`withheld`, for the correction pass to replace with the attribution wherever it is heard."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import pycountry

from virtualtrip.floor.people import HIDDEN_ON_BACKGROUND, hides_names
from virtualtrip.speech.spelling import without_marks
from virtualtrip.trips.models import Engagement, Participant, Person
from virtualtrip.trips.places import zone_city

PROMPT_CHARACTERS = 640
"""About 200 of the model's tokens: the room its prompt has, with some to spare."""
HOTWORD_CHARACTERS = 300
SHORTEST_SURNAME = 4
"""A surname alone is a term from this length on: shorter ones match too many ordinary words."""


class TermKind(StrEnum):
    PERSON = "person"
    TITLE = "title"
    OUTLET = "outlet"
    PLACE = "place"
    TERM = "term"
    """A name the trip file lists under `terms`: a place, an organisation, a programme."""


@dataclass(frozen=True)
class Term:
    text: str
    """As the trip writes it: "Jon Piechowski", "Ciudad Juárez"."""
    kind: TermKind
    person: str | None = None
    """The trip file's id of the person a name is of."""


@dataclass(frozen=True)
class Vocabulary:
    terms: tuple[Term, ...]
    withheld: tuple[str, ...] = ()
    """Names never to be written (a background briefer's), each with its surname alone."""
    withheld_as: str = ""
    """What is written in their place: the engagement's attribution."""
    people: tuple[str, ...] = field(default=(), repr=False)
    """The engagement's people's names and titles, for the prompt's opening sentence."""

    def prompt(self, *, bare: bool = False) -> str:
        """The recogniser's initial prompt: a sentence that names the room, then the other terms.

        `bare` writes them in bare Latin letters ("Lodz", "Tran Van Quang"), for an English-only
        model: it writes a name it was told so far more often than one it was told with letters it
        hardly knows, and the correction pass writes it back as the trip does (docs/benchmarks.md)."""
        opening = "; ".join(self.people)
        rest = _unique(t.text for t in self.terms if t.kind is not TermKind.TITLE)
        text = _fit(f"{opening}. " if opening else "", rest, PROMPT_CHARACTERS)
        return without_marks(text) if bare else text

    def hotwords(self) -> str:
        """The names the recogniser hears on every window of the audio: people first, then places."""
        names = [t.text for t in self.terms if t.kind in (TermKind.PERSON, TermKind.TERM, TermKind.PLACE)]
        return _fit("", _unique(names), HOTWORD_CHARACTERS)


def _unique(texts: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for text in texts:
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            yield text


def _fit(opening: str, items: Iterable[str], limit: int) -> str:
    text = opening
    for item in items:
        if len(text) + len(item) + 2 > limit:
            break
        text = f"{text}{item}, "
    text = text.rstrip(", ").strip()
    return f"{text}." if text and not text.endswith(".") else text


def surname(name: str) -> str:
    parts = name.split()
    return parts[-1] if len(parts) > 1 and len(parts[-1]) >= SHORTEST_SURNAME else ""


def _person_terms(person: Person, role: str) -> Iterator[Term]:
    yield Term(person.name, TermKind.PERSON, person.key)
    if surname(person.name):
        yield Term(surname(person.name), TermKind.PERSON, person.key)
    if person.title:
        yield Term(person.title, TermKind.TITLE)
    if person.outlet and role == "press":
        yield Term(person.outlet, TermKind.OUTLET)


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return str(getattr(country, "common_name", None) or getattr(country, "name", "")) if country else ""


def _places(engagement: Engagement) -> Iterator[str]:
    trip = engagement.trip
    yield engagement.location
    yield trip.home_city
    for destination in trip.destinations.all():
        yield _country_name(destination.country)
        yield zone_city(destination.timezone, "en")
        yield destination.mission
    for other in trip.engagements.exclude(pk=engagement.pk):
        yield other.location


def _introduction(person: Person) -> str:
    return f"{person.name}, {person.title}" if person.title else person.name


def vocabulary_for(engagement: Engagement) -> Vocabulary:
    """The vocabulary of one engagement's recording."""
    hidden = hides_names(engagement)
    withheld: list[str] = []
    terms: list[Term] = []
    people: list[str] = []
    here = Participant.objects.filter(engagement=engagement).select_related("person")
    present = set()
    for participant in here:
        person = participant.person
        present.add(person.pk)
        if hidden and participant.role in HIDDEN_ON_BACKGROUND:
            withheld += [person.name, *([surname(person.name)] if surname(person.name) else [])]
            continue
        people.append(_introduction(person))
        terms += _person_terms(person, participant.role)
    others = Person.objects.filter(trip=engagement.trip).exclude(pk__in=present)
    withheld_keys = {w.casefold() for w in withheld}
    for person in others:
        if person.name.casefold() in withheld_keys:
            continue
        role = "press" if person.outlet else ""
        terms += _person_terms(person, role)
    terms += [Term(term, TermKind.TERM) for term in _unique([*engagement.terms, *engagement.trip.terms])]
    terms += [Term(place, TermKind.PLACE) for place in _unique(_places(engagement))]
    return Vocabulary(
        terms=tuple(_dedupe(terms)),
        withheld=tuple(withheld),
        withheld_as=engagement.attribution if hidden else "",
        people=tuple(people),
    )


def _dedupe(terms: Iterable[Term]) -> Iterator[Term]:
    seen: set[str] = set()
    for term in terms:
        if term.text.strip() and term.text.casefold() not in seen:
            seen.add(term.text.casefold())
            yield term
