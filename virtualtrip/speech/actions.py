"""The only writers of speech's records."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from virtualtrip.speech.models import Transcript
from virtualtrip.trips.models import Engagement


@transaction.atomic
def do_store_transcript(engagement: Engagement, body: dict[str, Any], *, language: str = "en") -> Transcript:
    """Side effects: `body` is the engagement's draft transcript in `language`, in place of any draft
    before it (whose edits are replaced too); its version goes up."""
    now = timezone.now()
    transcript, made = Transcript.objects.select_for_update().get_or_create(
        engagement=engagement, language=language, defaults={"body": body, "made_at": now}
    )
    if not made:
        Transcript.objects.filter(pk=transcript.pk).update(
            body=body, made_at=now, edited_at=None, edited_by="", version=F("version") + 1
        )
        transcript.refresh_from_db()
    return transcript
