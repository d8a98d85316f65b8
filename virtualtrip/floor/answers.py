"""Answers to taken questions: "Write the answer" drafts a taken-question document in publishing,
through publishing's own actions (so its permissions and checks hold), and links it back from the
question. The question stays on the staff list until that document is published."""

from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from virtualtrip.floor.enums import QuestionState
from virtualtrip.floor.models import Question
from virtualtrip.publishing import actions as publishing
from virtualtrip.publishing.enums import DocumentKind
from virtualtrip.publishing.problems import DocumentInputError, FieldProblem

Actor = User | AnonymousUser | None


class AlreadyDrafted(Exception):
    """The question already has an answer document (a second click, another tab)."""

    def __init__(self, document: int) -> None:
        self.document = document
        super().__init__(f"document {document}")


@transaction.atomic
def check_write_answer(
    question: Question, *, title: str, asked: str, body: str, day: date, acting_user: Actor
) -> int:
    """The id of a new draft taken-question answer for `question`.

    DocumentInputError (by field: title, question, body, date) or WorkflowRefused (the user may not
    write documents) as publishing says; AlreadyDrafted when the question has its answer document.
    Side effects: a draft document (publishing) and `question.answer_document`."""
    if question.state != QuestionState.TAKEN:
        raise DocumentInputError([FieldProblem("question", "only a taken question gets a written answer")])
    if question.answer_document is not None:
        raise AlreadyDrafted(question.answer_document)
    engagement = question.engagement
    checked = publishing.check_create_document(
        engagement.trip,
        publishing.DocumentPlace(kind=DocumentKind.TAKEN_QUESTION_ANSWER, engagement=engagement.key),
        publishing.DocumentText(title=title, date=day, body=body, question=asked),
        acting_user=acting_user,
    )
    document = publishing.do_create_document(checked, acting_user=acting_user)
    linked = Question.objects.filter(pk=question.pk, answer_document__isnull=True).update(
        answer_document=document.pk
    )
    if not linked:  # another request linked its own draft first: this one is rolled back
        drafted = Question.objects.values_list("answer_document", flat=True).get(pk=question.pk)
        raise AlreadyDrafted(drafted or 0)
    question.answer_document = document.pk
    return document.pk
