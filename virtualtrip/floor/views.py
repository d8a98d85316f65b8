"""The floor's pages: registering for a briefing (public), an audience invitation (public), the
floor's staff page (accreditations, taken questions, the feed's address, invitations), writing a
taken question's answer, the floor log, and the live feed for outside tools."""

import json
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from virtualtrip.clients import client_address
from virtualtrip.floor import accreditation as accrediting
from virtualtrip.floor import answers, feed, invitations, queries
from virtualtrip.floor.enums import BriefingStatus, QuestionKind, QuestionState
from virtualtrip.floor.forms import AnswerForm, GuestForm, InvitationForm, RegistrationForm, add_problems
from virtualtrip.floor.log import floor_log
from virtualtrip.floor.models import Accreditation, AccreditationState, Invitation, Question
from virtualtrip.floor.state import briefing_of
from virtualtrip.publishing.problems import DocumentInputError, WorkflowRefused
from virtualtrip.rooms.queries import join_link_paths
from virtualtrip.trips import queries as trip_queries
from virtualtrip.trips.display import times_sentence
from virtualtrip.trips.enums import EngagementKind, GroundRules
from virtualtrip.trips.models import Engagement, Trip

INVITED_KEY = "floor_invited"
"""The session's join links from invitations, by invitation id: opening one again goes back to it."""


def _public_engagement(slug: str, key: str) -> tuple[Trip, Engagement]:
    try:
        trip = trip_queries.get_trip(slug)
        engagement = trip_queries.get_engagement(trip, key)
    except (Trip.DoesNotExist, Engagement.DoesNotExist):
        raise Http404("No such public engagement") from None
    if not queries.takes_accreditation(engagement):
        raise Http404("This engagement takes no registrations")
    return trip, engagement


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A journalist not in the trip file asks to cover a press briefing or availability."""
    trip, engagement = _public_engagement(slug, key)
    closed = queries.registration_closed_reason(engagement)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    registered, throttled = None, False
    if request.method == "POST" and not closed and form.is_valid():
        try:
            registered = accrediting.check_register(
                engagement,
                accrediting.Registration(**form.cleaned_data),
                address=client_address(request),
            )
        except accrediting.TooManyRegistrations as too_many:
            form.add_error(None, str(too_many))
            throttled = True
        except ValidationError as error:
            add_problems(form, error)
    context = {
        "trip": trip,
        "engagement": engagement,
        "times": times_sentence(engagement, trip),
        "rules": trip_queries.ground_rules(engagement),
        "closed": closed,
        "form": form,
        "registered": registered,
    }
    status = 429 if throttled else 400 if form.errors else 200
    return render(request, "floor/register.html", context, status=status)


def _staff_engagement(engagement_id: int) -> Engagement:
    return get_object_or_404(Engagement.objects.select_related("trip"), pk=engagement_id)


def _staff_url(engagement: Engagement, anchor: str = "") -> str:
    return reverse("floor:staff", args=[engagement.pk]) + (f"#{anchor}" if anchor else "")


def _is_over(engagement: Engagement) -> bool:
    return briefing_of(engagement).status == BriefingStatus.ENDED or timezone.now() >= engagement.ends_at


@staff_member_required
@require_GET
def staff(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The floor's staff page for one engagement."""
    engagement = _staff_engagement(engagement_id)
    found = queries.accreditations(engagement)
    accredited = found[AccreditationState.ACCREDITED]
    paths = join_link_paths(engagement, [a.participant for a in accredited if a.participant])
    token = feed.current_token(engagement.pk)
    context = {
        "engagement": engagement,
        "times": times_sentence(engagement, engagement.trip),
        "takes_accreditation": queries.takes_accreditation(engagement),
        "register_url": request.build_absolute_uri(
            reverse("floor:register", args=[engagement.trip.slug, engagement.key])
        ),
        "pending": found[AccreditationState.PENDING],
        "accredited": [
            (a, request.build_absolute_uri(paths[a.participant_id]) if a.participant_id in paths else "")
            for a in accredited
        ],
        "refused": found[AccreditationState.REFUSED],
        "taken": queries.taken_questions(engagement),
        "feed_url": request.build_absolute_uri(
            reverse("floor:feed", args=[engagement.pk]) + f"?token={token}"
        ),
        "invites": engagement.kind == EngagementKind.TOWN_HALL,
        "invitation_form": InvitationForm(),
        "invitations": [
            (i, request.build_absolute_uri(invitations.invitation_path(i)))
            for i in Invitation.objects.filter(engagement=engagement)
        ],
        "now": timezone.now(),
        "over": _is_over(engagement),
        "room_links": reverse("rooms:links", args=[engagement.pk]),
        "staff_panels": list(getattr(settings, "STAFF_PANELS", [])),
    }
    return render(request, "floor/staff.html", context)


@staff_member_required
@require_POST
def decide(request: HttpRequest, engagement_id: int, accreditation_id: int) -> HttpResponse:
    """Accredit or refuse a registration; a second click changes nothing."""
    engagement = _staff_engagement(engagement_id)
    registration = get_object_or_404(Accreditation, pk=accreditation_id, engagement=engagement)
    decision = request.POST.get("decision")
    try:
        if decision == "accredit":
            accrediting.do_accredit(
                registration, acting_user=request.user, base_url=request.build_absolute_uri("/")
            )
            messages.success(
                request,
                _("%(name)s is accredited: their link is below and was mailed to %(email)s.")
                % {"name": registration.name, "email": registration.email},
            )
        elif decision == "refuse":
            accrediting.do_refuse(registration, acting_user=request.user)
            messages.info(request, _("%(name)s's registration is refused.") % {"name": registration.name})
        else:
            return HttpResponse(_("Choose to accredit or to refuse."), status=400, content_type="text/plain")
    except accrediting.DecisionRefused as refused:
        messages.error(request, str(refused))
    return HttpResponseRedirect(_staff_url(engagement, "accreditations"))


@staff_member_required
@require_POST
def invite(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _staff_engagement(engagement_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(problem) for problem in form.errors["capacity"]))
        return HttpResponseRedirect(_staff_url(engagement, "invitations"))
    try:
        invitations.check_issue_invitation(
            engagement, acting_user=request.user, capacity=form.cleaned_data["capacity"]
        )
        messages.success(request, _("A new audience invitation is below: share its link."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(_staff_url(engagement, "invitations"))


@staff_member_required
@require_POST
def new_feed_link(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """ "New feed link": the feed's address changes; the old one stops at once."""
    engagement = _staff_engagement(engagement_id)
    feed.do_new_feed_link(engagement, acting_user=request.user)
    messages.success(
        request,
        _(
            "The live feed has a new address, below: the old one no longer opens it, and feeds "
            "open with it stop."
        ),
    )
    return HttpResponseRedirect(_staff_url(engagement, "feed"))


@staff_member_required
@require_POST
def withdraw_invitation(request: HttpRequest, engagement_id: int, invitation_id: int) -> HttpResponse:
    engagement = _staff_engagement(engagement_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, engagement=engagement)
    invitations.do_withdraw_invitation(invitation, acting_user=request.user)
    messages.info(request, _("The invitation is withdrawn: its link no longer opens the room."))
    return HttpResponseRedirect(_staff_url(engagement, "invitations"))


@staff_member_required
@require_http_methods(["GET", "POST"])
def write_answer(request: HttpRequest, engagement_id: int, question_id: int) -> HttpResponse:
    """ "Write the answer": a draft taken-question document in publishing, linked to the question."""
    engagement = _staff_engagement(engagement_id)
    question = get_object_or_404(
        Question.objects.select_related("engagement__trip"),
        pk=question_id,
        engagement=engagement,
        state=QuestionState.TAKEN,
    )
    if question.answer_document is not None:
        return _to_document(question.answer_document)
    initial = {
        "title": _("Taken question: %(title)s") % {"title": engagement.title},
        "question": question.text,
        "date": timezone.localdate(timezone=_zone(engagement)),
    }
    form = AnswerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = answers.check_write_answer(
                question,
                title=data["title"],
                asked=data["question"],
                body=data["body"],
                day=data["date"],
                acting_user=cast(User, request.user),
            )
        except answers.AlreadyDrafted as drafted:
            return _to_document(drafted.document)
        except DocumentInputError as error:
            for problem in error.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        except WorkflowRefused as refused:
            form.add_error(None, str(refused))
        else:
            return _to_document(document)
    context = {"engagement": engagement, "question": question, "form": form}
    return render(request, "floor/answer.html", context, status=400 if form.errors else 200)


def _zone(engagement: Engagement) -> ZoneInfo:
    return ZoneInfo(engagement.timezone)


def _to_document(document_id: int) -> HttpResponse:
    return HttpResponseRedirect(reverse("admin:publishing_document_change", args=[document_id]))


def _at(value: Any) -> Any:
    """An ISO time of the floor log as a datetime, for the page to show in the engagement's zone."""
    return datetime.fromisoformat(value) if isinstance(value, str) and value else value


OUTCOMES = {
    "waiting": gettext_lazy("still waiting"),
    "asked": gettext_lazy("asked on the floor"),
    "withdrawn": gettext_lazy("withdrawn"),
    "read_aloud": gettext_lazy("read aloud"),
    "taken": gettext_lazy("taken for a later answer"),
}


def _kind(kind: Any) -> str:
    return str(QuestionKind(kind).label) if kind in QuestionKind.values else str(kind or "")


def _readable(log: dict[str, Any]) -> dict[str, Any]:
    """The floor log with its times as datetimes and its codes in words (the JSON keeps both as
    they are)."""
    turns = [
        {
            **turn,
            "from": _at(turn["from"]),
            "to": _at(turn["to"]),
            "follow_ups": [_at(f) for f in turn["follow_ups"]],
            "kind": _kind(turn["kind"]),
        }
        for turn in log["turns"]
    ]
    questions = [
        {
            **q,
            "asked_at": _at(q["asked_at"]),
            "read_aloud_at": _at(q["read_aloud_at"]),
            "kind": _kind(q["kind"]),
            "outcome": OUTCOMES.get(q["outcome"], q["outcome"]),
        }
        for q in log["questions"]
    ]
    talking = [{**span, "from": _at(span["from"]), "to": _at(span["to"])} for span in log["talking"]]
    rules = log["ground_rules"]
    rule = GroundRules(rules["rule"]).label if rules["rule"] in GroundRules.values else rules["rule"]
    return {
        **log,
        "turns": turns,
        "questions": questions,
        "talking": talking,
        "ended_at": _at(log["ended_at"]),
        "ground_rules": {**rules, "rule": rule, "embargo_until": _at(rules["embargo_until"])},
    }


@staff_member_required
@require_GET
def log_page(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The floor log after the event, as a page; its JSON is one link away."""
    engagement = _staff_engagement(engagement_id)
    over = _is_over(engagement)
    context = {
        "engagement": engagement,
        "over": over,
        "log": _readable(floor_log(engagement)) if over else None,
    }
    return render(request, "floor/log.html", context)


@staff_member_required
@require_GET
def log_json(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _staff_engagement(engagement_id)
    if not _is_over(engagement):
        return HttpResponse(
            _("The floor log is ready once the briefing has ended."), status=409, content_type="text/plain"
        )
    response = HttpResponse(
        json.dumps(floor_log(engagement), ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"floor-log-{engagement.trip.slug}-{engagement.key}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An audience invitation: give a name, join as audience (through the lobby if the room has one)."""
    try:
        found = invitations.read_invitation(token)
    except invitations.InvitationInvalid as invalid:
        return render(request, "floor/invitation_invalid.html", {"reason": str(invalid)}, status=403)
    joined = request.session.get(INVITED_KEY, {})
    if str(found.pk) in joined:
        return HttpResponseRedirect(joined[str(found.pk)])
    full = invitations.full_reason(found)
    if full:
        return render(request, "floor/invitation_invalid.html", {"reason": full}, status=403)
    form = GuestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            path = invitations.check_join_with_invitation(token, form.cleaned_data["name"])
        except invitations.InvitationInvalid as invalid:
            return render(request, "floor/invitation_invalid.html", {"reason": str(invalid)}, status=403)
        except ValidationError as error:
            add_problems(form, error)
        else:
            request.session[INVITED_KEY] = {**joined, str(found.pk): path}
            return HttpResponseRedirect(path)
    engagement = found.engagement
    context = {"engagement": engagement, "times": times_sentence(engagement, engagement.trip), "form": form}
    return render(request, "floor/invitation.html", context, status=400 if form.errors else 200)


@require_GET
async def feed_view(request: HttpRequest, engagement_id: int) -> HttpResponseBase:
    """The live floor feed (Server-Sent Events) for the holder of the engagement's feed token."""
    token = request.GET.get("token", "")
    version = await database_sync_to_async(feed.token_version)(engagement_id, token)
    if version is None:
        return HttpResponseForbidden(
            "This feed needs its token: copy the feed's whole address from the floor's staff page.\n",
            content_type="text/plain; charset=utf-8",
        )
    if not await Engagement.objects.filter(pk=engagement_id).aexists():
        raise Http404("No such engagement")
    last = feed.last_event_id(request.headers.get("Last-Event-ID") or request.GET.get("lastEventId"))
    response = StreamingHttpResponse(
        feed.feed_events(engagement_id, last, version), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must pass each event on at once
    response["Access-Control-Allow-Origin"] = "*"  # the token is the key, wherever the tool's page is
    return response
