"""The itinerary changing under an open briefing (the admin, `import-trip --replace`): new ground
rules rename the briefer everywhere the floor shows them, and a person taken off the engagement
loses the floor and their place in the queue."""

import pytest
from django.utils import timezone

from tests.floor.conftest import Briefing, viewer
from tests.floor.verify import verify_action
from virtualtrip.floor import actions
from virtualtrip.floor.enums import QuestionState
from virtualtrip.floor.log import floor_log
from virtualtrip.floor.models import Briefing as FloorModel
from virtualtrip.floor.models import Question
from virtualtrip.floor.state import initial_state, stream_key
from virtualtrip.realtime import journal
from virtualtrip.rooms.queries import publishing_rights
from virtualtrip.trips.enums import GroundRules, Role

pytestmark = pytest.mark.django_db
ATTRIBUTION = "A SENIOR OFFICIAL"


def going_on_background(briefing: Briefing) -> None:
    engagement = briefing.engagement
    engagement.ground_rules, engagement.attribution = GroundRules.BACKGROUND, ATTRIBUTION
    engagement.save()


def test_going_on_background_mid_briefing_renames_the_briefer_everywhere(briefing: Briefing) -> None:
    engagement, briefer = briefing.engagement, briefing.briefer
    actions.do_note_talking(engagement.pk, briefer.person_id, True, timezone.now())
    actions.do_note_talking(engagement.pk, briefer.person_id, False, timezone.now())
    isabel = viewer(briefing.journalists[0])
    actions.check_raise_hand(isabel, engagement)
    changed = verify_action(engagement, briefing.viewers, lambda: going_on_background(briefing), events=1)
    assert changed[0].type == "briefing.rules_changed"
    assert initial_state(engagement, isabel)["briefing"]["ground_rules"]["attribution"] == ATTRIBUTION
    # A page that saw the events naming the briefer gets a snapshot, not those events again.
    assert journal.catch_up(stream_key(engagement.pk), 0).missed is None
    assert journal.catch_up(stream_key(engagement.pk), changed[0].seq - 1).missed == changed
    log = floor_log(engagement)
    assert briefer.person.name not in repr(log)
    assert {span["name"] for span in log["talking"]} == {ATTRIBUTION}


def test_an_engagement_saved_without_new_rules_sends_nothing(briefing: Briefing) -> None:
    actions.check_raise_hand(viewer(briefing.journalists[0]), briefing.engagement)
    briefing.engagement.title = "Retitled: 简报会"
    verify_action(briefing.engagement, briefing.viewers, briefing.engagement.save, events=0)


def test_a_holder_taken_off_the_engagement_loses_the_floor_and_publishing(
    briefing: Briefing,
) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel_seat = briefing.journalists[0]
    isabel = viewer(isabel_seat)
    hand = actions.check_raise_hand(isabel, engagement)
    actions.check_give_floor(moderator, engagement, hand.pk)
    written = actions.check_ask(isabel, engagement, "Y otra pregunta")
    others = [viewer(p) for p in [briefing.moderator, *briefing.journalists[1:]]]
    removed = verify_action(engagement, others, isabel_seat.delete)
    assert [event.type for event in removed] == ["floor.withdrawn", "question.withdrawn"]
    assert FloorModel.objects.get(engagement=engagement).holder_id is None
    assert publishing_rights(engagement.pk, isabel.person_id, Role.PRESS, timezone.now()) == (False, False)
    assert Question.objects.get(pk=written.pk).state == QuestionState.CLOSED
    assert floor_log(engagement)["turns"][0]["to"] is not None


def test_a_holder_deleted_from_the_trip_ends_their_turn(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    li = briefing.journalists[1]
    actions.check_give_floor(moderator, engagement, person_id=li.person_id)
    li.person.delete()
    assert initial_state(engagement, moderator)["floor"] is None
    assert [event.type for event in journal.all_events(stream_key(engagement.pk))][-1] == "floor.withdrawn"
    assert floor_log(engagement)["turns"][0]["to"] is not None
