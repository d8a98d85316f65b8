"""The floor log, as `virtualtrip floor-log` exports it: the documented fields, built from the events."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.floor.conftest import Briefing, make_briefing, viewer
from virtualtrip.floor import actions
from virtualtrip.floor.enums import QuestionKind
from virtualtrip.trips.enums import GroundRules

pytestmark = pytest.mark.django_db
TOP = {"format", "trip", "engagement", "title", "timezone", "ground_rules", "status", "ended_at", "turns",
       "questions", "talking", "events"}  # fmt: skip


def exported(briefing: Briefing) -> dict[str, Any]:
    out = StringIO()
    call_command("floor_log", briefing.engagement.trip.slug, briefing.engagement.key, stdout=out)
    log: dict[str, Any] = json.loads(out.getvalue())
    return log


def run_a_briefing(briefing: Briefing) -> None:
    engagement, moderator = briefing.engagement, viewer(briefing.moderator)
    isabel, li, zoe = briefing.journalists
    ahead = actions.do_add_question(engagement, zoe.person_id, QuestionKind.AHEAD, "Submitted ahead")
    hand = actions.check_raise_hand(viewer(isabel), engagement)
    written = actions.check_ask(viewer(li), engagement, "¿Visas?")
    actions.check_read_aloud(moderator, engagement, ahead.pk)
    actions.check_give_floor(moderator, engagement, hand.pk)
    actions.do_note_talking(engagement.pk, isabel.person_id, True, engagement.starts_at)
    actions.do_note_talking(engagement.pk, isabel.person_id, False, engagement.ends_at)
    actions.check_follow_up(moderator, engagement)
    actions.check_give_floor(moderator, engagement, written.pk)
    actions.check_take_question(moderator, engagement, written.pk)
    actions.check_one_more(moderator, engagement)
    actions.check_end(moderator, engagement)


def test_the_log_holds_turns_questions_and_talking(briefing: Briefing) -> None:
    run_a_briefing(briefing)
    log = exported(briefing)
    assert set(log) == TOP
    assert log["format"] == "virtualtrip-floor-log/1"
    isabel, li = (p.person for p in briefing.journalists[:2])
    assert [(t["person"], t["name"], len(t["follow_ups"]), t["kind"]) for t in log["turns"]] == [
        (isabel.key, "Isabel González", 1, "hand"),
        (li.key, "李雷", 0, "written"),
    ]
    assert all(turn["to"] for turn in log["turns"])
    assert {q["name"]: q["outcome"] for q in log["questions"]} == {
        "Zoë Ångström": "read_aloud",
        "Isabel González": "asked",
        "李雷": "taken",
    }
    assert log["talking"] == [
        {
            "person": isabel.key,
            "name": "Isabel González",
            "outlet": "Latinus",
            "country": "MX",
            "from": briefing.engagement.starts_at.isoformat(),
            "to": briefing.engagement.ends_at.isoformat(),
        }
    ]
    assert [event["seq"] for event in log["events"]] == list(range(1, len(log["events"]) + 1))
    assert log["events"][-1]["type"] == "briefing.ended"
    assert log["status"] == "ended"


def test_on_background_the_log_never_names_the_briefer(db) -> None:  # type: ignore[no-untyped-def]
    briefing = make_briefing(ground_rules=GroundRules.BACKGROUND, attribution="A SENIOR OFFICIAL")
    actions.do_note_talking(
        briefing.engagement.pk, briefing.briefer.person_id, True, briefing.engagement.starts_at
    )
    run_a_briefing(briefing)
    text = json.dumps(exported(briefing), ensure_ascii=False)
    assert briefing.briefer.person.name not in text
    assert briefing.briefer.person.key not in text
    assert '"name": "A SENIOR OFFICIAL"' in text


def test_an_unknown_engagement_is_named(briefing: Briefing) -> None:
    with pytest.raises(CommandError, match="no engagement 'nope' in trip"):
        call_command("floor_log", briefing.engagement.trip.slug, "nope")


def test_an_id_that_is_not_utf8_is_named(briefing: Briefing) -> None:
    with pytest.raises(CommandError, match="the trip id is not text in UTF-8"):
        call_command("floor_log", "\udcff", briefing.engagement.key)
