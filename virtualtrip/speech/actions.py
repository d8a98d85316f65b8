"""The only writers of speech's records."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from virtualtrip.speech.models import Caption, Transcript
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


def do_keep_caption(
    engagement_id: int, speaker: str, text: str, starts_at: datetime, ends_at: datetime
) -> None:
    """A live caption cue is finished: keep it for the engagement's WebVTT (a label longer than the
    column, a staff member's very long name, cut to fit)."""
    limit = Caption._meta.get_field("speaker").max_length or len(speaker)
    Caption.objects.create(
        engagement_id=engagement_id, speaker=speaker[:limit], text=text, starts_at=starts_at, ends_at=ends_at
    )
