"""Room pages: the join link, the room, travelling to the next room, planners' links, health."""

import asyncio
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from virtualtrip.rooms import actions, queries
from virtualtrip.rooms.access import DEVICE_COOKIE, GRANTS_KEY
from virtualtrip.rooms.channels import autonym
from virtualtrip.rooms.janus.client import JanusError, janus_client
from virtualtrip.rooms.janus.servers import janus_servers
from virtualtrip.rooms.links import JoinLinkInvalid, read_join_token
from virtualtrip.rooms.models import RecordingTrack, Room
from virtualtrip.rooms.seats import Seat, participant_seat
from virtualtrip.trips.display import times_sentence
from virtualtrip.trips.models import Engagement, Participant
from virtualtrip.trips.schedule import coverage_line

DEVICE_COOKIE_AGE = 60 * 60 * 24 * 365


def _device(request: HttpRequest) -> str:
    return request.COOKIES.get(DEVICE_COOKIE) or actions.new_device_key()


def _keep_device(response: HttpResponse, device: str) -> HttpResponse:
    """Remember this browser as the device a join pass is bound to; sent over HTTPS only on an HTTPS site."""
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


def _refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(request, "rooms/refused.html", {"reason": reason}, status=status)


def _grant(request: HttpRequest, engagement_id: int, grant: dict[str, int]) -> None:
    grants = dict(request.session.get(GRANTS_KEY, {}))
    grants[str(engagement_id)] = grant
    request.session[GRANTS_KEY] = grants


def _seat(request: HttpRequest, engagement: Engagement) -> Seat:
    """The seat this request's browser holds in the engagement's room; RoomAccessDenied if none."""
    grants = request.session.get(GRANTS_KEY, {})
    return queries.access_seat(engagement, grants, request.user, request.COOKIES.get(DEVICE_COOKIE, ""))


def _room_context(request: HttpRequest, engagement: Engagement, seat: Seat) -> dict[str, Any]:
    room = engagement.room if hasattr(engagement, "room") else None
    now = timezone.now()
    status = queries.room_status(engagement, room, now)
    following = queries.next_engagement(engagement, seat)
    audio, video = queries.publishing_rights(engagement.pk, seat.person_id, seat.role, now)
    return {
        "engagement": engagement,
        "trip": engagement.trip,
        "seat": seat,
        "times": times_sentence(engagement, engagement.trip),
        "coverage": coverage_line(engagement.coverage),
        "status": status,
        "opens_before_minutes": settings.ROOM_OPENS_BEFORE_MINUTES,
        "next_engagement": following,
        "next_times": times_sentence(following, engagement.trip) if following else "",
        "publishes_audio": audio,
        "publishes_video": video,
        "room_panels": list(getattr(settings, "ROOM_PANELS", [])),
        "stage_panels": list(getattr(settings, "STAGE_PANELS", [])),
        "room_config": {
            "engagement": engagement.pk,
            "janus": f"/ws/rooms/{engagement.pk}/janus/",
            "control": f"/ws/rooms/{engagement.pk}/control/",
            "publishAudio": audio,
            "publishVideo": video,
            "rolePublishes": {"audio": seat.can.publishes_audio, "video": seat.can.publishes_video},
            "person": seat.person_id,
            "inLobby": seat.in_lobby,
            "keepsLobby": seat.can.keeps_lobby,
            "display": seat.display,
            "travelled": request.GET.get("travelled") == "1",
            # Counted by the server, so a browser whose clock is wrong still opens on time.
            "opensInSeconds": max(0.0, (queries.opens_at(engagement) - now).total_seconds()),
        },
    }


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the room with a Join button and claims nothing (mail scanners open links too);
    POST, sent by that button, binds the link to this browser and seats it."""
    device = _device(request)
    if request.method == "GET":
        try:
            claim = read_join_token(token)
        except JoinLinkInvalid as error:
            return _refused(request, str(error))
        engagement = get_object_or_404(Engagement.objects.select_related("trip"), pk=claim.engagement_id)
        try:
            participant, _pass = queries.check_pass(
                engagement.pk, claim.person_id, claim.version, device, claiming=True
            )
        except JoinLinkInvalid as error:
            return _refused(request, str(error))
        seat = participant_seat(participant, queries.lobby_roles(engagement))
        context = _room_context(request, engagement, seat)
        context["room_config"]["claim"] = request.path
        return _keep_device(render(request, "rooms/room.html", context), device)
    try:
        engagement, grant = actions.do_claim_join_link(token, device)
    except JoinLinkInvalid as error:
        return JsonResponse({"error": str(error)}, status=403)
    _grant(request, engagement.pk, grant)
    return _keep_device(JsonResponse({"room": reverse("rooms:room", args=[engagement.pk])}), device)


@ensure_csrf_cookie
@require_GET
def room(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("trip"), pk=engagement_id)
    try:
        seat = _seat(request, engagement)
    except queries.RoomAccessDenied as error:
        return _refused(request, str(error))
    return render(request, "rooms/room.html", _room_context(request, engagement, seat))


@require_POST
def travel(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Take a traveller from this room to their next engagement's room."""
    engagement = get_object_or_404(Engagement.objects.select_related("trip"), pk=engagement_id)
    try:
        seat = _seat(request, engagement)
        following = queries.next_engagement(engagement, seat)
        if following is None:
            raise Http404("No next engagement on this itinerary.")
        grant = actions.do_travel(seat, following, request.COOKIES.get(DEVICE_COOKIE, ""))
    except (queries.RoomAccessDenied, actions.RoomActionRefused) as error:
        return _refused(request, str(error))
    if grant is not None:
        _grant(request, following.pk, grant)
    return HttpResponseRedirect(reverse("rooms:room", args=[following.pk]) + "?travelled=1")


@staff_member_required
@require_http_methods(["GET", "POST"])
def join_links(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The engagement's staff page: every participant's personal link (and re-issuing one), and the
    room's recording."""
    engagement = get_object_or_404(Engagement.objects.select_related("trip"), pk=engagement_id)
    participants = list(engagement.participants.select_related("person"))
    reissued = None
    if request.method == "POST" and "remake" in request.POST:
        actions.do_remake_recording(get_object_or_404(Room, engagement=engagement))
        return HttpResponseRedirect(reverse("rooms:links", args=[engagement.pk]) + "#recording")
    if request.method == "POST":
        chosen = get_object_or_404(Participant, engagement=engagement, pk=request.POST.get("participant"))
        actions.do_issue_join_link(chosen, acting_user=request.user, reissue=True)
        reissued = chosen.pk
    paths = queries.join_link_paths(engagement, participants)
    rows = [
        {
            "participant": participant,
            "url": request.build_absolute_uri(paths[participant.pk]),
            "reissued": participant.pk == reissued,
        }
        for participant in participants
    ]
    context = {
        "engagement": engagement,
        "rows": rows,
        "room_url": reverse("rooms:room", args=[engagement.pk]),
        "room": Room.objects.filter(engagement=engagement).first(),
        "tracks": [(track, _track_label(track)) for track in queries.recording_tracks(engagement)],
    }
    return render(request, "rooms/join_links.html", context)


def _track_label(track: RecordingTrack) -> str:
    """What the staff page calls a track: its speaker, a channel by its language, or the floor."""
    if track.speaker and track.language:
        return _("%(speaker)s, interpreting into %(language)s") % {
            "speaker": track.speaker,
            "language": autonym(track.language),
        }
    if track.speaker:
        return track.speaker
    if track.language:
        return _("Channel: %(language)s") % {"language": autonym(track.language)}
    return _("Whole room")


@staff_member_required
@require_GET
def recording_track(request: HttpRequest, engagement_id: int, track_id: int) -> FileResponse:
    """One audio file of a recorded room, for staff only."""
    track = get_object_or_404(RecordingTrack, pk=track_id, room__engagement_id=engagement_id)
    path = settings.RECORDINGS_DIR / track.file
    if not path.is_file():
        raise Http404("This recording's file is missing from the recordings folder.")
    return FileResponse(path.open("rb"), content_type="audio/ogg", filename=path.name)


async def _janus_health(url: str, api_secret: str) -> dict[str, Any]:
    try:
        async with janus_client(url, api_secret) as janus:
            info = await janus.request({"janus": "info"})
    except JanusError as error:
        return {"url": url, "ok": False, "error": str(error)}
    return {"url": url, "ok": True, "version": info.get("version_string")}


async def _all_janus_health() -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(_janus_health(s.url, s.api_secret) for s in janus_servers())))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database and each Janus server: 200 when all answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database: dict[str, Any] = {"ok": True}
    except Exception as error:
        database = {"ok": False, "error": str(error)}
    media = asyncio.run(_all_janus_health())
    healthy = database["ok"] and all(server["ok"] for server in media)
    return JsonResponse({"ok": healthy, "database": database, "janus": media}, status=200 if healthy else 503)
