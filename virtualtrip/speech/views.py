"""Speech's staff pages: an engagement's transcription (its live progress, asking for one), and the
draft's exports. For the same people as the floor's staff page: active staff."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from virtualtrip.publishing.enums import Language
from virtualtrip.speech import editor, exports, jobs, panel
from virtualtrip.speech.captions.kept import captions_vtt
from virtualtrip.speech.queries import transcript_of
from virtualtrip.trips.models import Engagement

EXPORTED = {
    "txt": ("text", "text/plain; charset=utf-8"),
    "vtt": ("vtt", "text/vtt; charset=utf-8"),
    "json": ("json", "application/json"),
}
"""Extension -> (exports.FORMATS name, content type)."""


def _engagement(engagement_id: int) -> Engagement:
    return get_object_or_404(Engagement.objects.select_related("trip"), pk=engagement_id)


def staff_or_403(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For what a script or a form posts to: anyone but active staff is refused (403), with no
    redirect to a login page, before the engagement is looked up."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            return JsonResponse({"error": _("Only staff can see this.")}, status=403)
        return view(request, *args, **kwargs)

    return checked


@staff_member_required
@require_GET
def staff(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The engagement's transcription for staff: the panel, on a page of its own."""
    return render(request, "speech/staff.html", {"engagement": _engagement(engagement_id)})


@require_POST
@staff_or_403
def transcribe(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Staff ask for the recording to be transcribed; back to the page they asked from."""
    engagement = _engagement(engagement_id)
    try:
        jobs.check_request_transcription(engagement, acting_user=request.user)
    except jobs.JobRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The transcription is queued: its progress shows here."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("speech:staff", args=[engagement.pk])
    return HttpResponseRedirect(back)


@require_GET
@never_cache
@staff_or_403
def progress(request: HttpRequest, engagement_id: int) -> JsonResponse:
    """The latest job's progress, for `progress.js` (`{"job": null}` before the first)."""
    job = jobs.latest_job(_engagement(engagement_id))
    return JsonResponse({"job": panel.progress_of(job).as_json() if job else None})


@staff_member_required
@require_GET
def export(request: HttpRequest, engagement_id: int, extension: str) -> HttpResponse:
    """The draft transcript as text, WebVTT or JSON, as it stands (editors' changes included)."""
    if extension not in EXPORTED:
        raise Http404("No such export")
    engagement = _engagement(engagement_id)
    language = request.GET.get("language") or "en"
    transcript = transcript_of(engagement, language) if language in Language.values else None
    if transcript is None:
        raise Http404("No transcript yet")
    withheld = editor.withheld_reason(transcript)
    if withheld is not None:
        return HttpResponse(withheld, status=409, content_type="text/plain; charset=utf-8")
    name, content_type = EXPORTED[extension]
    response = HttpResponse(exports.FORMATS[name](transcript.body), content_type=content_type)
    suffix = "" if language == "en" else f"-{language}"
    filename = f"{engagement.trip.slug}-{engagement.key}-transcript{suffix}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_member_required
@require_GET
def captions(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The live captions kept of the engagement, as WebVTT (labels as the room saw them)."""
    engagement = _engagement(engagement_id)
    response = HttpResponse(captions_vtt(engagement), content_type="text/vtt; charset=utf-8")
    filename = f"{engagement.trip.slug}-{engagement.key}-captions.vtt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
