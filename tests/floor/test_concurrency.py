"""Two consoles acting at once on PostgreSQL: the floor ends up with one holder, one question on the
floor, and one person allowed to publish; two guests taking an invitation's last place let one in."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from tests.factories.rooms import live_engagement, seat
from tests.floor.conftest import make_briefing, viewer
from virtualtrip.floor import actions
from virtualtrip.floor.enums import QuestionState
from virtualtrip.floor.invitations import (
    InvitationFull,
    check_join_with_invitation,
    do_issue_invitation,
    invitation_path,
)
from virtualtrip.floor.models import Briefing, Invitation, Question
from virtualtrip.realtime.protocol import Refused
from virtualtrip.rooms.queries import live_grants
from virtualtrip.trips.enums import EngagementKind, Role
from virtualtrip.trips.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*work) -> None:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(work))

    def run(step) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            step()
        except Refused:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_consoles_giving_the_floor_at_once_leave_one_question_on_it() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: this needs PostgreSQL (make test runs it)")
    from django.utils import timezone

    briefing = make_briefing()
    host = viewer(seat(briefing.engagement, Role.HOST, name="Hôte"))
    moderator, engagement = viewer(briefing.moderator), briefing.engagement
    for _round in range(actions.HANDS_PER_MINUTE - 1):
        first, second = (actions.check_raise_hand(viewer(p), engagement) for p in briefing.journalists[:2])
        at_once(
            lambda: actions.check_give_floor(moderator, engagement, first.pk),  # noqa: B023
            lambda: actions.check_give_floor(host, engagement, second.pk),  # noqa: B023
        )
        on_floor = list(Question.objects.filter(engagement=engagement, state=QuestionState.ON_FLOOR))
        holder = Briefing.objects.get(engagement=engagement)
        assert [q.pk for q in on_floor] == [holder.question_id]
        assert [g.person_id for g in live_grants(timezone.now())] == [holder.holder_id]
        actions.check_take_floor_back(moderator, engagement)
    assert not Question.objects.filter(state=QuestionState.ON_FLOOR).exists()


def test_two_guests_taking_an_invitations_last_place_at_once_let_one_in() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: this needs PostgreSQL (make test runs it)")
    engagement = live_engagement(kind=EngagementKind.TOWN_HALL)
    invitation = do_issue_invitation(engagement, acting_user=None, capacity=1)
    token = invitation_path(invitation).split("/")[-2]
    refused: list[str] = []

    def guest(name: str) -> Callable[[], None]:
        def join() -> None:
            try:
                check_join_with_invitation(token, name)
            except InvitationFull as full:
                refused.append(str(full))

        return join

    at_once(guest("Aroha"), guest("Tama"))
    assert Participant.objects.filter(engagement=engagement, role=Role.AUDIENCE).count() == 1
    assert Invitation.objects.get().joined == 1
    assert len(refused) == 1
