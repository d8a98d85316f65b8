"""Taken questions to publishing: "Write the answer" drafts a taken-question document through
publishing's actions, linked back from the question, which stays on the staff list until that
document is published."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.factories.publishing import desk_user, publish
from tests.floor.conftest import Briefing, make_briefing, viewer
from virtualtrip.floor import actions
from virtualtrip.floor.models import Question
from virtualtrip.floor.queries import taken_questions
from virtualtrip.publishing.enums import Clearance, DocumentKind
from virtualtrip.publishing.models import Document

pytestmark = pytest.mark.django_db

ASKED = "¿Cuándo se publicará el informe sobre el <script>agua</script>?"


def taken(briefing: Briefing, owner: User, due: date | None = date(2031, 3, 4)) -> Question:
    isabel = viewer(briefing.journalists[0])
    question = actions.check_ask(isabel, briefing.engagement, ASKED)
    moderator = viewer(briefing.moderator)
    return actions.check_take_question(moderator, briefing.engagement, question.pk, owner.pk, due)


@pytest.fixture
def editor() -> tuple[User, Client]:
    user = desk_user("editor", "rédactrice")
    client = Client()
    client.force_login(user)
    return user, client


def answer_url(question: Question) -> str:
    return reverse("floor:answer", args=[question.engagement_id, question.pk])


def write(client: Client, taken: Question, **fields: str) -> object:
    data = {"title": "Taken question: water report", "question": ASKED, "body": "It comes out in **May**."}
    return client.post(answer_url(taken), {"date": "2031-03-02", **data, **fields})


def test_writing_the_answer_drafts_a_taken_question_document_linked_back(editor: tuple[User, Client]) -> None:
    user, client = editor
    briefing = make_briefing()
    question = taken(briefing, user)
    form = client.get(answer_url(question)).content.decode()
    assert "&lt;script&gt;agua&lt;/script&gt;" in form  # the question, prefilled, as text
    response = write(client, question)
    question.refresh_from_db()
    document = Document.objects.get()
    assert response["Location"] == reverse("admin:publishing_document_change", args=[document.pk])  # type: ignore[index]
    assert question.answer_document == document.pk
    assert (document.kind, document.state, document.engagement, document.question, document.date) == (
        DocumentKind.TAKEN_QUESTION_ANSWER,
        Clearance.DRAFT,
        briefing.engagement,
        ASKED,
        date(2031, 3, 2),
    )
    assert document.revisions.get().created_by == user


def test_a_taken_question_stays_listed_until_its_answer_is_published(editor: tuple[User, Client]) -> None:
    user, client = editor
    briefing = make_briefing()
    question = taken(briefing, user)
    [listed] = taken_questions(briefing.engagement, today=date(2031, 3, 5))
    assert (listed.question, listed.owner, listed.due, listed.overdue, listed.document) == (
        question,
        "rédactrice",
        date(2031, 3, 4),
        True,
        None,
    )
    write(client, question)
    document = Document.objects.get()
    [drafted] = taken_questions(briefing.engagement)
    assert (drafted.document, drafted.document_state) == (document.pk, Clearance.DRAFT)
    page = client.get(reverse("floor:staff", args=[briefing.engagement.pk])).content.decode()
    assert "Open the draft" in page
    publish(document)
    assert taken_questions(briefing.engagement) == []
    assert (
        "No question is waiting for an answer."
        in client.get(reverse("floor:staff", args=[briefing.engagement.pk])).content.decode()
    )


def test_writing_twice_makes_one_document(editor: tuple[User, Client]) -> None:
    user, client = editor
    question = taken(make_briefing(), user)
    first, second = write(client, question), write(client, question, body="Another draft")
    assert Document.objects.count() == 1
    assert first["Location"] == second["Location"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "   "}, "This field is required."),
        ({"title": "Réponse\x07"}, "the title contains a control character (U+0007)"),
        ({"question": "Quand\u2028?"}, "the question contains the LINE SEPARATOR character"),
        ({"date": "9999-01-01"}, "9999"),
    ],
)
def test_bad_answers_are_refused_by_field_and_nothing_is_written(
    editor: tuple[User, Client], fields: dict[str, str], message: str
) -> None:
    user, client = editor
    question = taken(make_briefing(), user)
    response = write(client, question, **fields)
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert message in page
    assert 'class="field invalid"' in page
    assert Document.objects.count() == 0
    question.refresh_from_db()
    assert question.answer_document is None


def test_staff_who_may_not_write_documents_are_told_and_nothing_is_written() -> None:
    staff = User.objects.create_user("stagiaire", password="a-long-test-password", is_staff=True)
    client = Client()
    client.force_login(staff)
    question = taken(make_briefing(), staff)
    response = write(client, question)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "may not write documents" in response.content.decode()  # type: ignore[attr-defined]
    assert Document.objects.count() == 0


def test_only_taken_questions_get_an_answer_page(editor: tuple[User, Client]) -> None:
    _user, client = editor
    briefing = make_briefing()
    waiting = actions.check_ask(viewer(briefing.journalists[1]), briefing.engagement, "还在排队的问题")
    assert client.get(answer_url(waiting)).status_code == 404
    assert write(client, waiting).status_code == 404  # type: ignore[attr-defined]
    assert Document.objects.count() == 0
