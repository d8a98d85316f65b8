"""Mail to journalists who registered: their personal link, or a refusal. Sent with Django's mail
(the console backend in the demo), in the language they registered in, after the decision commits."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from virtualtrip.floor.models import Accreditation
from virtualtrip.trips.display import times_sentence
from virtualtrip.trips.queries import ground_rules

logger = logging.getLogger(__name__)


def _send(accreditation: Accreditation, template: str, **context: object) -> None:
    engagement = accreditation.engagement
    with translation.override(accreditation.language):
        context = {
            "accreditation": accreditation,
            "engagement": engagement,
            "times": times_sentence(engagement, engagement.trip),
            "rules": ground_rules(engagement),
            **context,
        }
        subject = render_to_string(f"floor/mail/{template}_subject.txt", context).strip()
        body = render_to_string(f"floor/mail/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [accreditation.email])
    except OSError:
        # The decision stands (the link is on the staff page); the press office sends it by hand.
        logger.exception("could not mail accreditation %s to %s", accreditation.pk, accreditation.email)


def _accreditation(pk: int) -> Accreditation:
    return Accreditation.objects.select_related("engagement__trip").get(pk=pk)


def send_link(accreditation_id: int, url: str, *, queued: bool) -> None:
    """`queued`: their question submitted ahead is in the moderator's queue (the briefing was open)."""
    _send(_accreditation(accreditation_id), "accredited", url=url, queued=queued)


def send_refusal(accreditation_id: int) -> None:
    _send(_accreditation(accreditation_id), "refused")
