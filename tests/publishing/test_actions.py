"""The clearance workflow and its permissions, edits and their conflicts, and what a new document may be."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.factories.publishing import desk_user, draft, publish
from tests.factories.trips import DestinationFactory, EngagementFactory, TripFactory
from virtualtrip.publishing import actions
from virtualtrip.publishing.actions import DocumentPlace, DocumentText
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.models import Document
from virtualtrip.publishing.problems import DocumentInputError, EditConflict, WorkflowRefused

pytestmark = pytest.mark.django_db


def text(**changes: object) -> DocumentText:
    fields: dict[str, object] = {"title": "Readout", "date": date(2021, 2, 26), "body": "Text."}
    return DocumentText(**(fields | changes))  # type: ignore[arg-type]


def test_each_step_is_recorded_with_who_and_when() -> None:
    document = publish(draft())
    steps = [(s.from_state, s.to_state, s.by.username) for s in document.steps.all()]  # type: ignore[union-attr]
    assert steps == [
        ("draft", "in_clearance", "editor"),
        ("in_clearance", "cleared", "clearer"),
        ("cleared", "published", "publisher"),
    ]
    assert all(step.at is not None for step in document.steps.all())
    assert (document.state, document.live, document.live_revision.number) == ("published", True, 1)  # type: ignore[union-attr]


def test_an_editor_cannot_clear_or_publish() -> None:
    document = draft()
    editor = desk_user("editor")
    actions.do_advance_document(document, Clearance.IN_CLEARANCE, acting_user=editor)
    with pytest.raises(WorkflowRefused, match="editor may not clear documents"):
        actions.check_advance_document(document, Clearance.CLEARED, acting_user=editor)
    assert document.state == Clearance.IN_CLEARANCE


@pytest.mark.parametrize("start", [Clearance.DRAFT, Clearance.IN_CLEARANCE])
def test_publishing_without_clearance_is_refused_even_for_a_superuser(start: str) -> None:
    document = draft()
    boss = User.objects.create_superuser("boss", password="a-long-test-password")
    if start == Clearance.IN_CLEARANCE:
        actions.do_advance_document(document, start, acting_user=boss)
    with pytest.raises(WorkflowRefused, match="only a cleared document can be published"):
        actions.do_advance_document(document, Clearance.PUBLISHED, acting_user=boss)
    document.refresh_from_db()
    assert (document.state, document.live, document.steps.count()) == (start, False, int(start != "draft"))


def test_a_clearer_cannot_publish_and_an_anonymous_actor_cannot_step() -> None:
    document = draft()
    actions.do_advance_document(document, Clearance.IN_CLEARANCE, acting_user=desk_user("editor"))
    clearer = desk_user("clearer")
    actions.do_advance_document(document, Clearance.CLEARED, acting_user=clearer)
    with pytest.raises(WorkflowRefused, match="clearer may not publish documents"):
        actions.check_advance_document(document, Clearance.PUBLISHED, acting_user=clearer)
    with pytest.raises(WorkflowRefused, match="an anonymous visitor may not publish"):
        actions.check_advance_document(document, Clearance.PUBLISHED, acting_user=None)


def test_an_edit_after_clearance_sends_the_document_back_and_keeps_the_live_text() -> None:
    document = publish(draft(title="First"))
    actions.do_edit_document(
        document, text(title="Second"), base_revision=1, acting_user=desk_user("editor", "ed2")
    )
    assert (document.state, document.live, document.live_revision.title) == ("draft", True, "First")  # type: ignore[union-attr]
    assert document.steps.last().note == "edited: clearance starts again"  # type: ignore[union-attr]
    assert [r.title for r in document.revisions.all()] == ["First", "Second"]


def test_two_editors_saving_the_same_draft_get_a_conflict_not_an_overwrite() -> None:
    document = draft(title="Original")
    first, second = desk_user("editor", "first"), desk_user("editor", "second")
    actions.check_edit_document(document, text(title="Mine"), base_revision=1, acting_user=first)
    actions.do_edit_document(document, text(title="Mine"), base_revision=1, acting_user=first)
    with pytest.raises(
        EditConflict, match=r"saved by first at .* \(revision 2\) after you opened revision 1"
    ):
        actions.check_edit_document(document, text(title="Theirs"), base_revision=1, acting_user=second)
    with pytest.raises(EditConflict):
        actions.do_edit_document(document, text(title="Theirs"), base_revision=1, acting_user=second)
    document.refresh_from_db()
    assert (document.title, document.revision_number) == ("Mine", 2)


def test_a_new_document_lists_every_problem_and_creates_nothing() -> None:
    trip = TripFactory.create()
    place = DocumentPlace(kind="memo", language="de", engagement="nowhere")
    bad = text(title="", body=" ", embargo=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DocumentInputError) as caught:
        actions.check_create_document(trip, place, bad, acting_user=None)
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["kind", "language", "engagement", "title", "body", "embargo"]
    assert "unknown language 'de': expected one of en, es, fr" in str(caught.value)
    assert "has passed: an embargo must be a time still to come" in str(caught.value)
    assert Document.objects.filter(trip=trip).count() == 0


def test_a_translation_takes_its_originals_subject_and_only_one_per_language() -> None:
    engagement = EngagementFactory.create()
    original = draft(engagement.trip, engagement=engagement.key)
    spanish = draft(engagement.trip, translation_of=original.pk, language="es", title="Lectura")
    assert (spanish.engagement, spanish.destination, spanish.kind) == (
        engagement,
        engagement.destination,
        "readout",
    )
    with pytest.raises(DocumentInputError, match="already has a Español version"):
        draft(engagement.trip, translation_of=original.pk, language="es")
    with pytest.raises(DocumentInputError, match="is itself a translation"):
        draft(engagement.trip, translation_of=spanish.pk, language="fr")
    with pytest.raises(DocumentInputError, match="is a translation: name its original"):
        draft(engagement.trip, language="fr")


def test_destination_and_engagement_must_agree() -> None:
    engagement = EngagementFactory.create()
    DestinationFactory.create(trip=engagement.trip, country="CA", timezone="America/Toronto")
    with pytest.raises(DocumentInputError, match="takes place in MX, not CA"):
        draft(engagement.trip, engagement=engagement.key, destination="CA")
    assert draft(engagement.trip, destination="ca").destination.country == "CA"  # type: ignore[union-attr]


def test_a_taken_question_answer_needs_its_question() -> None:
    with pytest.raises(DocumentInputError, match="needs the question it answers"):
        draft(kind="taken_question_answer")
    answer = draft(kind="taken_question_answer", question="When will the border reopen?")
    assert answer.revisions.get().question == "When will the border reopen?"


def test_withdrawing_a_published_document_takes_it_offline() -> None:
    document = publish(draft())
    actions.do_advance_document(
        document, Clearance.DRAFT, acting_user=desk_user("publisher", "pub2"), note="error"
    )
    assert (document.state, document.live) == ("draft", False)


def test_an_edited_live_document_is_withdrawn_at_once_and_keeps_its_place_in_clearance() -> None:
    document = publish(draft(title="First"))
    actions.do_edit_document(document, text(title="Second"), base_revision=1, acting_user=None)
    publisher = User.objects.get(username="publisher")
    with pytest.raises(WorkflowRefused, match="is already draft; its published revision is still public"):
        actions.check_advance_document(document, Clearance.DRAFT, acting_user=publisher)
    actions.do_advance_document(
        document, Clearance.IN_CLEARANCE, acting_user=User.objects.get(username="editor")
    )
    step = actions.do_withdraw_document(document, acting_user=publisher)
    assert (document.state, document.live, document.live_revision.title) == ("in_clearance", False, "First")  # type: ignore[union-attr]
    assert (step.from_state, step.to_state, step.by, step.note) == (
        "in_clearance",
        "in_clearance",
        publisher,
        "withdrawn from publication",
    )


def test_a_published_document_withdrawn_goes_back_to_draft() -> None:
    document = publish(draft())
    actions.do_withdraw_document(document, acting_user=User.objects.get(username="publisher"), note="error")
    assert (document.state, document.live, document.steps.last().note) == ("draft", False, "error")  # type: ignore[union-attr]


def test_withdrawing_needs_a_live_document_and_a_publisher() -> None:
    document = draft()
    with pytest.raises(WorkflowRefused, match=f"document {document.pk} is not published: there is nothing"):
        actions.do_withdraw_document(document, acting_user=desk_user("publisher"))
    publish(document)
    with pytest.raises(WorkflowRefused, match="editor may not publish documents"):
        actions.do_withdraw_document(document, acting_user=User.objects.get(username="editor"))
    document.refresh_from_db()
    assert (document.state, document.live, document.steps.count()) == ("published", True, 3)


def test_a_translation_takes_its_originals_embargo_when_that_is_later() -> None:
    later = timezone.now() + timedelta(days=2)
    original = publish(draft(embargo=later))
    spanish = draft(original.trip, translation_of=original.pk, language="es", title="Lectura",
                    embargo=timezone.now() + timedelta(days=1))  # fmt: skip
    publish(spanish)
    assert (spanish.go_live_at, spanish.first_published_at) == (later, later)


NUL_PROBLEM = "contains the NUL character (U+0000), which cannot be stored: remove it"
NUL_TEXTS = {
    "title": text(title="Readout\x00"),
    "body": text(body="The two discussed\x00 trade."),
    "question": text(question="When?\x00"),
}


def nul_problems(trip: object, changed: DocumentText) -> list[tuple[str, str]]:
    place = DocumentPlace(kind="taken_question_answer")
    with pytest.raises(DocumentInputError) as caught:
        actions.check_create_document(trip, place, changed, acting_user=None)  # type: ignore[arg-type]
    return [(problem.field, problem.message) for problem in caught.value.problems]


@pytest.mark.parametrize("field", list(NUL_TEXTS))
def test_a_nul_character_in_the_text_is_refused(field: str) -> None:
    trip = TripFactory.create()
    changed = NUL_TEXTS[field] if field == "question" else replace(NUL_TEXTS[field], question="When?")
    assert nul_problems(trip, changed) == [(field, f"the {field} {NUL_PROBLEM}")]
    document = draft(trip)
    with pytest.raises(
        DocumentInputError, match=rf"{field}: the {field} contains the NUL character \(U\+0000\)"
    ):
        actions.check_edit_document(document, changed, base_revision=1, acting_user=None)
    assert Document.objects.filter(trip=trip).count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("field", list(NUL_TEXTS))
def test_a_nul_character_in_the_text_is_refused_on_postgresql(postgresql: None, field: str) -> None:
    test_a_nul_character_in_the_text_is_refused(field)
