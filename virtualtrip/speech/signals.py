"""Speech reacts to the rooms: a recording stored is a recording to transcribe."""

import logging
from typing import Any

from django.dispatch import receiver

from virtualtrip.rooms.signals import recording_stored
from virtualtrip.speech import jobs
from virtualtrip.trips.models import Engagement

logger = logging.getLogger(__name__)


@receiver(recording_stored, dispatch_uid="speech.transcribe_stored_recording")
def transcribe_stored_recording(sender: Any, engagement_id: int, **kwargs: Any) -> None:
    """Queue the transcription of a recording just stored; one already waiting will read it anyway."""
    engagement = Engagement.objects.filter(pk=engagement_id).first()
    if engagement is None:
        return
    try:
        jobs.do_request_transcription(engagement, acting_user=None)
    except jobs.JobRefused as refused:
        logger.info("engagement %s: recording stored, no new transcription: %s", engagement_id, refused)
