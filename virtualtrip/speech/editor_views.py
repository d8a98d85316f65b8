"""The transcript editor's pages: the draft beside the room's audio, a paragraph's edit, undoing a
correction, sending to clearance; and the audio itself, for staff, in parts as the player seeks.

The editor's script posts its forms with `Accept: application/json` and is answered in JSON; the
same forms posted by a browser without the script get the page back with a message."""

import mimetypes
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from virtualtrip.publishing.enums import ORIGINAL_LANGUAGE, Language
from virtualtrip.publishing.models import Document
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.rooms.queries import recording_tracks, room_mix
from virtualtrip.speech import editor
from virtualtrip.speech.models import Transcript
from virtualtrip.speech.queries import transcript_of
from virtualtrip.speech.ranges import ranged_file_response
from virtualtrip.trips import queries as trip_queries
from virtualtrip.trips.display import times_sentence
from virtualtrip.trips.models import Engagement

KINDS = {
    "person": gettext_lazy("name"),
    "title": gettext_lazy("title"),
    "outlet": gettext_lazy("outlet"),
    "place": gettext_lazy("place"),
    "term": gettext_lazy("term"),
    "withheld": gettext_lazy("withheld name"),
}
"""A correction's kind as the list of corrections names it."""
SENT = {
    editor.Sending.CREATED: gettext_lazy("The transcript is in clearance as a new document."),
    editor.Sending.UPDATED: gettext_lazy(
        "The transcript document has the new text and is in clearance again."
    ),
    editor.Sending.RESENT: gettext_lazy("The transcript document is in clearance again."),
    editor.Sending.UNCHANGED: gettext_lazy(
        "Nothing to send: the transcript document already has this text and is past draft."
    ),
}


def clock(seconds: float) -> str:
    """'1:05', '1:02:05': where a paragraph starts in the recording."""
    whole = int(max(seconds, 0))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _engagement(engagement_id: int) -> Engagement:
    return get_object_or_404(Engagement.objects.select_related("trip"), pk=engagement_id)


def _language(request: HttpRequest) -> str:
    """The transcript's language the page or the form names (`language`), English when none; one the
    product does not publish in is not a page."""
    asked = request.POST if request.method == "POST" else request.GET
    language = asked.get("language") or ORIGINAL_LANGUAGE
    if language not in Language.values:
        raise Http404("No transcript in that language")
    return str(language)


def _transcript(engagement: Engagement, language: str = ORIGINAL_LANGUAGE) -> Transcript:
    found = transcript_of(engagement, language)
    if found is None:
        raise Http404("No transcript of this engagement in that language yet")
    return found


def _language_links(engagement: Engagement, language: str) -> list[dict[str, Any]]:
    """The engagement's transcripts by language, as the page offers them: English first."""
    made = set(Transcript.objects.filter(engagement=engagement).values_list("language", flat=True))
    return [
        {
            "code": code,
            "name": name,
            "url": _editor_url(engagement.pk, language=code),
            "current": code == language,
        }
        for code, name in Language.choices
        if code in made
    ]


def _mix(engagement: Engagement) -> RecordingTrack | None:
    return room_mix(recording_tracks(engagement))


def editor_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For what the editor's forms post to: anyone who may not edit transcripts is refused (403) before
    anything is looked up, with no redirect to a login page."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not editor.may_edit(request.user):
            refused = editor.NotAnEditor(
                _("Only editors (the Editors group) may change a transcript or send it to clearance.")
            )
            return _refused(request, refused, kwargs["engagement_id"])
        return view(request, *args, **kwargs)

    return checked


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _editor_url(engagement_id: int, anchor: str = "", language: str = ORIGINAL_LANGUAGE) -> str:
    query = "" if language == ORIGINAL_LANGUAGE else f"?language={language}"
    return reverse("speech:editor", args=[engagement_id]) + query + (f"#{anchor}" if anchor else "")


def _refused(request: HttpRequest, refused: editor.EditorRefused, engagement_id: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": str(refused)}, status=refused.status)
    if refused.status == 403:
        return HttpResponse(str(refused), status=403, content_type="text/plain; charset=utf-8")
    messages.error(request, str(refused))
    return HttpResponseRedirect(_editor_url(engagement_id, language=_language(request)))


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise editor.EditorRefused(_("The form has no version of the transcript: reload the page.")) from None


def _paragraph_json(body: dict[str, Any], index: int) -> dict[str, Any]:
    paragraph = body["paragraphs"][index]
    return {
        "index": index,
        "speaker": paragraph["speaker"],
        "choice": editor.choice_value(paragraph),
        "text": paragraph["text"],
    }


# The page ---------------------------------------------------------------------------------------------


def _paragraph_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "index": index,
            "number": index + 1,
            "start": float(p["start"]),
            "end": float(p["end"]),
            "clock": clock(float(p["start"])),
            "speaker": p["speaker"],
            "choice": editor.choice_value(p),
            "text": p["text"],
        }
        for index, p in enumerate(body.get("paragraphs", []))
    ]


def _correction_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for index, correction in enumerate(body.get("corrections", [])):
        place = editor.correction_place(body, correction)
        rows.append(
            {
                "index": index,
                "start": float(correction["start"]),
                "clock": clock(float(correction["start"])),
                "heard": correction["heard"],
                "written": correction["written"],
                "score": correction["score"],
                "kind": KINDS.get(correction.get("kind", ""), correction.get("kind", "")),
                "withheld": correction.get("kind") == "withheld",
                "undone": bool(correction.get("undone")),
                "paragraph": place.paragraph if place is not None else None,
            }
        )
    return rows


def _document(transcript: Transcript | None) -> Document | None:
    if transcript is None or transcript.document_id is None:
        return None
    return Document.objects.filter(pk=transcript.document_id).first()


@staff_member_required
@require_GET
@never_cache
def editor_page(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The draft transcript beside the room's recording, for staff; editors may change it."""
    engagement = _engagement(engagement_id)
    language = _language(request)
    transcript = transcript_of(engagement, language)
    withheld = editor.withheld_reason(transcript) if transcript is not None else None
    body = transcript.body if transcript is not None and withheld is None else {}
    context = {
        "withheld": withheld,
        "remaking": editor.remaking_reason(transcript) if transcript is not None else None,
        "engagement": engagement,
        "times": times_sentence(engagement, engagement.trip),
        "rules": trip_queries.ground_rules(engagement),
        "transcript": transcript,
        "paragraphs": _paragraph_rows(body),
        "corrections": _correction_rows(body),
        "choices": editor.speaker_choices(engagement, body) if body else [],
        "may_edit": editor.may_edit(request.user),
        "has_audio": _mix(engagement) is not None,
        "document": _document(transcript),
        "max_characters": editor.TEXT_MAX_CHARACTERS,
        "language": language,
        "languages": _language_links(engagement, language),
    }
    return render(request, "speech/editor.html", context)


# The forms --------------------------------------------------------------------------------------------


@require_POST
@editor_only
def edit_paragraph(request: HttpRequest, engagement_id: int, index: int) -> HttpResponse:
    engagement = _engagement(engagement_id)
    try:
        transcript = editor.check_edit_paragraph(
            _transcript(engagement, _language(request)),
            index,
            text=request.POST.get("text", ""),
            speaker=request.POST.get("speaker", ""),
            version=_version(request),
            acting_user=request.user,
        )
    except editor.EditorRefused as refused:
        return _refused(request, refused, engagement_id)
    said = _("Paragraph %(number)s is saved.") % {"number": index + 1}
    if _wants_json(request):
        paragraph = _paragraph_json(transcript.body, index)
        return JsonResponse({"version": transcript.version, "paragraph": paragraph, "message": said})
    messages.success(request, said)
    return HttpResponseRedirect(_editor_url(engagement_id, f"p-{index}", _language(request)))


@require_POST
@editor_only
def undo_correction(request: HttpRequest, engagement_id: int, index: int) -> HttpResponse:
    engagement = _engagement(engagement_id)
    try:
        done = editor.check_undo_correction(
            _transcript(engagement, _language(request)),
            index,
            version=_version(request),
            acting_user=request.user,
        )
    except editor.EditorRefused as refused:
        return _refused(request, refused, engagement_id)
    said = (
        _("The correction is undone: the paragraph reads what was heard.")
        if done.outcome is editor.Undo.UNDONE
        else _("This correction was undone already.")
    )
    if _wants_json(request):
        number = done.paragraph
        paragraph = _paragraph_json(done.transcript.body, number) if number is not None else None
        answer = {
            "version": done.transcript.version,
            "paragraph": paragraph,
            "undone": index,
            "message": said,
        }
        return JsonResponse(answer)
    messages.success(request, said)
    return HttpResponseRedirect(_editor_url(engagement_id, f"c-{index}", _language(request)))


@require_POST
@editor_only
def send_to_clearance(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(engagement_id)
    try:
        sent = editor.check_send_to_clearance(
            _transcript(engagement, _language(request)), version=_version(request), acting_user=request.user
        )
    except editor.EditorRefused as refused:
        return _refused(request, refused, engagement_id)
    said = str(SENT[sent.outcome])
    if _wants_json(request):
        return JsonResponse({"document": sent.document.pk, "state": sent.document.state, "message": said})
    messages.success(request, said)
    return HttpResponseRedirect(_editor_url(engagement_id, "clearance", _language(request)))


# The audio --------------------------------------------------------------------------------------------


@staff_member_required
@require_safe
def audio(request: HttpRequest, engagement_id: int) -> HttpResponseBase:
    """The room's mixed recording, for staff, whole or in the part the player asks for."""
    track = _mix(_engagement(engagement_id))
    if track is None:
        raise Http404("This room has no recording")
    folder = settings.RECORDINGS_DIR.resolve()
    path = (folder / track.file).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise Http404("This recording's file is missing from the recordings folder.")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        response = ranged_file_response(request, path, content_type)
    except OSError:  # removed, or made a folder, since it was looked at
        raise Http404("This recording's file is missing from the recordings folder.") from None
    response["Cache-Control"] = "private, max-age=0"
    return response
