"""Every floor action, checked with `verify_action`: what it changes, the events it appends, and
what each viewer may see of them; refusals change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.rooms import seat
from tests.floor.conftest import Briefing, make_briefing, viewer
from tests.floor.verify import verify_action
from virtualtrip.floor import actions
from virtualtrip.floor.enums import BriefingStatus, QuestionKind, QuestionState
from virtualtrip.floor.models import Question
from virtualtrip.floor.state import initial_state, stream_key
from virtualtrip.realtime import journal
from virtualtrip.realtime.protocol import ErrorCode, Refused
from virtualtrip.rooms.queries import publishing_rights
from virtualtrip.trips.enums import GroundRules, QueuePolicy, Role

pytestmark = pytest.mark.django_db


def rights(engagement_id: int, person_id: int | None) -> tuple[bool, bool]:
    return publishing_rights(engagement_id, person_id, Role.PRESS, timezone.now())


def refused(code: ErrorCode, run) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as caught:
        run()
    assert caught.value.code == code, caught.value.reason
    return caught.value


def test_a_raised_hand_joins_the_queue_once(briefing: Briefing) -> None:
    isabel = viewer(briefing.journalists[0])
    events = verify_action(
        briefing.engagement,
        briefing.viewers,
        lambda: actions.check_raise_hand(isabel, briefing.engagement),
        events=1,
    )
    assert events[0].type == "hand.raised"
    verify_action(
        briefing.engagement,
        briefing.viewers,
        lambda: actions.check_raise_hand(isabel, briefing.engagement),
        events=0,
    )
    queue = initial_state(briefing.engagement, isabel)["queue"]
    assert [(entry["name"], entry["outlet"], entry["kind"]) for entry in queue] == [
        ("Isabel González", "Latinus", "hand")
    ]
    verify_action(
        briefing.engagement,
        briefing.viewers,
        lambda: actions.check_lower_hand(isabel, briefing.engagement),
        events=1,
    )
    assert initial_state(briefing.engagement, isabel)["queue"] == []


def test_written_text_is_for_the_console_and_its_author_only(briefing: Briefing) -> None:
    li, zoe = (viewer(p) for p in briefing.journalists[1:])
    text = "<script>alert(1)</script> ¿Y el gasoducto?"
    verify_action(
        briefing.engagement,
        briefing.viewers,
        lambda: actions.check_ask(li, briefing.engagement, text),
        events=1,
    )
    moderator = viewer(briefing.moderator)
    assert initial_state(briefing.engagement, moderator)["queue"][0]["text"] == text  # kept as typed
    assert initial_state(briefing.engagement, li)["queue"][0]["text"] == text
    assert "text" not in initial_state(briefing.engagement, zoe)["queue"][0]
    seen_by_zoe = initial_state(briefing.engagement, zoe)
    assert seen_by_zoe["queue"][0]["name"] == "李雷"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ErrorCode.INVALID),
        ("   ", ErrorCode.INVALID),
        ("x" * 2001, ErrorCode.TOO_LONG),
        ("a\x00b", ErrorCode.INVALID),
    ],
)
def test_a_bad_question_is_refused_and_changes_nothing(
    briefing: Briefing, text: str, code: ErrorCode
) -> None:
    head = journal.head(stream_key(briefing.engagement.pk))
    refused(code, lambda: actions.check_ask(viewer(briefing.journalists[0]), briefing.engagement, text))
    assert Question.objects.count() == 0
    assert journal.head(stream_key(briefing.engagement.pk)) == head


def test_a_question_of_2000_characters_is_taken(briefing: Briefing) -> None:
    actions.check_ask(viewer(briefing.journalists[0]), briefing.engagement, "é" * 2000)
    assert Question.objects.get().text == "é" * 2000


def test_only_the_console_runs_the_floor(briefing: Briefing) -> None:
    isabel = viewer(briefing.journalists[0])
    hand = actions.check_raise_hand(isabel, briefing.engagement)
    head = journal.head(stream_key(briefing.engagement.pk))
    for who in (isabel, viewer(briefing.briefer)):
        refused(ErrorCode.FORBIDDEN, lambda: actions.check_give_floor(who, briefing.engagement, hand.pk))  # noqa: B023
        refused(ErrorCode.FORBIDDEN, lambda: actions.check_end(who, briefing.engagement))  # noqa: B023
        refused(ErrorCode.FORBIDDEN, lambda: actions.check_one_more(who, briefing.engagement))  # noqa: B023
    refused(
        ErrorCode.FORBIDDEN, lambda: actions.check_raise_hand(viewer(briefing.moderator), briefing.engagement)
    )
    assert journal.head(stream_key(briefing.engagement.pk)) == head
    assert rights(briefing.engagement.pk, isabel.person_id) == (False, False)


def test_giving_the_floor_lets_one_journalist_publish_and_taking_it_back_stops_them(
    briefing: Briefing,
) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel, li = (viewer(p) for p in briefing.journalists[:2])
    first = actions.check_raise_hand(isabel, engagement)
    second = actions.check_raise_hand(li, engagement)
    give = verify_action(
        engagement,
        briefing.viewers,
        lambda: actions.check_give_floor(moderator, engagement, first.pk),
        events=1,
    )
    assert give[0].type == "floor.granted"
    assert rights(engagement.pk, isabel.person_id) == (True, True)
    assert rights(engagement.pk, li.person_id) == (False, False)
    verify_action(
        engagement,
        briefing.viewers,
        lambda: actions.check_give_floor(moderator, engagement, first.pk),
        events=0,
    )
    verify_action(
        engagement, briefing.viewers, lambda: actions.check_follow_up(moderator, engagement), events=1
    )
    assert initial_state(engagement, li)["floor"]["follow_ups"] == 1
    moved = verify_action(
        engagement, briefing.viewers, lambda: actions.check_give_floor(moderator, engagement, second.pk)
    )
    assert [event.type for event in moved] == ["floor.withdrawn", "floor.granted"]
    assert rights(engagement.pk, isabel.person_id) == (False, False)
    assert rights(engagement.pk, li.person_id) == (True, True)
    verify_action(
        engagement, briefing.viewers, lambda: actions.check_take_floor_back(moderator, engagement), events=1
    )
    verify_action(
        engagement, briefing.viewers, lambda: actions.check_take_floor_back(moderator, engagement), events=0
    )
    assert rights(engagement.pk, li.person_id) == (False, False)
    assert Question.objects.get(pk=first.pk).state == QuestionState.ANSWERED


def test_the_moderator_picks_anyone_out_of_order(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    actions.check_raise_hand(viewer(briefing.journalists[0]), engagement)
    zoe = briefing.journalists[2]
    verify_action(
        engagement,
        briefing.viewers,
        lambda: actions.check_give_floor(moderator, engagement, person_id=zoe.person_id),
    )
    assert initial_state(engagement, moderator)["floor"]["name"] == "Zoë Ångström"
    refused(
        ErrorCode.NOT_FOUND,
        lambda: actions.check_give_floor(moderator, engagement, person_id=briefing.briefer.person_id),
    )


def test_read_aloud_is_logged_as_its_authors_question(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    question = actions.check_ask(viewer(briefing.journalists[1]), engagement, "Line 3 and Line 5?")
    events = verify_action(
        engagement, briefing.viewers, lambda: actions.check_read_aloud(moderator, engagement, question.pk)
    )
    assert events[-1].type == "question.read_aloud"
    assert events[-1].body["log"]["person"] == briefing.journalists[1].person_id
    assert events[-1].body["log"]["spoken"] == "Line 3 and Line 5?"
    hand = actions.check_raise_hand(viewer(briefing.journalists[0]), engagement)
    refused(ErrorCode.CONFLICT, lambda: actions.check_read_aloud(moderator, engagement, hand.pk))


def test_one_more_question_then_the_end(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel = viewer(briefing.journalists[0])
    hand = actions.check_raise_hand(isabel, engagement)
    verify_action(
        engagement, briefing.viewers, lambda: actions.check_one_more(moderator, engagement), events=1
    )
    verify_action(
        engagement, briefing.viewers, lambda: actions.check_one_more(moderator, engagement), events=0
    )
    assert initial_state(engagement, isabel)["briefing"]["status"] == BriefingStatus.CLOSING
    refused(ErrorCode.NOT_OPEN, lambda: actions.check_raise_hand(viewer(briefing.journalists[1]), engagement))
    actions.check_give_floor(moderator, engagement, hand.pk)
    ended = verify_action(engagement, briefing.viewers, lambda: actions.check_end(moderator, engagement))
    assert [event.type for event in ended] == ["floor.withdrawn", "briefing.ended"]
    refused(ErrorCode.NOT_OPEN, lambda: actions.check_raise_hand(isabel, engagement))
    refused(ErrorCode.NOT_OPEN, lambda: actions.check_give_floor(moderator, engagement, hand.pk))
    assert rights(engagement.pk, isabel.person_id) == (False, False)


def test_a_taken_question_leaves_the_queue_for_its_owner(briefing: Briefing, django_user_model) -> None:  # type: ignore[no-untyped-def]
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    owner = django_user_model.objects.create_user("desk-officer", is_staff=True)
    question = actions.check_ask(viewer(briefing.journalists[0]), engagement, "Cifras de visas?")
    verify_action(
        engagement,
        briefing.viewers,
        lambda: actions.check_take_question(moderator, engagement, question.pk, owner.pk),
        events=1,
    )
    taken = Question.objects.get(pk=question.pk)
    assert (taken.state, taken.owner) == (QuestionState.TAKEN, owner)
    refused(ErrorCode.NOT_FOUND, lambda: actions.check_take_question(moderator, engagement, question.pk + 99))


def test_hand_raising_is_throttled_per_person(briefing: Briefing) -> None:
    isabel = viewer(briefing.journalists[0])
    for _ in range(actions.HANDS_PER_MINUTE):
        actions.check_raise_hand(isabel, briefing.engagement)
        actions.check_lower_hand(isabel, briefing.engagement)
    refused(ErrorCode.THROTTLED, lambda: actions.check_raise_hand(isabel, briefing.engagement))
    actions.check_raise_hand(viewer(briefing.journalists[1]), briefing.engagement)  # others still may


def test_the_lobby_and_a_closed_room_refuse_hands(db) -> None:  # type: ignore[no-untyped-def]
    briefing = make_briefing()
    waiting = viewer(briefing.journalists[0], in_lobby=True)
    refused(ErrorCode.NOT_OPEN, lambda: actions.check_raise_hand(waiting, briefing.engagement))
    later = make_briefing(
        starts_at=timezone.now() + timedelta(days=1), ends_at=timezone.now() + timedelta(days=1, hours=1)
    )
    isabel = viewer(later.journalists[0])
    refused(ErrorCode.NOT_OPEN, lambda: actions.check_raise_hand(isabel, later.engagement))
    ahead = actions.check_ask(isabel, later.engagement, "Submitted before the briefing")
    assert ahead.kind == QuestionKind.AHEAD


def test_on_background_the_briefer_is_named_by_the_attribution_only(db) -> None:  # type: ignore[no-untyped-def]
    attribution = "A SENIOR STATE DEPARTMENT OFFICIAL"
    briefing = make_briefing(ground_rules=GroundRules.BACKGROUND, attribution=attribution)
    briefer = briefing.briefer.person
    actions.do_note_talking(briefing.engagement.pk, briefer.pk, True, briefing.engagement.starts_at)
    isabel = viewer(briefing.journalists[0])
    state = initial_state(briefing.engagement, isabel)
    assert state["talking"] == [{"person": briefer.pk, "name": attribution}]
    assert state["briefing"]["ground_rules"]["rule"] == "background"
    stored = [event.body for event in journal.all_events(stream_key(briefing.engagement.pk))]
    assert briefer.name not in repr(stored)
    assert briefer.name not in repr(state)


def test_talking_changes_only_when_it_changes(briefing: Briefing) -> None:
    person = briefing.briefer.person_id
    at = briefing.engagement.starts_at
    talk = lambda on: lambda: actions.do_note_talking(briefing.engagement.pk, person, on, at)  # noqa: E731
    verify_action(briefing.engagement, briefing.viewers, talk(True), events=1)
    verify_action(briefing.engagement, briefing.viewers, talk(True), events=0)
    verify_action(briefing.engagement, briefing.viewers, talk(False), events=1)


def test_one_question_per_outlet_until_every_outlet_has_asked(db) -> None:  # type: ignore[no-untyped-def]
    briefing = make_briefing(queue_policy=QueuePolicy.ONE_PER_OUTLET)
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel, li, zoe = (viewer(p) for p in briefing.journalists)
    first = actions.check_raise_hand(isabel, engagement)
    actions.check_give_floor(moderator, engagement, first.pk)
    actions.check_take_floor_back(moderator, engagement)
    actions.check_raise_hand(zoe, engagement)  # Latinus again
    actions.check_raise_hand(li, engagement)  # Xinhua, later, but has not asked
    queue = initial_state(engagement, moderator)["queue"]
    assert [(entry["name"], entry["asked_before"]) for entry in queue] == [
        ("李雷", False),
        ("Zoë Ångström", True),
    ]


def test_a_priority_list_puts_regional_outlets_first(db) -> None:  # type: ignore[no-untyped-def]
    briefing = make_briefing(queue_policy=QueuePolicy.PRIORITY, queue_priority=["CN"])
    engagement = briefing.engagement
    isabel, li = (viewer(p) for p in briefing.journalists[:2])
    actions.check_raise_hand(isabel, engagement)
    actions.check_raise_hand(li, engagement)
    extra = seat(engagement, Role.AUDIENCE, name="Student")
    actions.check_raise_hand(viewer(extra), engagement)
    queue = initial_state(engagement, viewer(briefing.moderator))["queue"]
    assert [entry["name"] for entry in queue] == ["李雷", "Isabel González", "Student"]
    assert [entry["place"] for entry in queue] == [1, 2, 3]


def test_a_double_click_on_a_picked_person_gives_the_floor_once(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    zoe = briefing.journalists[2].person_id
    verify_action(
        engagement, briefing.viewers, lambda: actions.check_give_floor(moderator, engagement, person_id=zoe)
    )
    verify_action(
        engagement,
        briefing.viewers,
        lambda: actions.check_give_floor(moderator, engagement, person_id=zoe),
        events=0,
    )
    assert Question.objects.filter(person_id=zoe).count() == 1


def test_picking_someone_whose_hand_is_up_answers_their_hand(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel = viewer(briefing.journalists[0])
    hand = actions.check_raise_hand(isabel, engagement)
    verify_action(
        engagement,
        briefing.viewers,
        lambda: actions.check_give_floor(moderator, engagement, person_id=isabel.person_id),
    )
    assert Question.objects.get(pk=hand.pk).state == QuestionState.ON_FLOOR
    assert initial_state(engagement, moderator)["queue"] == []


def test_a_person_has_at_most_three_written_questions_waiting(briefing: Briefing) -> None:
    isabel = viewer(briefing.journalists[0])
    asked = [actions.check_ask(isabel, briefing.engagement, f"Pregunta {n}") for n in range(3)]
    refused(ErrorCode.THROTTLED, lambda: actions.check_ask(isabel, briefing.engagement, "Una más"))
    actions.check_withdraw(isabel, briefing.engagement, asked[0].pk)
    actions.check_ask(isabel, briefing.engagement, "Una más")  # room again
    refused(ErrorCode.THROTTLED, lambda: actions.check_ask(isabel, briefing.engagement, "Y otra"))
    actions.check_ask(viewer(briefing.journalists[1]), briefing.engagement, "其他人可以")


def test_asking_is_throttled_per_person(briefing: Briefing) -> None:
    isabel = viewer(briefing.journalists[0])
    for number in range(actions.ASKED_PER_MINUTE):
        question = actions.check_ask(isabel, briefing.engagement, f"Question {number}")
        actions.check_withdraw(isabel, briefing.engagement, question.pk)
    refused(ErrorCode.THROTTLED, lambda: actions.check_ask(isabel, briefing.engagement, "One more"))


@pytest.mark.parametrize("character", ["\x85", "\x9b", "\u202e", "\u2066", "\u2028", "\ufeff", "\x00"])
def test_invisible_controls_are_refused(briefing: Briefing, character: str) -> None:
    text = f"reversed {character}text"
    refused(
        ErrorCode.INVALID,
        lambda: actions.check_ask(viewer(briefing.journalists[0]), briefing.engagement, text),
    )


def test_joiners_and_line_breaks_are_kept(briefing: Briefing) -> None:
    text = "می\u200cخواهم بپرسم\nलिखा\u200dहै\tok"
    question = actions.check_ask(viewer(briefing.journalists[0]), briefing.engagement, text)
    assert Question.objects.get(pk=question.pk).text == text


def test_a_withdrawn_question_cannot_be_taken(briefing: Briefing) -> None:
    isabel = viewer(briefing.journalists[0])
    question = actions.check_ask(isabel, briefing.engagement, "Never mind")
    actions.check_withdraw(isabel, briefing.engagement, question.pk)
    take = lambda: actions.check_take_question(viewer(briefing.moderator), briefing.engagement, question.pk)  # noqa: E731
    refused(ErrorCode.CONFLICT, take)
