"""Reading speech's records."""

from virtualtrip.speech.models import Transcript
from virtualtrip.trips.models import Engagement


def find_engagement(trip: str, key: str) -> Engagement | None:
    """The engagement `key` of the trip `trip`, by their ids in the trip file."""
    return Engagement.objects.select_related("trip").filter(trip__slug=trip, key=key).first()


def transcript_of(engagement: Engagement, language: str = "en") -> Transcript | None:
    return Transcript.objects.filter(engagement=engagement, language=language).first()
