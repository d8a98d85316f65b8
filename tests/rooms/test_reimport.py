"""A re-import on the trip day changes only what changed: nobody in a live room loses their seat."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import as_yaml
from tests.html import texts
from tests.rooms.sockets import claim
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.rooms.models import JoinPass
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Engagement, Participant, Trip

ZONE = "Asia/Kathmandu"  # +05:45: a zone whose offset is not a whole hour
ROLES = ["principal", "counterpart", "delegation", "interpreter", "guide", "host"]


def live_trip_document(guests: int = 0) -> dict[str, Any]:
    """A trip whose one engagement is under way now, with six people in it (and `guests` more)."""
    local = datetime.now(ZoneInfo(ZONE)).replace(second=0, microsecond=0)
    people = [
        {"id": f"p{n}", "name": name, "country": "NP", "languages": ["ne"]}
        for n, name in enumerate(
            [
                "Ana Ñúñez",
                "Bishnu Thapa",
                "Chloé Zhào",
                "Dawa Sherpa",
                "Émile O'Brien",
                "Farida Al-Rashid",
                "Gökhan Yılmaz",
                "Hana 山田",
            ]
        )
    ]
    participants = [{"person": f"p{n}", "role": role} for n, role in enumerate(ROLES)]
    participants += [{"person": f"p{6 + n}", "role": "delegation"} for n in range(guests)]
    return {
        "format": "virtualtrip/1",
        "trip": {
            "slug": "kathmandu-day",
            "title": "A day in Kathmandu",
            "principal": "p0",
            "home": {"city": "Washington, D.C.", "timezone": "America/New_York"},
        },
        "people": people,
        "destinations": [
            {
                "country": "NP",
                "timezone": ZONE,
                "engagements": [
                    {
                        "id": "meeting",
                        "kind": "bilateral_meeting",
                        "title": "Meeting at the ministry",
                        "starts": f"{local - timedelta(minutes=10):%Y-%m-%dT%H:%M}",
                        "ends": f"{local + timedelta(hours=1):%Y-%m-%dT%H:%M}",
                        "coverage": "closed_press",
                        "participants": participants,
                    }
                ],
            }
        ],
    }


def import_trip(document: dict[str, Any], *, replace: bool) -> Trip:
    planned = check_import_trip(as_yaml(document), replace=replace, acting_user=None)
    return do_import_trip(planned, acting_user=None)


def in_room(browser: Client, engagement: Engagement) -> bool:
    return browser.get(reverse("rooms:room", args=[engagement.pk])).status_code == 200


@pytest.mark.django_db
def test_a_reimport_that_adds_a_guest_keeps_everyone_in_the_room(django_capture_on_commit_callbacks) -> None:
    import_trip(live_trip_document(), replace=False)
    engagement = Engagement.objects.get(key="meeting")
    participants = list(engagement.participants.order_by("position"))
    browsers = {participant.person_id: Client() for participant in participants}
    for participant in participants:
        assert (
            claim(
                browsers[participant.person_id], do_issue_join_link(participant, acting_user=None)
            ).status_code
            == 200
        )
    old_link = do_issue_join_link(participants[3], acting_user=None)
    new_link = do_issue_join_link(participants[3], acting_user=None, reissue=True)
    versions = dict(JoinPass.objects.values_list("person_id", "version"))

    document = live_trip_document(guests=1)
    document["destinations"][0]["engagements"][0]["title"] = "Meeting at the ministry, with a guest"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_trip(document, replace=True)

    assert callbacks == []  # nobody was revoked: no event, no pass retired
    assert list(Participant.objects.filter(engagement=engagement).order_by("position"))[:6] == participants
    assert dict(JoinPass.objects.values_list("person_id", "version")) == versions
    reissued = participants[3].person_id
    assert [in_room(browsers[p.person_id], engagement) for p in participants if p.person_id != reissued] == [
        True
    ] * 5
    assert not in_room(browsers[reissued], engagement)  # its link was replaced before the re-import
    assert claim(Client(), old_link).status_code == 403
    assert claim(browsers[reissued], new_link).status_code == 200
    assert in_room(browsers[reissued], engagement)
    assert Participant.objects.filter(engagement=engagement).count() == 7


@pytest.mark.django_db
def test_a_removed_person_put_back_does_not_revive_their_old_link(django_capture_on_commit_callbacks) -> None:
    document = live_trip_document(guests=1)
    import_trip(document, replace=False)
    guest = Participant.objects.get(person__key="p6")
    first_link = do_issue_join_link(guest, acting_user=None)
    browser = Client()
    assert claim(browser, first_link).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        import_trip(live_trip_document(), replace=True)  # the guest is taken off
    assert not in_room(browser, guest.engagement)
    with django_capture_on_commit_callbacks(execute=True):
        import_trip(document, replace=True)  # and put back

    back = Participant.objects.get(person__key="p6")
    assert claim(Client(), first_link).status_code == 403
    assert not in_room(browser, back.engagement)
    new_link = do_issue_join_link(back, acting_user=None)
    assert new_link != first_link
    assert claim(Client(), new_link).status_code == 200


@pytest.mark.django_db
def test_a_link_never_opened_is_retired_when_its_holder_is_taken_off(
    django_capture_on_commit_callbacks,
) -> None:
    document = live_trip_document(guests=1)
    import_trip(document, replace=False)
    shown = do_issue_join_link(Participant.objects.get(person__key="p6"), acting_user=None)
    JoinPass.objects.all().delete()  # shown on the staff page, which writes nothing: no pass yet
    with django_capture_on_commit_callbacks(execute=True):
        import_trip(live_trip_document(), replace=True)
    with django_capture_on_commit_callbacks(execute=True):
        import_trip(document, replace=True)
    refused = Client()
    refused.get(shown)
    answer = claim(refused, shown)
    assert answer.status_code == 403
    assert (
        answer.json()["error"]
        == "This link has been replaced by a newer one: use the latest link you received."
    )


@pytest.mark.django_db
def test_each_refusal_reads_the_same_on_the_link_page_the_claim_and_the_room() -> None:
    import_trip(live_trip_document(), replace=False)
    participant = Participant.objects.get(person__key="p1")
    link = do_issue_join_link(participant, acting_user=None)
    holder = Client()
    assert claim(holder, link).status_code == 200
    elsewhere = Client()
    expected = (
        "This link is already in use in another browser. A personal link works in one browser only; ask "
        "the trip's planners to re-issue it if you need to change browsers."
    )
    assert texts(elsewhere.get(link).content.decode(), css_class="reason") == [expected]
    assert claim(elsewhere, link).json()["error"] == expected
    do_issue_join_link(participant, acting_user=None, reissue=True)
    replaced = "This link has been replaced by a newer one: use the latest link you received."
    assert texts(Client().get(link).content.decode(), css_class="reason") == [replaced]
    page = holder.get(reverse("rooms:room", args=[participant.engagement_id]))
    assert texts(page.content.decode(), css_class="reason") == [replaced]


@pytest.mark.django_db
def test_a_reimport_that_moves_the_engagement_days_later_keeps_the_links_already_sent() -> None:
    document = live_trip_document()
    import_trip(document, replace=False)
    participant = Participant.objects.get(person__key="p1")
    sent = do_issue_join_link(participant, acting_user=None)
    meeting = document["destinations"][0]["engagements"][0]
    for key in ("starts", "ends"):
        moved = datetime.fromisoformat(meeting[key]) + timedelta(days=3)
        meeting[key] = f"{moved:%Y-%m-%dT%H:%M}"
    import_trip(document, replace=True)
    assert do_issue_join_link(Participant.objects.get(person__key="p1"), acting_user=None) == sent
    assert claim(Client(), sent).status_code == 200


@pytest.mark.django_db
def test_a_pass_made_by_another_request_between_the_check_and_the_bind_is_judged_as_the_check_would() -> None:
    """Two requests at once: the first click on a never-opened link, and a re-issue or another first
    click; the one that comes second is refused with its reason instead of a duplicate-pass error."""
    from virtualtrip.rooms.actions import _bind_to_device
    from virtualtrip.rooms.queries import PassReason, PassRefused

    import_trip(live_trip_document(), replace=False)
    participant = Participant.objects.get(person__key="p1")
    JoinPass.objects.create(engagement=participant.engagement, person=participant.person, version=2)
    with pytest.raises(PassRefused) as replaced:
        _bind_to_device(participant, None, "this-browser", 1)
    assert replaced.value.reason == PassReason.REPLACED
    JoinPass.objects.filter(person=participant.person).update(version=1, device="other-browser")
    with pytest.raises(PassRefused) as elsewhere:
        _bind_to_device(participant, None, "this-browser", 1)
    assert elsewhere.value.reason == PassReason.ELSEWHERE
    assert _bind_to_device(participant, None, "other-browser", 1).device == "other-browser"
