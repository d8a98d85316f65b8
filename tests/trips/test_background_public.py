"""On background the briefer is known to the public by the attribution only: no public page, feed
or API names them as that engagement's briefer (staff still see who it is)."""

import pytest
from django.test import Client

from tests.factories.rooms import seat
from tests.factories.trips import EngagementFactory
from virtualtrip.trips.enums import EngagementKind, GroundRules, Role

pytestmark = pytest.mark.django_db
ATTRIBUTION = "A SENIOR STATE DEPARTMENT OFFICIAL"


def background_briefing():  # type: ignore[no-untyped-def]
    engagement = EngagementFactory.create(
        kind=EngagementKind.PRESS_BRIEFING,
        ground_rules=GroundRules.BACKGROUND,
        attribution=ATTRIBUTION,
        timezone="Asia/Kathmandu",
        public=True,
    )
    briefer = seat(engagement, Role.BRIEFER, name="Þórunn Briefer", title="Deputy Assistant Secretary")
    seat(engagement, Role.MODERATOR, name="Mona Moderator")
    return engagement, briefer


@pytest.mark.parametrize(
    "path",
    [
        "/trips/{slug}/engagements/{key}/",
        "/trips/{slug}/",
        "/es/trips/{slug}/engagements/{key}/",
        "/api/trips/{slug}/people",
        "/api/trips/{slug}/engagements",
        "/api/trips/{slug}/engagements/{key}",
    ],
)
def test_the_public_never_learns_the_background_briefers_name(path: str) -> None:
    engagement, briefer = background_briefing()
    page = Client().get(path.format(slug=engagement.trip.slug, key=engagement.key))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Þórunn" not in text
    assert briefer.person.key not in text
    assert "Mona Moderator" in text or "mona" in text.lower() or "people" not in path


def test_the_engagement_page_names_the_attribution_and_staff_see_the_briefer(admin_client: Client) -> None:
    engagement, briefer = background_briefing()
    path = f"/trips/{engagement.trip.slug}/engagements/{engagement.key}/"
    assert ATTRIBUTION in Client().get(path).content.decode()
    api = admin_client.get(f"/api/trips/{engagement.trip.slug}/engagements/{engagement.key}").json()
    assert {"person": briefer.person.key, "role": "briefer"} in api["participants"]


def test_on_the_record_the_briefer_is_named() -> None:
    engagement, _briefer = background_briefing()
    engagement.ground_rules, engagement.attribution = GroundRules.ON_RECORD, ""
    engagement.save()
    path = f"/trips/{engagement.trip.slug}/engagements/{engagement.key}/"
    assert "Þórunn Briefer" in Client().get(path).content.decode()
