"""The transcript editor's actions: an editor fixes a paragraph's text and its speaker, undoes a
change of the correction pass, and sends the transcript to clearance as a publishing document.

Every change names the version of the transcript the editor opened (`Transcript.version`); a change
made over a newer version is refused and says so, so that two editors, or an editor and a new
transcription, never overwrite each other without knowing. Only these functions and
`actions.do_store_transcript` write a transcript.

Who may edit: staff who may edit documents in publishing (the Editors group), since what they edit
becomes a document; sending it also takes publishing's own permission checks."""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrPromise

from virtualtrip.floor.people import hides_names
from virtualtrip.publishing import actions as publishing
from virtualtrip.publishing.enums import ORIGINAL_LANGUAGE, Clearance, DocumentKind
from virtualtrip.publishing.markdown import escape_markdown
from virtualtrip.publishing.models import Document
from virtualtrip.publishing.problems import DocumentInputError, EditConflict, WorkflowRefused
from virtualtrip.speech.corrections import WITHHELD
from virtualtrip.speech.jobs import open_job
from virtualtrip.speech.models import Transcript
from virtualtrip.speech.speakers import MODERATOR, QUESTION, Speaker, speakers_for
from virtualtrip.trips.enums import GroundRules
from virtualtrip.trips.models import Engagement, Participant, Person
from virtualtrip.trips.validators import text_problem

Actor = User | AnonymousUser | None
Body = dict[str, Any]

TEXT_MAX_CHARACTERS = 20_000
"""A paragraph's text at most: a long answer is a few thousand characters."""
EDIT_PERMISSION = "publishing.change_document"
TITLE_MAX_CHARACTERS = 300
"""Publishing's limit on a document's title."""
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""The embeddings, overrides and isolates of Unicode's bidirectional algorithm: typed into a
paragraph they would show its words in an order other than the one stored, exported and published.
The marks (U+200E, U+200F, U+061C) are kept: they change no order but a neutral character's."""
SAME_TIME_S = 0.002
"""Times closer than this are the same time (the stored paragraphs' times are rounded to 1 ms)."""


class EditorRefused(Exception):
    """The change cannot be made; the message says why, for the editor at the screen."""

    status = 400


class NotAnEditor(EditorRefused):
    status = 403


class StaleTranscript(EditorRefused):
    status = 409


class NothingThere(EditorRefused):
    """No such paragraph or correction in the transcript."""

    status = 404


def may_edit(user: Actor) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(EDIT_PERMISSION)
    )


def _require_editor(user: Actor) -> None:
    if not may_edit(user):
        raise NotAnEditor(
            _("Only editors (the Editors group) may change a transcript or send it to clearance.")
        )


def _require_version(transcript: Transcript, version: int) -> None:
    if transcript.version == version:
        return
    by = transcript.edited_by or _("a new transcription")
    raise StaleTranscript(
        _(
            "This transcript changed after you opened it (you have version %(yours)s, it is now at "
            "version %(now)s, saved by %(by)s). Your change was not saved: reload the page to see the "
            "latest text, then make your change again."
        )
        % {"yours": version, "now": transcript.version, "by": by}
    )


RULES_THEN: dict[str, StrPromise] = {
    GroundRules.ON_RECORD: gettext_lazy("on the record"),
    GroundRules.OFF_RECORD: gettext_lazy("off the record"),
}


def withheld_reason(transcript: Transcript) -> str | None:
    """Why the draft may not be shown, exported, edited or sent, or None when it may: a draft made
    while the engagement was not on background names the briefer (their label, their id, the names
    the correction pass wrote), and once the engagement is on background nothing may show it. Only a
    new transcription, made on background, gives a draft that may be used."""
    engagement = transcript.engagement
    if not hides_names(engagement):
        return None
    rules = transcript.body.get("ground_rules")
    then = rules.get("rule") if isinstance(rules, dict) else None
    if then == GroundRules.BACKGROUND:
        return None
    made = RULES_THEN.get(then) if isinstance(then, str) else None
    return _(
        "This draft was made while the engagement was %(then)s, and the engagement is now on "
        "background: the draft may name the briefer, so it is not shown, exported, edited or sent to "
        "clearance. Transcribe it again to have a draft made on background (the transcription page "
        "has the button), then edit that one."
    ) % {"then": made or _("under other ground rules")}


def _require_usable(transcript: Transcript) -> None:
    reason = withheld_reason(transcript)
    if reason is not None:
        raise StaleTranscript(reason)


class BeingRemade(EditorRefused):
    status = 409


def remaking_reason(transcript: Transcript) -> str | None:
    """Why the draft may not be changed now, or None: a transcription waiting or running replaces it
    whole when it is done, edits included (`actions.do_store_transcript`), so a change made now
    would be lost without a word."""
    if open_job(transcript.engagement, transcript.language) is None:
        return None
    return _(
        "A new transcription of this recording is waiting or running: once done it replaces this "
        "draft, edits included, so nothing can be changed until then. Reload the page when it is done."
    )


def _require_no_new_transcription(transcript: Transcript) -> None:
    reason = remaking_reason(transcript)
    if reason is not None:
        raise BeingRemade(reason)


def _locked(transcript: Transcript, version: int | None) -> Transcript:
    """The transcript's row, locked until the transaction ends, at the version the editor opened
    (unless `version` is None: the caller checks it)."""
    locked = Transcript.objects.select_for_update().select_related("engagement__trip").get(pk=transcript.pk)
    if version is not None:
        _require_version(locked, version)
    return locked


def _save(locked: Transcript, body: Body, user: Actor, into: Transcript) -> Transcript:
    """Write `body` as the next version, recording who changed it; `into` (the caller's copy) is
    brought up to date. The write names the version it replaces: where the row lock is no lock
    (SQLite), a save that came in between is still not overwritten."""
    written = Transcript.objects.filter(pk=locked.pk, version=locked.version).update(
        body=body,
        version=F("version") + 1,
        edited_at=timezone.now(),
        edited_by=user.get_username() if user is not None and user.is_authenticated else "",
    )
    if not written:
        _require_version(Transcript.objects.get(pk=locked.pk), locked.version)
    into.refresh_from_db()
    return into


# Speakers -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerChoice:
    value: str
    """What the editor's form sends: `person:<trip-file id>` or `label:<LABEL>`."""
    speaker: Speaker
    shown: str
    """How the choice reads in the list: the label, and the person's name where it may be shown."""


def _choice(speaker: Speaker, people: dict[str, Person]) -> SpeakerChoice:
    if speaker.person is None:
        return SpeakerChoice(f"label:{speaker.label}", speaker, speaker.label)
    person = people.get(speaker.person)
    name = person.name if person is not None else ""
    shown = f"{speaker.label} — {name}" if name and name.upper() != speaker.label else speaker.label
    return SpeakerChoice(f"person:{speaker.person}", speaker, shown)


def speaker_choices(engagement: Engagement, body: Body) -> list[SpeakerChoice]:
    """Whom a paragraph may be given to: the engagement's people as its transcript names them (on
    background the briefer is the attribution, never their name or id), MODERATOR and QUESTION, and
    any speaker the transcript already has (PARTICIPANT, for words no record attributed)."""
    named = speakers_for(engagement)
    taking_part = set(Participant.objects.filter(engagement=engagement).values_list("person__key", flat=True))
    people = {p.key: p for p in Person.objects.filter(trip=engagement.trip)}
    speakers = [named[key] for key in named if key in taking_part]
    speakers += [Speaker(MODERATOR), Speaker(QUESTION)]
    for paragraph in body.get("paragraphs", []):
        person = paragraph.get("person")
        known = named.get(person) if person else None
        speakers.append(known if known is not None else Speaker(paragraph["speaker"]))
    choices: dict[str, SpeakerChoice] = {}
    for speaker in speakers:
        choice = _choice(speaker, people)
        choices.setdefault(choice.value, choice)
    return list(choices.values())


def choice_value(paragraph: Body) -> str:
    """The choice a paragraph's speaker is in the editor's list."""
    person = paragraph.get("person")
    return f"person:{person}" if person else f"label:{paragraph['speaker']}"


def _chosen_speaker(engagement: Engagement, body: Body, value: str) -> Speaker:
    for choice in speaker_choices(engagement, body):
        if choice.value == value:
            return choice.speaker
    raise EditorRefused(_("Choose the speaker from the list: “%(value)s” is not one.") % {"value": value})


# Paragraphs -----------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """The paragraph's text as it is stored: plain text, line breaks kept, spaces at its ends dropped.
    EditorRefused for text too long or with characters no stored text may hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    problem = text_problem(text)
    if problem:
        raise EditorRefused(_("The text %(problem)s.") % {"problem": problem})
    control = BIDI_CONTROL.search(text)
    if control is not None:
        raise EditorRefused(
            _(
                "The text contains an invisible direction control (U+%(code)04X), which makes it read "
                "in another order than it is written: remove it. Right-to-left text needs none."
            )
            % {"code": ord(control.group())}
        )
    if len(text) > TEXT_MAX_CHARACTERS:
        raise EditorRefused(
            _("The text has %(count)s characters: a paragraph has at most %(most)s. Split it in two.")
            % {"count": len(text), "most": TEXT_MAX_CHARACTERS}
        )
    return text


def _paragraph(body: Body, index: int) -> Body:
    paragraphs = body.get("paragraphs", [])
    if not 0 <= index < len(paragraphs):
        raise NothingThere(_("The transcript has no paragraph %(number)s.") % {"number": index + 1})
    paragraph: Body = paragraphs[index]
    return paragraph


@dataclass(frozen=True)
class ParagraphEdit:
    index: int
    text: str
    speaker: Speaker
    version: int


def check_edit_paragraph(
    transcript: Transcript, index: int, *, text: str, speaker: str, version: int, acting_user: Actor
) -> Transcript:
    """Give paragraph `index` the text and the speaker (a `SpeakerChoice.value`) the editor wrote,
    over version `version`. EditorRefused (or a subclass) says why not."""
    _require_editor(acting_user)
    _require_usable(transcript)
    _require_no_new_transcription(transcript)
    _require_version(transcript, version)
    _paragraph(transcript.body, index)
    cleaned = clean_text(text)
    chosen = _chosen_speaker(transcript.engagement, transcript.body, speaker)
    return do_edit_paragraph(
        transcript, ParagraphEdit(index, cleaned, chosen, version), acting_user=acting_user
    )


@transaction.atomic
def do_edit_paragraph(transcript: Transcript, edit: ParagraphEdit, *, acting_user: Actor) -> Transcript:
    """Side effects: the paragraph has the text and speaker; the transcript's version goes up and it
    records who edited it and when. The recogniser's words and times are kept as they were."""
    locked = _locked(transcript, edit.version)
    body = locked.body
    paragraph = _paragraph(body, edit.index)
    paragraph["text"] = edit.text
    paragraph["speaker"] = edit.speaker.label
    paragraph["person"] = edit.speaker.person
    return _save(locked, body, acting_user, transcript)


# Corrections ----------------------------------------------------------------------------------------


def _correction(body: Body, index: int) -> Body:
    corrections = body.get("corrections", [])
    if not 0 <= index < len(corrections):
        raise NothingThere(_("The transcript has no correction %(number)s.") % {"number": index + 1})
    correction: Body = corrections[index]
    return correction


def _same_time(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) < SAME_TIME_S


@dataclass(frozen=True)
class Place:
    """Where a correction's written text is in the transcript: its paragraph and, of the paragraph's
    occurrences of that text, which one."""

    paragraph: int
    occurrence: int
    word: int | None


def correction_place(body: Body, correction: Body) -> Place | None:
    """The corrected word is one word of its paragraph, spanning the run of words it replaced."""
    written = correction["written"]
    for number, paragraph in enumerate(body.get("paragraphs", [])):
        words = paragraph.get("words", [])
        for at, word in enumerate(words):
            if (
                _same_time(word["start"], correction["start"])
                and _same_time(word["end"], correction["end"])
                and written in word["text"]
            ):
                before = "".join(w["text"] for w in words[:at])
                return Place(number, before.count(written), at)
    for number, paragraph in enumerate(body.get("paragraphs", [])):
        inside = float(paragraph["start"]) - SAME_TIME_S <= float(correction["start"])
        if inside and float(correction["end"]) <= float(paragraph["end"]) + SAME_TIME_S:
            return Place(number, 0, None) if written in paragraph["text"] else None
    return None


def _replaced(text: str, old: str, new: str, occurrence: int) -> str | None:
    """`text` with its `occurrence`-th `old` (from 0) written as `new`; None if it has not that many."""
    at = -1
    for _n in range(occurrence + 1):
        at = text.find(old, at + 1)
        if at < 0:
            return None
    return text[:at] + new + text[at + len(old) :]


def _write_heard_back(body: Body, correction: Body) -> int:
    """The paragraph and its corrected word read what was heard again; the paragraph's index."""
    written, heard = correction["written"], correction["heard"]
    place = correction_place(body, correction)
    if place is not None:
        paragraph = body["paragraphs"][place.paragraph]
        text = _replaced(paragraph["text"], written, heard, place.occurrence)
        if text is not None:
            paragraph["text"] = text
            if place.word is not None:
                word = paragraph["words"][place.word]
                word["text"] = word["text"].replace(written, heard, 1)
            return place.paragraph
    raise EditorRefused(
        _("“%(written)s” is no longer in the transcript where it was corrected: edit the text instead.")
        % {"written": written}
    )


def undoable(correction: Body) -> bool:
    return correction.get("kind") != WITHHELD and not correction.get("undone", False)


class Undo(StrEnum):
    UNDONE = "undone"
    ALREADY = "already"
    """It was undone before: nothing changed."""


@dataclass(frozen=True)
class Undone:
    transcript: Transcript
    outcome: Undo
    paragraph: int | None


def check_undo_correction(transcript: Transcript, index: int, *, version: int, acting_user: Actor) -> Undone:
    """Write back what the recogniser heard in place of correction `index`'s written text. A
    correction already undone is left as it is (a second click does nothing); a withheld name cannot
    be undone, what was heard is not kept."""
    _require_editor(acting_user)
    _require_usable(transcript)
    _require_no_new_transcription(transcript)
    correction = _correction(transcript.body, index)
    if correction.get("undone"):
        return Undone(transcript, Undo.ALREADY, None)
    if correction.get("kind") == WITHHELD:
        raise EditorRefused(
            _(
                "A withheld name cannot be undone: on background the briefer's name is never kept, "
                "so there is nothing to write back."
            )
        )
    _require_version(transcript, version)
    return do_undo_correction(transcript, index, version=version, acting_user=acting_user)


@transaction.atomic
def do_undo_correction(transcript: Transcript, index: int, *, version: int, acting_user: Actor) -> Undone:
    """Side effects: the paragraph reads what was heard where the correction wrote the trip's spelling,
    the correction is marked undone, the version goes up."""
    locked = _locked(transcript, None)
    body = locked.body
    correction = _correction(body, index)
    if correction.get("undone"):
        return Undone(transcript, Undo.ALREADY, None)
    _require_version(locked, version)
    number = _write_heard_back(body, correction)
    correction["undone"] = True
    _save(locked, body, acting_user, transcript)
    return Undone(transcript, Undo.UNDONE, number)


# Clearance ------------------------------------------------------------------------------------------

_LIST_MARK = re.compile(r"^(\d+)([.)])")


def _markdown_text(text: str) -> str:
    """Text that Markdown shows as written, even where a line would otherwise open a list or, with
    `~~~`, a block of code that would hold the rest of the document."""
    escaped = escape_markdown(text).replace("&", "\\&")
    if escaped.startswith("~"):
        escaped = "\\" + escaped
    return _LIST_MARK.sub(r"\1\\\2", escaped)


def as_markdown(body: Body) -> str:
    """The house style (as `exports.as_text`) in Markdown: each turn opened by its label in capitals,
    in bold; a turn the editor broke into lines is one paragraph a line, the label on the first."""
    blocks: list[str] = []
    for paragraph in body.get("paragraphs", []):
        lines = [line.strip() for line in paragraph["text"].splitlines() if line.strip()]
        if not lines:
            continue
        label = _markdown_text(paragraph["speaker"])
        blocks.append(f"**{label}:** {_markdown_text(lines[0])}")
        blocks += [_markdown_text(line) for line in lines[1:]]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _title(engagement: Engagement) -> str:
    opening = "Transcript: "
    title = engagement.title.strip()
    room = TITLE_MAX_CHARACTERS - len(opening)
    return opening + (title if len(title) <= room else title[: room - 1].rstrip() + "…")


def document_text(
    transcript: Transcript, document: Document | None, now: datetime
) -> publishing.DocumentText:
    """The transcript as a document: in English, the original language, dated the engagement's local
    day, under the engagement's embargo while it lasts."""
    engagement = transcript.engagement
    embargo = engagement.embargo_until
    kept = document.embargo if document is not None else None
    if embargo is not None and embargo <= now and embargo != kept:
        embargo = None
    day = timezone.localdate(engagement.starts_at, ZoneInfo(engagement.timezone))
    return publishing.DocumentText(
        title=_title(engagement), date=day, body=as_markdown(transcript.body), embargo=embargo
    )


class Sending(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    """The document had other text: it has the transcript's now, as a new revision."""
    RESENT = "resent"
    """Its text was the transcript's already, and it was back in draft."""
    UNCHANGED = "unchanged"
    """Its text was the transcript's already, and it is in clearance or past it: nothing changed."""


@dataclass(frozen=True)
class Sent:
    document: Document
    outcome: Sending


def _refusal(error: Exception) -> EditorRefused:
    if isinstance(error, WorkflowRefused):
        return NotAnEditor(str(error))
    if isinstance(error, EditConflict):
        return StaleTranscript(str(error))
    return EditorRefused(str(error))


def check_send_to_clearance(transcript: Transcript, *, version: int, acting_user: Actor) -> Sent:
    """Send the transcript, as the editor sees it (`version`), to clearance. The document is made the
    first time and given the transcript's text later; publishing's checks and permissions hold."""
    _require_editor(acting_user)
    _require_usable(transcript)
    _require_version(transcript, version)
    engagement = transcript.engagement
    if engagement.ground_rules == GroundRules.OFF_RECORD:
        raise EditorRefused(_("This engagement is off the record: its transcript is not for publication."))
    if transcript.language != ORIGINAL_LANGUAGE and original_document(transcript) is None:
        raise EditorRefused(
            _("Send the English transcript to clearance first: this one goes beside it, as its translation.")
        )
    try:
        return do_send_to_clearance(transcript, version=version, acting_user=acting_user)
    except (DocumentInputError, WorkflowRefused, EditConflict) as error:
        raise _refusal(error) from error


def original_document(transcript: Transcript) -> Document | None:
    """The English transcript's document, which a transcript in another language translates."""
    english = Transcript.objects.filter(engagement=transcript.engagement, language=ORIGINAL_LANGUAGE).first()
    if english is None or english.document_id is None:
        return None
    return Document.objects.filter(pk=english.document_id).first()


def _linked_document(transcript: Transcript) -> Document | None:
    if transcript.document_id is None:
        return None
    return Document.objects.select_for_update().filter(pk=transcript.document_id).first()


def _same_text(document: Document, text: publishing.DocumentText) -> bool:
    return (document.title, document.date, document.body, document.embargo) == (
        text.title,
        text.date,
        text.body,
        text.embargo,
    )


@transaction.atomic
def do_send_to_clearance(transcript: Transcript, *, version: int, acting_user: Actor) -> Sent:
    """Side effects (publishing's actions, each recording who acted): a transcript document made as a
    draft, or a new revision of the linked one where its text differs; then its step to in clearance
    (unless it is there or past it with this very text); `Transcript.document` links it. Nothing is
    public until publishing's clearers and publishers take it further."""
    locked = _locked(transcript, version)
    document = _linked_document(locked)
    text = document_text(locked, document, timezone.now())
    if document is None:
        original = original_document(locked) if locked.language != ORIGINAL_LANGUAGE else None
        place = publishing.DocumentPlace(
            kind=DocumentKind.TRANSCRIPT,
            language=locked.language,
            engagement=None if original else locked.engagement.key,
            translation_of=original.pk if original else None,
        )
        checked = publishing.check_create_document(
            locked.engagement.trip, place, text, acting_user=acting_user
        )
        document = publishing.do_create_document(checked, acting_user=acting_user)
        outcome = Sending.CREATED
    elif not _same_text(document, text):
        base = document.revision_number
        publishing.check_edit_document(document, text, base_revision=base, acting_user=acting_user)
        publishing.do_edit_document(document, text, base_revision=base, acting_user=acting_user)
        outcome = Sending.UPDATED
    elif document.state == Clearance.DRAFT:
        outcome = Sending.RESENT
    else:
        outcome = Sending.UNCHANGED
    if document.state == Clearance.DRAFT:
        publishing.check_advance_document(document, Clearance.IN_CLEARANCE, acting_user=acting_user)
        publishing.do_advance_document(
            document, Clearance.IN_CLEARANCE, acting_user=acting_user, note="sent from the transcript editor"
        )
    if locked.document_id != document.pk:
        Transcript.objects.filter(pk=locked.pk).update(document=document)
    transcript.refresh_from_db()
    return Sent(document, outcome)
