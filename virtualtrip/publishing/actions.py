"""The only writers of documents.

`check_*` validates the input and the person's permission and raises before anything is written;
`do_*` writes in one transaction and records who did it. The web interface and the command line call
the same pairs, so a rule holds wherever a document is touched.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation

from virtualtrip.publishing.attachments import AttachmentRefused, attachment_type
from virtualtrip.publishing.enums import ORIGINAL_LANGUAGE, Clearance, DocumentKind, Language
from virtualtrip.publishing.markdown import escape_markdown, render_markdown
from virtualtrip.publishing.models import Attachment, ClearanceStep, Document, Revision
from virtualtrip.publishing.problems import DocumentInputError, EditConflict, FieldProblem, WorkflowRefused
from virtualtrip.trips.models import Destination, Engagement, Trip
from virtualtrip.trips.schedule import public_schedule
from virtualtrip.trips.times import check_year
from virtualtrip.trips.validators import text_problem

Actor = User | AnonymousUser | None


@dataclass(frozen=True)
class DocumentText:
    """What an editor writes; every save of it is kept as a revision."""

    title: str
    date: date
    body: str
    question: str = ""
    embargo: datetime | None = None


@dataclass(frozen=True)
class DocumentPlace:
    """Where a new document belongs: its kind and language, and what it is about."""

    kind: str
    language: str = ORIGINAL_LANGUAGE
    destination: str | None = None
    engagement: str | None = None
    translation_of: int | None = None


@dataclass(frozen=True)
class CheckedDocument:
    trip: Trip
    kind: str
    language: str
    destination: Destination | None
    engagement: Engagement | None
    translation_of: Document | None
    text: DocumentText


# (from, to) → the permission that step needs. Any other step is refused.
STEPS: dict[tuple[str, str], str] = {
    (Clearance.DRAFT, Clearance.IN_CLEARANCE): "publishing.change_document",
    (Clearance.IN_CLEARANCE, Clearance.DRAFT): "publishing.clear_document",
    (Clearance.IN_CLEARANCE, Clearance.CLEARED): "publishing.clear_document",
    (Clearance.CLEARED, Clearance.DRAFT): "publishing.clear_document",
    (Clearance.CLEARED, Clearance.PUBLISHED): "publishing.publish_document",
    (Clearance.PUBLISHED, Clearance.DRAFT): "publishing.publish_document",
}
PERMISSION_WORDS = {
    "publishing.add_document": "write documents (the Editors group)",
    "publishing.change_document": "edit documents and send them to clearance (the Editors group)",
    "publishing.clear_document": "clear documents (the Clearers group)",
    "publishing.publish_document": "publish documents (the Publishers group)",
}


def _who(user: Actor) -> str:
    return user.get_username() if user is not None and user.is_authenticated else "an anonymous visitor"


def _require(user: Actor, permission: str) -> None:
    if user is None or not user.is_authenticated or not user.is_active or not user.has_perm(permission):
        raise WorkflowRefused(f"{_who(user)} may not {PERMISSION_WORDS[permission]}.")


def _character_problems(text: DocumentText) -> list[FieldProblem]:
    """Characters no stored text may hold (a NUL, which PostgreSQL refuses; control characters,
    which make feeds invalid), by the rule the trip files follow."""
    fields = {"title": text.title, "body": text.body, "question": text.question}
    found = {field: text_problem(value) for field, value in fields.items()}
    return [FieldProblem(field, f"the {field} {problem}") for field, problem in found.items() if problem]


def _check_text(
    text: DocumentText, kind: str, *, now: datetime, kept_embargo: datetime | None
) -> list[FieldProblem]:
    problems = _character_problems(text)
    if not text.title.strip():
        problems.append(FieldProblem("title", "a document needs a title"))
    elif len(text.title) > 300:
        problems.append(FieldProblem("title", f"{len(text.title)} characters: a title has at most 300"))
    if not text.body.strip():
        problems.append(FieldProblem("body", "the document has no text"))
    if kind == DocumentKind.TAKEN_QUESTION_ANSWER and not text.question.strip():
        problems.append(FieldProblem("question", "a taken-question answer needs the question it answers"))
    if kind != DocumentKind.TAKEN_QUESTION_ANSWER and text.question.strip():
        problems.append(FieldProblem("question", "only a taken-question answer has a question"))
    problems += _year_problems(text)
    embargo = text.embargo
    if embargo is not None and timezone.is_naive(embargo):
        problems.append(
            FieldProblem("embargo", "give the embargo with its offset, e.g. 2021-03-01T09:00-05:00")
        )
    elif embargo is not None and embargo != kept_embargo and embargo <= now:
        problems.append(
            FieldProblem(
                "embargo", f"{embargo.isoformat()} has passed: an embargo must be a time still to come"
            )
        )
    return problems


def _year_problems(text: DocumentText) -> list[FieldProblem]:
    """A date or an embargo far outside any trip (year 9999) would overflow wherever it is shown."""
    problems = []
    for name, day in (("date", text.date), ("embargo", text.embargo.date() if text.embargo else None)):
        try:
            if day is not None:
                check_year(day)
        except ValueError as error:
            problems.append(FieldProblem(name, str(error)))
    return problems


def _language_problem(language: str) -> FieldProblem | None:
    if language in Language.values:
        return None
    known = ", ".join(Language.values)
    return FieldProblem("language", f"unknown language {language!r}: expected one of {known}")


def check_create_document(
    trip: Trip, place: DocumentPlace, text: DocumentText, *, acting_user: Actor, now: datetime | None = None
) -> CheckedDocument:
    """The document to create, checked; `DocumentInputError` lists everything wrong at once.

    `acting_user=None` is the command line run on the server, which may write drafts.
    """
    if acting_user is not None:
        _require(acting_user, "publishing.add_document")
    problems: list[FieldProblem] = []
    if place.kind not in DocumentKind.values:
        problems.append(
            FieldProblem(
                "kind", f"unknown kind {place.kind!r}: expected one of {', '.join(DocumentKind.values)}"
            )
        )
    language_problem = _language_problem(place.language)
    problems += [language_problem] if language_problem else []
    original = _check_original(trip, place, problems)
    destination, engagement = _check_subject(trip, place, original, problems)
    kind = original.kind if original else place.kind
    problems += _check_text(text, kind, now=now or timezone.now(), kept_embargo=None)
    if problems:
        raise DocumentInputError(problems)
    return CheckedDocument(trip, kind, place.language, destination, engagement, original, text)


def _check_original(trip: Trip, place: DocumentPlace, problems: list[FieldProblem]) -> Document | None:
    if place.translation_of is None:
        if place.language != ORIGINAL_LANGUAGE and place.language in Language.values:
            problems.append(
                FieldProblem(
                    "translation_of", "a Spanish or French document is a translation: name its original's id"
                )
            )
        return None
    original = Document.objects.filter(pk=place.translation_of, trip=trip).first()
    if original is None:
        problems.append(
            FieldProblem("translation_of", f"no document {place.translation_of} in trip '{trip.slug}'")
        )
    elif original.translation_of_id is not None or original.language != ORIGINAL_LANGUAGE:
        problems.append(
            FieldProblem(
                "translation_of", f"document {original.pk} is itself a translation: name the English original"
            )
        )
    elif place.language == ORIGINAL_LANGUAGE:
        problems.append(
            FieldProblem("language", "a translation is in Spanish or French, not in the original's English")
        )
    elif original.translations.filter(language=place.language).exists():
        problems.append(
            FieldProblem(
                "translation_of",
                f"document {original.pk} already has a {Language(place.language).label} version",
            )
        )
    elif place.kind != original.kind:
        problems.append(FieldProblem("kind", f"a translation keeps its original's kind ({original.kind})"))
    else:
        return original
    return None


def _check_subject(
    trip: Trip, place: DocumentPlace, original: Document | None, problems: list[FieldProblem]
) -> tuple[Destination | None, Engagement | None]:
    """The destination and engagement the document is about; a translation takes its original's."""
    if original is not None:
        return original.destination, original.engagement
    engagement = None
    if place.engagement:
        engagement = trip.engagements.select_related("destination").filter(key=place.engagement).first()
        if engagement is None:
            problems.append(
                FieldProblem("engagement", f"no engagement '{place.engagement}' in trip '{trip.slug}'")
            )
    destination = engagement.destination if engagement else None
    if place.destination:
        found = [d for d in trip.destinations.all() if d.country == place.destination.upper()]
        if not found:
            problems.append(
                FieldProblem("destination", f"trip '{trip.slug}' does not visit {place.destination!r}")
            )
        elif engagement is not None and engagement.destination not in found:
            problems.append(
                FieldProblem(
                    "destination",
                    f"engagement '{engagement.key}' takes place in {engagement.destination.country}, "
                    f"not {place.destination}",
                )
            )
        else:
            destination = destination or found[0]
    return destination, engagement


def _new_revision(document: Document, text: DocumentText, user: Actor) -> Revision:
    document.revision_number += 1
    return Revision.objects.create(
        document=document,
        number=document.revision_number,
        title=text.title.strip(),
        date=text.date,
        body=text.body,
        body_html=render_markdown(text.body),
        question=text.question.strip(),
        embargo=text.embargo,
        created_by=_user_or_none(user),
    )


def _user_or_none(user: Actor) -> User | None:
    return user if isinstance(user, User) else None


def _apply_text(document: Document, text: DocumentText) -> None:
    document.title = text.title.strip()
    document.date = text.date
    document.body = text.body
    document.question = text.question.strip()
    document.embargo = text.embargo


@transaction.atomic
def do_create_document(checked: CheckedDocument, *, acting_user: Actor) -> Document:
    """Create the document as a draft with its first revision."""
    document = Document(
        trip=checked.trip,
        destination=checked.destination,
        engagement=checked.engagement,
        kind=checked.kind,
        language=checked.language,
        translation_of=checked.translation_of,
    )
    _apply_text(document, checked.text)
    document.save()
    _new_revision(document, checked.text, acting_user)
    document.save(update_fields=["revision_number"])
    return document


def _conflict_message(document: Document, base_revision: int) -> str:
    latest = document.revisions.select_related("created_by").get(number=document.revision_number)
    who = latest.created_by.get_username() if latest.created_by else "the command line"
    return (
        f"“{document.title}” was saved by {who} at {latest.created_at:%H:%M:%S} UTC (revision "
        f"{latest.number}) after you opened revision {base_revision}. Your changes were not saved: "
        "compare the two revisions, then apply your changes to the latest one."
    )


def check_edit_document(
    document: Document,
    text: DocumentText,
    *,
    base_revision: int,
    acting_user: Actor,
    now: datetime | None = None,
) -> None:
    """Raise unless `acting_user` may save `text` over revision `base_revision` of the document."""
    if acting_user is not None:
        _require(acting_user, "publishing.change_document")
    if base_revision != document.revision_number:
        raise EditConflict(_conflict_message(document, base_revision))
    problems = _check_text(text, document.kind, now=now or timezone.now(), kept_embargo=document.embargo)
    if problems:
        raise DocumentInputError(problems)


@transaction.atomic
def do_edit_document(
    document: Document, text: DocumentText, *, base_revision: int, acting_user: Actor
) -> Revision:
    """Save a new revision. Changed text needs clearing again: a document past draft goes back to it
    (a live one stays live, as it was published, until the new text is published)."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.revision_number != base_revision:
        raise EditConflict(_conflict_message(locked, base_revision))
    _apply_text(locked, text)
    revision = _new_revision(locked, text, acting_user)
    if locked.state != Clearance.DRAFT:
        _record_step(locked, revision, Clearance.DRAFT, acting_user, "edited: clearance starts again")
    locked.save()
    document.refresh_from_db()
    return revision


def _record_step(document: Document, revision: Revision, to: str, user: Actor, note: str) -> ClearanceStep:
    step = ClearanceStep.objects.create(
        document=document,
        revision=revision,
        from_state=document.state,
        to_state=to,
        by=_user_or_none(user),
        at=timezone.now(),
        note=note,
    )
    document.state = to
    return step


def check_advance_document(document: Document, to: str, *, acting_user: Actor) -> None:
    """Raise `WorkflowRefused` unless the document can take this step and the person may take it."""
    if to not in Clearance.values:
        raise WorkflowRefused(f"unknown state {to!r}: expected one of {', '.join(Clearance.values)}")
    here = Clearance(document.state)
    if to == here == Clearance.DRAFT and document.live:
        raise WorkflowRefused(
            f"document {document.pk} is already {here.label.lower()}; its published revision is still "
            "public: withdraw the document to take it down"
        )
    if to == here:
        raise WorkflowRefused(f"document {document.pk} is already {here.label.lower()}")
    permission = STEPS.get((here, Clearance(to)))
    if permission is None:
        if to == Clearance.PUBLISHED:
            raise WorkflowRefused(
                f"document {document.pk} is {here.label.lower()}: only a cleared document can be published. "
                "Send it to clearance and have a clearer clear it first."
            )
        raise WorkflowRefused(
            f"document {document.pk} cannot go from {here.label.lower()} to {Clearance(to).label.lower()}"
        )
    _require(acting_user, permission)


@transaction.atomic
def do_advance_document(
    document: Document, to: str, *, acting_user: Actor, note: str = "", now: datetime | None = None
) -> ClearanceStep:
    """Move the document one step, recording who and when.

    Publishing makes the current revision the live one and its embargo the time it goes live;
    taking a published document back to draft withdraws it from every public surface.
    """
    now = now or timezone.now()
    locked = Document.objects.select_for_update().get(pk=document.pk)
    check_advance_document(locked, to, acting_user=acting_user)
    revision = locked.revisions.get(number=locked.revision_number)
    was_live = locked.state == Clearance.PUBLISHED
    step = _record_step(locked, revision, to, acting_user, note)
    if to == Clearance.PUBLISHED:
        _go_live(locked, revision, now)
    elif was_live:
        locked.live = False
    locked.save()
    document.refresh_from_db()
    return step


def original_embargo(document: Document) -> datetime | None:
    """The time before which a translation may not be public: the later of its original's live
    embargo and the one the original's working text carries (not yet published, perhaps)."""
    original = document.translation_of
    if original is None:
        return None
    times = [time for time in (original.go_live_at if original.live else None, original.embargo) if time]
    return max(times, default=None)


def _go_live(document: Document, revision: Revision, now: datetime) -> None:
    """A translation never goes live before its original: it takes the later of the two embargoes."""
    embargoes = [time for time in (revision.embargo, original_embargo(document)) if time is not None]
    embargo = max(embargoes, default=None)
    public_from = max(now, embargo) if embargo else now
    document.live = True
    document.live_revision = revision
    document.go_live_at = embargo
    document.first_published_at = document.first_published_at or public_from
    document.last_published_at = public_from
    document.attachments.update(published=True)


def check_withdraw_document(document: Document, *, acting_user: Actor) -> None:
    """Raise `WorkflowRefused` unless the document is public and the person may publish."""
    if not document.live:
        raise WorkflowRefused(f"document {document.pk} is not published: there is nothing to withdraw")
    _require(acting_user, "publishing.publish_document")


@transaction.atomic
def do_withdraw_document(document: Document, *, acting_user: Actor, note: str = "") -> ClearanceStep:
    """Take a live document off every public surface at once, whatever its newer text's state.

    A published document goes back to draft; one whose edited text is on its way through clearance
    keeps its place there, so the new text can still be cleared and published. The step is recorded.
    """
    locked = Document.objects.select_for_update().get(pk=document.pk)
    check_withdraw_document(locked, acting_user=acting_user)
    revision = locked.revisions.get(number=locked.revision_number)
    stays = Clearance.DRAFT if locked.state == Clearance.PUBLISHED else locked.state
    step = _record_step(locked, revision, stays, acting_user, note or "withdrawn from publication")
    locked.live = False
    locked.save()
    document.refresh_from_db()
    return step


def check_add_attachment(document: Document, upload: UploadedFile, *, acting_user: Actor) -> str:
    """The attachment's content type, once the person may add it and the file is acceptable."""
    if acting_user is not None:
        _require(acting_user, "publishing.change_document")
    try:
        return attachment_type(upload)
    except AttachmentRefused as refused:
        raise DocumentInputError([FieldProblem("attachment", str(refused))]) from None


@transaction.atomic
def do_add_attachment(
    document: Document, upload: UploadedFile, content_type: str, *, title: str, acting_user: Actor
) -> Attachment:
    """Attach a file. It is public only once the document is next published; a document past draft
    goes back to draft, since what is published changes."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    attachment = Attachment.objects.create(
        document=locked,
        title=title.strip() or (upload.name or "attachment"),
        file=upload,
        content_type=content_type,
        size_bytes=upload.size or 0,
        position=locked.attachments.count(),
    )
    if locked.state != Clearance.DRAFT:
        revision = locked.revisions.get(number=locked.revision_number)
        _record_step(locked, revision, Clearance.DRAFT, acting_user, f"attachment added: {attachment.title}")
        locked.save()
    document.refresh_from_db()
    return attachment


def draft_public_schedule_text(trip: Trip, day: date) -> DocumentText:
    """The day's public schedule from the itinerary, as Markdown an editor can correct. Always in
    English, the original language, whatever language the editor's interface speaks."""
    with translation.override(ORIGINAL_LANGUAGE):
        return _schedule_text(trip, day)


def _schedule_text(trip: Trip, day: date) -> DocumentText:
    schedule = public_schedule(trip, day)
    lines = [f"**{escape_markdown(schedule.principal)}**", ""] if schedule.principal else []
    lines += [f"*All times are {escape_markdown(schedule.zone_place)} time ({schedule.zone.key}).*", ""]
    for line in schedule.lines:
        lines += [
            f"**{line.clock}** — {escape_markdown(line.title)}\\",
            f"{escape_markdown(line.place)}\\",
            line.coverage,
            "",
        ]
    if not schedule.lines:
        lines.append("No public engagements.")
    title = f"Public Schedule for {day:%A, %B} {day.day}, {day.year}"
    return DocumentText(title=title, date=day, body="\n".join(lines).strip() + "\n")


@transaction.atomic
def do_draft_public_schedule(trip: Trip, day: date, *, acting_user: Actor) -> Document:
    """Create the day's public schedule as a draft, or, when the day has one, save the itinerary's
    current version as its new revision (a published one stays live until republished)."""
    if acting_user is not None:
        _require(acting_user, "publishing.add_document")
    text = draft_public_schedule_text(trip, day)
    existing = Document.objects.filter(
        trip=trip, kind=DocumentKind.PUBLIC_SCHEDULE, date=day, translation_of__isnull=True
    ).first()
    if existing is None:
        checked = CheckedDocument(
            trip, DocumentKind.PUBLIC_SCHEDULE, ORIGINAL_LANGUAGE, None, None, None, text
        )
        return do_create_document(checked, acting_user=acting_user)
    if existing.body != text.body or existing.title != text.title:
        do_edit_document(existing, text, base_revision=existing.revision_number, acting_user=acting_user)
    return existing


@transaction.atomic
def do_discard_trip_documents(trip: Trip, *, acting_user: Actor) -> int:
    """Delete every document of the trip, with its revisions, steps and attachments (used to reload
    the demo trip; a real trip keeps its record). Returns how many documents went."""
    documents = Document.objects.filter(trip=trip)
    count = documents.count()
    ClearanceStep.objects.filter(document__trip=trip).delete()
    documents.filter(translation_of__isnull=False).delete()
    documents.delete()
    return count
