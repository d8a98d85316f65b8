"""The correction pass, on words made up here: near misses written as the trip writes them, with the
evidence; ordinary words left alone; a background briefer's name never written."""

from virtualtrip.speech.corrections import WITHHELD, correct
from virtualtrip.speech.vocabulary import Term, TermKind, Vocabulary
from virtualtrip.speech.words import Word, joined

VOCABULARY = Vocabulary(
    terms=(
        Term("Jon Piechowski", TermKind.PERSON, "jon-piechowski"),
        Term("Piechowski", TermKind.PERSON, "jon-piechowski"),
        Term("Ciudad Juárez", TermKind.PLACE),
        Term("Foreign Press Center", TermKind.TERM),
        Term("Deputy Assistant Secretary", TermKind.TITLE),
        Term("Oslo", TermKind.PLACE),
        Term("Łódź", TermKind.PLACE),
        Term("Søren Ærø", TermKind.PERSON, "soren-aero"),
    ),
    withheld=("Tomasz Zieliński", "Zieliński"),
    withheld_as="A SENIOR OFFICIAL",
)


def words(text: str) -> list[Word]:
    return [Word(float(i), i + 0.9, f" {token}") for i, token in enumerate(text.split())]


def test_a_near_miss_is_written_as_the_trip_writes_it_and_the_evidence_kept() -> None:
    fixed, evidence = correct(words("Thank you, Mr Pichowski, for coming."), VOCABULARY)
    assert joined(fixed) == "Thank you, Mr Piechowski, for coming."
    assert [(e.heard, e.written, e.kind, e.person) for e in evidence] == [
        ("Pichowski", "Piechowski", "person", "jon-piechowski")
    ]
    assert evidence[0].score >= 78
    assert (evidence[0].start, evidence[0].end) == (3.0, 3.9)


def test_accents_come_back_and_a_run_becomes_one_word_with_the_runs_times() -> None:
    fixed, evidence = correct(words("We went to Ciudad Juarez today."), VOCABULARY)
    assert joined(fixed) == "We went to Ciudad Juárez today."
    corrected = next(w for w in fixed if "Juárez" in w.text)
    assert (corrected.start, corrected.end) == (3.0, 4.9)
    assert evidence[0].heard == "Ciudad Juarez"


def test_letters_without_a_decomposition_come_back_too() -> None:
    """Ł, ø and æ are letters of their own in Unicode, not L, o and a with a mark: an English-only
    recogniser writes "Lodz" and "Soren Aero", which must still be the trip's names."""
    fixed, evidence = correct(words("From Lodz, Soren Aero called."), VOCABULARY)
    assert joined(fixed) == "From Łódź, Søren Ærø called."
    assert [e.score for e in evidence] == [100.0, 100.0]


def test_a_word_beside_a_name_is_not_taken_into_it() -> None:
    fixed, evidence = correct(words("Welcome to the Foreign Press Center and thanks."), VOCABULARY)
    assert joined(fixed) == "Welcome to the Foreign Press Center and thanks."
    assert evidence == []


def test_ordinary_words_are_left_alone_short_terms_need_a_close_match() -> None:
    text = "The also sold a lot of pitches in Washington, said the deputy."
    fixed, evidence = correct(words(text), VOCABULARY)
    assert joined(fixed) == text
    assert evidence == []


def test_titles_are_prompted_but_never_written_over_speech() -> None:
    fixed, _ = correct(words("The deputy assistant secretaries met."), VOCABULARY)
    assert joined(fixed) == "The deputy assistant secretaries met."


def test_a_withheld_name_heard_is_written_as_the_attribution_and_not_kept() -> None:
    fixed, evidence = correct(words("Thanks to Tomasz Zielinski for the update."), VOCABULARY)
    assert joined(fixed) == "Thanks to [A SENIOR OFFICIAL] for the update."
    assert evidence[0].kind == WITHHELD
    assert "Zieli" not in evidence[0].heard
    assert evidence[0].person is None


def test_nothing_to_correct_in_no_words() -> None:
    assert correct([], VOCABULARY) == ([], [])
