"""What a login page says when failed logins have locked an account or an address out (django-axes)."""

from typing import Any

from django.conf import settings
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

TOO_MANY_REQUESTS = 429


def lockout_message() -> str:
    """The refusal, with how long it lasts."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed log-ins for this account or from this address. Try again in %(minutes)d minute.",
        "Too many failed log-ins for this account or from this address. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The login page that was answering (the site's or the admin's), its form saying why it refused.

    Axes calls this in place of the page it would have sent: a login form whose only error is the
    usual "wrong username or password", since a locked-out attempt never reaches the password check.
    Anything but a login page becomes the bare message.
    """
    if isinstance(original_response, TemplateResponse) and isinstance(original_response.context_data, dict):
        form = original_response.context_data.get("form")
        if isinstance(form, Form) and form.is_bound:
            form.errors.clear()
            form.add_error(None, lockout_message())
            page = TemplateResponse(
                request,
                original_response.template_name,
                original_response.context_data,
                status=TOO_MANY_REQUESTS,
            )
            return page.render()
    return HttpResponse(lockout_message(), status=TOO_MANY_REQUESTS, content_type="text/plain; charset=utf-8")
