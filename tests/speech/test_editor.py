"""The editor's actions: a paragraph's text and speaker, undoing a correction, sending to clearance."""

import copy
import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from tests.factories.publishing import desk_user
from tests.speech.conftest import import_script_trip
from tests.speech.editing import SHORT_TURNS, Fix, Made, Turn, editor_user, stored
from tests.speech.scripts import BACKGROUND, SHORT
from virtualtrip.publishing import actions as publishing
from virtualtrip.publishing.enums import Clearance, DocumentKind
from virtualtrip.publishing.markdown import render_markdown
from virtualtrip.publishing.models import Document
from virtualtrip.speech import editor, engine, exports, pipeline
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.models import Transcript
from virtualtrip.speech.rehearsal import turns_tsv
from virtualtrip.speech.words import Word
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> User:
    return editor_user()


def fresh(transcript: Transcript) -> Transcript:
    return Transcript.objects.get(pk=transcript.pk)


def edit(transcript: Transcript, index: int, user: User | None, **changes: Any) -> Transcript:
    paragraph = transcript.body["paragraphs"][index]
    fields = {
        "text": paragraph["text"],
        "speaker": editor.choice_value(paragraph),
        "version": transcript.version,
        **changes,
    }
    return editor.check_edit_paragraph(transcript, index, acting_user=user, **fields)


# Paragraphs -----------------------------------------------------------------------------------------


def test_an_edit_changes_that_paragraph_and_its_speaker_and_nothing_else(
    transcript: Transcript, user: User
) -> None:
    before = copy.deepcopy(transcript.body)
    edited = edit(
        transcript, 3, user, text="  Thank you. When does the new crossing open?\n", speaker="label:QUESTION"
    )
    expected = copy.deepcopy(before)
    expected["paragraphs"][3] |= {
        "text": "Thank you. When does the new crossing open?",
        "speaker": "QUESTION",
        "person": None,
    }
    assert fresh(transcript).body == expected
    assert (edited.version, edited.edited_by) == (2, "editor")
    assert edited.edited_at is not None


def test_a_paragraph_goes_to_another_person_of_the_engagement(transcript: Transcript, user: User) -> None:
    edit(transcript, 4, user, speaker="person:marcus-adeyemi")
    paragraph = fresh(transcript).body["paragraphs"][4]
    assert (paragraph["speaker"], paragraph["person"]) == ("MODERATOR", "marcus-adeyemi")


def test_the_speakers_to_choose_from_are_the_engagements_people_and_the_house_labels(
    transcript: Transcript,
) -> None:
    choices = editor.speaker_choices(transcript.engagement, transcript.body)
    assert [(c.value, c.shown) for c in choices] == [
        ("person:marcus-adeyemi", "MODERATOR — Marcus Adeyemi"),
        ("person:helena-brandt", "ENVOY BRANDT — Helena Brandt"),
        ("person:lucia-gonzalez", "QUESTION — Lucía González"),
        ("label:MODERATOR", "MODERATOR"),
        ("label:QUESTION", "QUESTION"),
    ]


def test_on_background_the_briefer_is_a_choice_by_their_attribution_only() -> None:
    engagement = import_script_trip(BACKGROUND)
    made = Made([Turn("tomasz-zielinski", ["We", "hope", "so."], 0.0, 1.5)])
    transcript = stored(engagement, made)
    choices = editor.speaker_choices(engagement, transcript.body)
    shown = " ".join(f"{c.value} {c.shown} {c.speaker}" for c in choices)
    assert "label:A SENIOR STATE DEPARTMENT OFFICIAL" in [c.value for c in choices]
    assert ("Zieli" not in shown, "tomasz" not in shown) == (True, True)


def test_on_background_the_briefers_id_is_refused_as_a_speaker(user: User) -> None:
    engagement = import_script_trip(BACKGROUND)
    transcript = stored(engagement, Made([Turn("marcus-adeyemi", ["Go", "ahead."], 0.0, 1.0)]))
    with pytest.raises(editor.EditorRefused, match="Choose the speaker from the list"):
        edit(transcript, 0, user, speaker="person:tomasz-zielinski")
    assert fresh(transcript).version == transcript.version


def test_html_typed_in_is_kept_as_plain_text(transcript: Transcript, user: User) -> None:
    edit(transcript, 0, user, text="<b>Good</b> afternoon & <script>alert(1)</script>")
    assert (
        fresh(transcript).body["paragraphs"][0]["text"] == "<b>Good</b> afternoon & <script>alert(1)</script>"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Good\x00 afternoon", "contains the NUL character"),
        ("Good\x1b afternoon", "contains the ESC character"),
        ("Good\u2028afternoon", "LINE SEPARATOR"),
        ("a" * 20_001, "20001 characters: a paragraph has at most 20000"),
    ],
)
def test_text_with_control_characters_or_too_long_is_refused(
    transcript: Transcript, user: User, text: str, message: str
) -> None:
    with pytest.raises(editor.EditorRefused, match=message):
        edit(transcript, 0, user, text=text)
    assert fresh(transcript).body == transcript.body


def test_line_breaks_and_the_longest_text_are_kept(transcript: Transcript, user: User) -> None:
    edit(transcript, 0, user, text="Good afternoon.\r\n\r\nEnvoy Brandt will take questions.")
    edit(fresh(transcript), 1, user, text="a" * 20_000)
    body = fresh(transcript).body
    assert [p["text"] for p in body["paragraphs"][:2]] == [
        "Good afternoon.\n\nEnvoy Brandt will take questions.",
        "a" * 20_000,
    ]


def test_a_save_over_a_newer_version_is_refused_and_says_so(transcript: Transcript, user: User) -> None:
    edit(transcript, 0, user, text="First editor's words.")
    other = editor_user("second-editor")
    with pytest.raises(
        editor.StaleTranscript, match="you have version 1, it is now at version 2, saved by editor"
    ):
        edit(transcript, 0, other, text="Second editor's words.", version=1)
    assert fresh(transcript).body["paragraphs"][0]["text"] == "First editor's words."


def test_a_save_that_came_in_between_is_not_overwritten(
    transcript: Transcript, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the row lock is no lock (SQLite), another save may land between the read and the write."""
    read = editor._locked

    def read_then_saved_elsewhere(found: Transcript, version: int | None) -> Transcript:
        locked = read(found, version)
        Transcript.objects.filter(pk=found.pk).update(version=F("version") + 1, edited_by="second-editor")
        return locked

    monkeypatch.setattr(editor, "_locked", read_then_saved_elsewhere)
    with pytest.raises(editor.StaleTranscript, match="saved by second-editor"):
        edit(transcript, 0, user, text="Late words.")
    assert fresh(transcript).body == transcript.body


def test_a_new_transcription_makes_an_open_editor_stale(
    engagement: Engagement, transcript: Transcript, user: User
) -> None:
    stored(engagement, SHORT_TURNS)
    with pytest.raises(editor.StaleTranscript, match="saved by a new transcription"):
        edit(fresh(transcript), 0, user, text="Late words.", version=1)


def test_an_unknown_paragraph_is_refused(transcript: Transcript, user: User) -> None:
    with pytest.raises(editor.NothingThere, match="no paragraph 6"):
        editor.check_edit_paragraph(
            transcript, 5, text="x", speaker="label:QUESTION", version=1, acting_user=user
        )
    with pytest.raises(editor.NothingThere):
        editor.check_edit_paragraph(
            transcript, -1, text="x", speaker="label:QUESTION", version=1, acting_user=user
        )


def test_people_who_are_not_editors_may_not_edit(transcript: Transcript) -> None:
    gone = User.objects.create_user("gone", is_staff=True, is_active=False)
    gone.groups.set(editor_user("active").groups.all())
    refused = [
        None,
        User.objects.create_user("visitor"),
        User.objects.create_user("aide", is_staff=True),
        desk_user("clearer"),
        gone,
    ]
    for user in refused:
        with pytest.raises(editor.NotAnEditor, match="Only editors"):
            edit(transcript, 0, user, text="Not allowed.")
    assert fresh(transcript).version == 1


def test_an_editor_who_is_not_staff_may_not_edit(transcript: Transcript) -> None:
    outsider = editor_user("outsider")
    outsider.is_staff = False
    outsider.save()
    with pytest.raises(editor.NotAnEditor):
        edit(transcript, 0, User.objects.get(pk=outsider.pk), text="Not allowed.")


# Corrections ----------------------------------------------------------------------------------------


def test_undoing_a_correction_writes_back_what_was_heard(transcript: Transcript, user: User) -> None:
    done = editor.check_undo_correction(transcript, 1, version=1, acting_user=user)
    body = fresh(transcript).body
    assert (done.outcome, done.paragraph, done.transcript.version) == (editor.Undo.UNDONE, 1, 2)
    assert (
        body["paragraphs"][1]["text"]
        == "Thank you, Marcus. We spent the morning in Sudad Juarez with the port staff."
    )
    assert body["paragraphs"][1]["words"][8]["text"] == " Sudad Juarez"
    assert [c.get("undone", False) for c in body["corrections"]] == [False, True, False, False]


def test_a_second_undo_does_nothing(transcript: Transcript, user: User) -> None:
    editor.check_undo_correction(transcript, 1, version=1, acting_user=user)
    again = editor.check_undo_correction(fresh(transcript), 1, version=1, acting_user=user)
    assert (again.outcome, fresh(transcript).version) == (editor.Undo.ALREADY, 2)
    assert fresh(transcript).body["paragraphs"][1]["text"].count("Sudad Juarez") == 1


def test_undo_writes_back_the_occurrence_it_corrected() -> None:
    engagement = import_script_trip(SHORT)
    words = ["Brandt", "said", "it", "and", "Brandt", "did", "it."]
    made = Made([Turn("marcus-adeyemi", words, 0.0, 3.5)], [Fix(0, 4, "Brant", "Brandt")])
    transcript = stored(engagement, made)
    editor.check_undo_correction(transcript, 0, version=1, acting_user=editor_user())
    assert fresh(transcript).body["paragraphs"][0]["text"] == "Brandt said it and Brant did it."


def test_undo_finds_its_word_after_the_text_around_it_was_edited(transcript: Transcript, user: User) -> None:
    edit(transcript, 2, user, text="Go ahead, please, Lucía González, of El Diario del Norte.")
    editor.check_undo_correction(fresh(transcript), 2, version=2, acting_user=user)
    assert (
        fresh(transcript).body["paragraphs"][2]["text"]
        == "Go ahead, please, Lucia Gonzales, of El Diario del Norte."
    )


def test_undo_is_refused_once_the_corrected_words_were_edited_away(
    transcript: Transcript, user: User
) -> None:
    edit(transcript, 1, user, text="Thank you, Marcus. We spent the morning at the border.")
    with pytest.raises(editor.EditorRefused, match="“Ciudad Juárez” is no longer in the transcript"):
        editor.check_undo_correction(fresh(transcript), 1, version=2, acting_user=user)
    assert fresh(transcript).version == 2


def test_a_withheld_name_cannot_be_undone(user: User) -> None:
    engagement = import_script_trip(BACKGROUND)
    words = ["Thank", "you,", "[A SENIOR STATE DEPARTMENT OFFICIAL]."]
    fix = Fix(0, 2, "(withheld)", "[A SENIOR STATE DEPARTMENT OFFICIAL]", kind="withheld")
    transcript = stored(engagement, Made([Turn("marcus-adeyemi", words, 0.0, 2.0)], [fix]))
    with pytest.raises(editor.EditorRefused, match="A withheld name cannot be undone"):
        editor.check_undo_correction(transcript, 0, version=1, acting_user=user)
    assert fresh(transcript).body == transcript.body


def test_undo_refuses_an_unknown_correction_a_stale_version_and_a_non_editor(
    transcript: Transcript, user: User
) -> None:
    with pytest.raises(editor.NothingThere, match="no correction 5"):
        editor.check_undo_correction(transcript, 4, version=1, acting_user=user)
    edit(transcript, 0, user, text="Good afternoon.")
    with pytest.raises(editor.StaleTranscript):
        editor.check_undo_correction(fresh(transcript), 1, version=1, acting_user=user)
    with pytest.raises(editor.NotAnEditor):
        editor.check_undo_correction(fresh(transcript), 1, version=2, acting_user=desk_user("clearer"))
    assert fresh(transcript).version == 2


# Clearance ------------------------------------------------------------------------------------------


def test_sending_makes_a_transcript_document_in_clearance_in_the_house_style(
    transcript: Transcript, user: User
) -> None:
    sent = editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    document = Document.objects.get()
    assert (sent.outcome, sent.document, fresh(transcript).document) == (
        editor.Sending.CREATED,
        document,
        document,
    )
    assert (document.kind, document.state, document.engagement, document.language) == (
        DocumentKind.TRANSCRIPT,
        Clearance.IN_CLEARANCE,
        transcript.engagement,
        "en",
    )
    assert (document.title, str(document.date)) == ("Transcript: " + SHORT.title, "2027-03-04")
    assert document.body == (
        "**MODERATOR:** Good afternoon. Envoy Brandt will take a few questions, on the record.\n\n"
        "**ENVOY BRANDT:** Thank you, Marcus. We spent the morning in Ciudad Juárez with the port staff.\n\n"
        "**MODERATOR:** Go ahead, Lucía González of El Diario del Norte.\n\n"
        "**QUESTION:** Thank you. When will the new crossing open?\n\n"
        "**ENVOY BRANDT:** We expect it to open next spring.\n"
    )
    assert document.live is False
    assert [(s.from_state, s.to_state, s.by) for s in document.steps.all()] == [
        (Clearance.DRAFT, Clearance.IN_CLEARANCE, user)
    ]


def test_the_document_reads_as_the_house_style_text_with_markdown_shown_as_typed(
    transcript: Transcript, user: User
) -> None:
    typed = "1. *Not* a list <b>nor</b> bold & # no heading | [link](http://x) &amp; _x_ \\ `c`"
    edit(transcript, 0, user, text=typed + "\n\n- not a bullet\n= nor a heading")
    editor.check_send_to_clearance(fresh(transcript), version=2, acting_user=user)
    html = render_markdown(Document.objects.get().body)
    assert html.startswith(
        "<p><strong>MODERATOR:</strong> 1. *Not* a list &lt;b&gt;nor&lt;/b&gt; bold &amp; # no heading | "
        "[link](http://x) &amp;amp; _x_ \\ `c`</p>\n<p>- not a bullet</p>\n<p>= nor a heading</p>\n"
    )
    shown = [unescape(re.sub(r"<[^>]+>", "", line)) for line in html.splitlines()]
    assert shown == [line for line in exports.as_text(fresh(transcript).body).splitlines() if line]


def test_sending_twice_without_changes_changes_nothing(transcript: Transcript, user: User) -> None:
    editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    again = editor.check_send_to_clearance(fresh(transcript), version=1, acting_user=user)
    document = Document.objects.get()
    assert (again.outcome, document.revision_number, document.steps.count()) == (
        editor.Sending.UNCHANGED,
        1,
        1,
    )


def test_sending_after_an_edit_updates_the_same_document(transcript: Transcript, user: User) -> None:
    editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    edit(fresh(transcript), 4, user, text="We expect it to open next April.")
    again = editor.check_send_to_clearance(fresh(transcript), version=2, acting_user=user)
    document = Document.objects.get()
    assert (again.outcome, document.revision_number, document.state) == (
        editor.Sending.UPDATED,
        2,
        Clearance.IN_CLEARANCE,
    )
    assert document.body.endswith("**ENVOY BRANDT:** We expect it to open next April.\n")


def test_a_published_transcript_stays_live_while_its_new_text_is_in_clearance(
    transcript: Transcript, user: User
) -> None:
    sent = editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    for state, desk in ((Clearance.CLEARED, "clearer"), (Clearance.PUBLISHED, "publisher")):
        publishing.do_advance_document(sent.document, state, acting_user=desk_user(desk))
    edit(fresh(transcript), 4, user, text="We expect it to open next April.")
    editor.check_send_to_clearance(fresh(transcript), version=2, acting_user=user)
    document = Document.objects.get()
    assert (
        document.state,
        document.live,
        document.live_revision.number if document.live_revision else None,
        document.revision_number,
    ) == (
        Clearance.IN_CLEARANCE,
        True,
        1,
        2,
    )


def test_a_transcript_sent_back_to_draft_goes_to_clearance_again(transcript: Transcript, user: User) -> None:
    sent = editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    publishing.do_advance_document(sent.document, Clearance.DRAFT, acting_user=desk_user("clearer"))
    again = editor.check_send_to_clearance(fresh(transcript), version=1, acting_user=user)
    assert (again.outcome, Document.objects.get().state) == (editor.Sending.RESENT, Clearance.IN_CLEARANCE)


def test_a_deleted_document_is_made_again(transcript: Transcript, user: User) -> None:
    editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    publishing.do_discard_trip_documents(transcript.engagement.trip, acting_user=None)
    again = editor.check_send_to_clearance(fresh(transcript), version=1, acting_user=user)
    assert (again.outcome, Document.objects.count()) == (editor.Sending.CREATED, 1)


def test_the_engagements_embargo_goes_with_the_document(engagement: Engagement, user: User) -> None:
    until = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    Engagement.objects.filter(pk=engagement.pk).update(embargo_until=until)
    transcript = stored(Engagement.objects.get(pk=engagement.pk), SHORT_TURNS)
    editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    assert Document.objects.get().embargo == until


def test_sending_is_refused_to_non_editors_over_a_newer_version_and_off_the_record(
    engagement: Engagement, transcript: Transcript, user: User
) -> None:
    with pytest.raises(editor.NotAnEditor):
        editor.check_send_to_clearance(transcript, version=1, acting_user=desk_user("clearer"))
    edit(transcript, 0, user, text="Good afternoon.")
    with pytest.raises(editor.StaleTranscript):
        editor.check_send_to_clearance(fresh(transcript), version=1, acting_user=user)
    Engagement.objects.filter(pk=engagement.pk).update(ground_rules="off_record")
    with pytest.raises(editor.EditorRefused, match="off the record"):
        editor.check_send_to_clearance(fresh(transcript), version=2, acting_user=user)
    assert Document.objects.count() == 0


def test_an_empty_transcript_is_refused_with_publishings_words(engagement: Engagement, user: User) -> None:
    transcript = stored(engagement, Made([Turn("marcus-adeyemi", ["Hello."], 0.0, 1.0)]))
    edit(transcript, 0, user, text="")
    with pytest.raises(editor.EditorRefused, match="the document has no text"):
        editor.check_send_to_clearance(fresh(transcript), version=2, acting_user=user)
    assert Document.objects.count() == 0


def test_a_long_engagement_title_is_shortened_to_fit_a_document_title(
    engagement: Engagement, user: User
) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(title="Ports " * 50)
    transcript = stored(Engagement.objects.get(pk=engagement.pk), SHORT_TURNS)
    editor.check_send_to_clearance(transcript, version=1, acting_user=user)
    title = Document.objects.get().title
    assert (len(title), title[-1], title[:18]) == (300, "…", "Transcript: Ports ")


HEARD = [
    (0.2, "Good afternoon."),
    (1.4, "Envoy Brant"),
    (2.4, "will take questions."),
    (6.0, "Thank you. We were in"),
    (8.0, "Sudad Juarez"),
    (9.0, "with the port staff."),
    (12.0, "Go ahead,"),
    (13.0, "Lucia Gonzales."),
]


def heard_words(*_: object) -> list[Word]:
    """What a recogniser might hear in the short availability: near misses of three of its names."""
    words = []
    for start, run in HEARD:
        for n, text in enumerate(run.split()):
            words.append(Word(start + n * 0.3, start + n * 0.3 + 0.25, " " + text, 0.8))
    return words


def test_every_change_of_the_correction_pass_can_be_undone(
    rehearsed, tmp_path, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The pipeline's own correction pass and stored form, on the rehearsed audio, with the words
    the recogniser hears given (what tiny.en hears changes with its prompt)."""
    monkeypatch.setattr(engine, "recognise", heard_words)
    engagement = import_script_trip(SHORT)
    rehearsal = rehearsed(SHORT)
    turns = tmp_path / "turns.tsv"
    turns.write_text(turns_tsv(rehearsal.spans), encoding="utf-8")
    body = pipeline.transcribe(engagement, pipeline.file_source(engagement, rehearsal.mix, turns))
    transcript = do_store_transcript(engagement, body)
    assert [(c["heard"], c["written"]) for c in body["corrections"]] == [
        ("Brant", "Brandt"),
        ("Sudad Juarez", "Ciudad Juárez"),
        ("Lucia Gonzales", "Lucía González"),
    ]
    for number in range(3):
        version = transcript.version
        transcript = editor.check_undo_correction(
            transcript, number, version=version, acting_user=user
        ).transcript
    assert [p["text"] for p in fresh(transcript).body["paragraphs"]] == [
        "Good afternoon. Envoy Brant will take questions.",
        "Thank you. We were in Sudad Juarez with the port staff.",
        "Go ahead, Lucia Gonzales.",
    ]
