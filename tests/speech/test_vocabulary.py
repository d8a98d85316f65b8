"""What the recogniser is told: the trip's people, titles, outlets, places and terms; never a
background briefer's name."""

import pytest
import yaml

from tests.conftest import as_yaml
from tests.speech.conftest import import_script_trip
from tests.speech.scripts import BACKGROUND, LONG, trip_document
from virtualtrip.speech.vocabulary import PROMPT_CHARACTERS, TermKind, vocabulary_for
from virtualtrip.trips.tripfile.check import check_trip_file
from virtualtrip.trips.tripfile.export import export_trip
from virtualtrip.trips.tripfile.problems import TripFileError

pytestmark = pytest.mark.django_db


def test_the_engagements_people_come_first_with_their_titles_then_the_trip() -> None:
    vocabulary = vocabulary_for(import_script_trip(LONG))
    texts = [t.text for t in vocabulary.terms]
    assert texts.index("Marcus Adeyemi") < texts.index("Beatriz Ocampo")  # speaks / only talked about
    assert {"Ciudad Juárez", "Łódź", "Hải Phòng", "Foreign Press Center"} <= set(texts)
    assert "El Diario del Norte" in texts
    assert vocabulary.prompt().startswith("Marcus Adeyemi, ")
    assert len(vocabulary.prompt()) <= PROMPT_CHARACTERS


def test_a_surname_alone_is_a_term_of_the_person() -> None:
    vocabulary = vocabulary_for(import_script_trip(LONG))
    surname = next(t for t in vocabulary.terms if t.text == "Łukasiewicz")
    assert (surname.kind, surname.person) == (TermKind.PERSON, "zbigniew-lukasiewicz")


def test_on_background_the_briefers_name_is_withheld_not_taught() -> None:
    vocabulary = vocabulary_for(import_script_trip(BACKGROUND))
    briefer = next(p for p in BACKGROUND.people if p.role == "briefer")
    assert briefer.name not in vocabulary.prompt()
    assert all(briefer.name not in t.text and briefer.id != t.person for t in vocabulary.terms)
    assert briefer.name in vocabulary.withheld
    assert vocabulary.withheld_as == BACKGROUND.attribution


def test_terms_of_the_trip_file_survive_an_export_and_a_new_import() -> None:
    engagement = import_script_trip(LONG, terms=["Puerto Chiapas", "USMCA"])
    text = export_trip(engagement.trip)
    exported = yaml.safe_load(text)
    assert exported["trip"]["terms"] == [place.name for place in LONG.places]
    assert exported["destinations"][0]["engagements"][0]["terms"] == ["Puerto Chiapas", "USMCA"]
    assert check_trip_file(text.encode()).spec.trip.terms == [place.name for place in LONG.places]


@pytest.mark.parametrize(("terms", "problem"), [(["  "], "empty"), (["x" * 201], "200"), ("Łódź", "list")])
def test_a_bad_term_is_refused_with_where_it_is(terms: object, problem: str) -> None:
    document = trip_document(LONG)
    document["trip"]["terms"] = terms
    with pytest.raises(TripFileError) as refused:
        check_trip_file(as_yaml(document))
    said = " ".join(p.message for p in refused.value.problems)
    assert "terms" in said
    assert problem in said.lower()


def test_an_english_only_model_is_told_the_names_in_bare_latin_letters() -> None:
    engagement = import_script_trip(LONG)
    vocabulary = vocabulary_for(engagement)
    assert "Łódź" in vocabulary.prompt()
    bare = vocabulary.prompt(bare=True)
    assert "Lodz" in bare
    assert "Tran Van Quang" in bare
    assert bare.isascii()
