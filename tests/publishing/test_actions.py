"""The clearance workflow and its permissions, edits and their conflicts, and what a new document may be."""

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
