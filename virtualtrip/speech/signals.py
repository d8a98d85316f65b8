"""Speech reacts to the rooms: a recording stored is a recording to transcribe."""

import logging
from typing import Any

from django.dispatch import receiver

from virtualtrip.rooms.queries import recording_tracks
from virtualtrip.rooms.signals import recording_stored
from virtualtrip.speech import jobs
from virtualtrip.speech.interpreted import transcript_languages
from virtualtrip.trips.models import Engagement

logger = logging.getLogger(__name__)


@receiver(recording_stored, dispatch_uid="speech.transcribe_stored_recording")
def transcribe_stored_recording(sender: Any, engagement_id: int, **kwargs: Any) -> None:
    """Queue the transcriptions of a recording just stored, one per language its room was heard in
    (one, English, without interpretation); one already waiting will read it anyway."""
    engagement = Engagement.objects.filter(pk=engagement_id).first()
    if engagement is None:
        return
    for language in transcript_languages(engagement, recording_tracks(engagement)):
        try:
            jobs.do_request_transcription(engagement, acting_user=None, language=language)
        except jobs.JobRefused as refused:
            said = "engagement %s: recording stored, no new %s transcription: %s"
            logger.info(said, engagement_id, language, refused)
