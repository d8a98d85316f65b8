"""Audience invitations to town halls: staff issue a signed link; whoever opens it gives a name and
joins as audience through their own join link (and the lobby, when audience waits there)."""

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories.rooms import live_engagement
from virtualtrip.floor.invitations import (
    SALT,
    InvitationFull,
    check_join_with_invitation,
    do_issue_invitation,
    invitation_path,
)
from virtualtrip.floor.models import Invitation
from virtualtrip.rooms.links import read_join_token
from virtualtrip.trips.enums import EngagementKind, Role
from virtualtrip.trips.models import Engagement, Participant

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db


def town_hall(**fields: object) -> Engagement:
    """A town hall under way in Chatham's zone (UTC+12:45)."""
    return live_engagement(kind=EngagementKind.TOWN_HALL, timezone="Pacific/Chatham", **fields)


def audience(engagement: Engagement) -> list[Participant]:
    return list(
        Participant.objects.filter(engagement=engagement, role=Role.AUDIENCE).select_related("person")
    )


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("Tāne", password="a-long-test-password", is_staff=True))
    return client


def test_staff_issue_an_invitation_and_its_link_is_on_the_staff_page(staff: Client) -> None:
    engagement = town_hall()
    response = staff.post(reverse("floor:invite", args=[engagement.pk]), follow=True)
    invitation = Invitation.objects.get()
    assert invitation.created_by == User.objects.get(username="Tāne")
    assert invitation.expires_at == engagement.ends_at + timedelta(hours=12)
    assert f'value="http://testserver{invitation_path(invitation)}"' in response.content.decode()


def test_invitations_are_for_town_halls(staff: Client) -> None:
    engagement = live_engagement(kind=EngagementKind.PRESS_BRIEFING)
    page = staff.post(reverse("floor:invite", args=[engagement.pk]), follow=True).content.decode()
    assert "Audience invitations are for town halls." in page
    assert Invitation.objects.count() == 0


def test_only_staff_issue_invitations() -> None:
    engagement = town_hall()
    client = Client()
    client.force_login(User.objects.create_user("guest", password="a-long-test-password"))
    assert client.post(reverse("floor:invite", args=[engagement.pk])).status_code == 302
    assert Invitation.objects.count() == 0


def test_a_guest_gives_a_name_and_is_sent_to_their_join_link_through_the_lobby() -> None:
    engagement = town_hall()
    link = invitation_path(do_issue_invitation(engagement, acting_user=None))
    guest = Client()
    assert "Your name, as the room shows it" in guest.get(link).content.decode()
    response = guest.post(link, {"name": "  Aroha Ngata-Whānau  "})
    [participant] = audience(engagement)
    assert (participant.person.name, participant.person.from_trip_file) == ("Aroha Ngata-Whānau", False)
    assert response.status_code == 302
    token = response["Location"].removeprefix("/join/").rstrip("/")
    assert read_join_token(token).person_id == participant.person_id
    room = guest.get(response["Location"]).content.decode()
    assert '"inLobby": true' in room  # audience waits in the lobby by default
    assert Invitation.objects.get().joined == 1


def test_opening_the_invitation_again_in_the_same_browser_goes_back_to_the_same_seat() -> None:
    engagement = town_hall()
    link = invitation_path(do_issue_invitation(engagement, acting_user=None))
    guest = Client()
    first = guest.post(link, {"name": "Sione"})
    assert guest.get(link)["Location"] == first["Location"]
    assert guest.post(link, {"name": "Sione again"})["Location"] == first["Location"]
    assert len(audience(engagement)) == 1
    assert Client().post(link, {"name": "Sione"})["Location"] != first["Location"]  # another browser


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "Write the name you want the room to show."),
        ("Ｗ" * 81, "A name is at most 80 characters; this one has 81."),
        ("Ana\x1b[31m", "Remove the control characters"),
        ("Ana\nModerator", "Remove the control characters"),
        ("Ana \u202eRETARIDOM", "Remove the control characters"),
    ],
)
def test_unusable_names_are_refused_and_nobody_joins(name: str, message: str) -> None:
    engagement = town_hall()
    link = invitation_path(do_issue_invitation(engagement, acting_user=None))
    response = Client().post(link, {"name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert audience(engagement) == []


def test_a_forged_invitation_gets_a_clear_page() -> None:
    engagement = town_hall()
    invitation = do_issue_invitation(engagement, acting_user=None)
    forged = signing.Signer(salt="another-salt").sign_object({"i": invitation.pk, "e": engagement.pk})
    for token in (forged, invitation_path(invitation).split("/")[-2][:-3] + "abc"):
        response = Client().post(reverse("floor:invitation", args=[token]), {"name": "Mallory"})
        assert response.status_code == 403
        assert "This invitation is not one of ours" in response.content.decode()
    assert audience(engagement) == []


def test_an_expired_or_withdrawn_invitation_gets_a_clear_page(staff: Client) -> None:
    engagement = town_hall()
    expired = do_issue_invitation(
        engagement, acting_user=None, expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = Client().get(invitation_path(expired))
    assert page.status_code == 403
    assert "This invitation expired on" in page.content.decode()
    withdrawn = do_issue_invitation(engagement, acting_user=None)
    staff.post(reverse("floor:withdraw-invitation", args=[engagement.pk, withdrawn.pk]))
    response = Client().post(invitation_path(withdrawn), {"name": "Late"})
    assert response.status_code == 403
    assert "This invitation has been withdrawn." in response.content.decode()
    assert audience(engagement) == []


def test_an_invitation_names_its_engagement_and_no_other() -> None:
    """A valid signature over another engagement's id does not open this invitation."""
    engagement, other = town_hall(), town_hall()
    invitation = do_issue_invitation(engagement, acting_user=None)
    swapped = signing.Signer(salt=SALT).sign_object({"i": invitation.pk, "e": other.pk})
    assert Client().post(reverse("floor:invitation", args=[swapped]), {"name": "Eve"}).status_code == 403
    assert audience(engagement) == audience(other) == []


def test_joining_needs_the_csrf_token() -> None:
    engagement = town_hall()
    link = invitation_path(do_issue_invitation(engagement, acting_user=None))
    client = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in client.get(link).content.decode()
    assert client.post(link, {"name": "Tui"}).status_code == 403
    assert audience(engagement) == []


def join(link: str, name: str) -> "Response":
    return Client().post(link, {"name": name})


def test_staff_give_an_invitation_a_capacity_and_the_staff_page_shows_used_of_capacity(staff: Client) -> None:
    engagement = town_hall()
    staff.post(reverse("floor:invite", args=[engagement.pk]), {"capacity": "2"})
    invitation = Invitation.objects.get()
    assert invitation.capacity == 2
    join(invitation_path(invitation), "Aroha")
    page = staff.get(reverse("floor:staff", args=[engagement.pk])).content.decode()
    assert "1 of 2" in page
    join(invitation_path(invitation), "Tama")
    page = staff.get(reverse("floor:staff", args=[engagement.pk])).content.decode()
    assert '2 of 2 <span class="state">full</span>' in page


def test_an_invitation_without_a_capacity_has_no_limit_but_its_expiry(staff: Client) -> None:
    engagement = town_hall()
    staff.post(reverse("floor:invite", args=[engagement.pk]), {"capacity": ""})
    invitation = Invitation.objects.get()
    assert invitation.capacity is None
    for n in range(3):
        assert join(invitation_path(invitation), f"Guest {n}").status_code == 302
    page = staff.get(reverse("floor:staff", args=[engagement.pk])).content.decode()
    assert "3 (no limit)" in page


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("0", "An invitation is for 1 to 100000 people"),
        ("-4", "An invitation is for 1 to 100000 people"),
        ("100001", "An invitation is for 1 to 100000 people"),
        ("ten", "Enter a whole number."),
    ],
)
def test_a_capacity_that_is_not_a_number_of_people_is_refused(
    staff: Client, capacity: str, message: str
) -> None:
    engagement = town_hall()
    response = staff.post(reverse("floor:invite", args=[engagement.pk]), {"capacity": capacity}, follow=True)
    assert message in response.content.decode()
    assert Invitation.objects.count() == 0


def test_joining_a_full_invitation_is_refused_with_a_clear_page_and_changes_nothing() -> None:
    engagement = town_hall()
    link = invitation_path(do_issue_invitation(engagement, acting_user=None, capacity=2))
    first = Client()
    assert first.post(link, {"name": "Aroha"}).status_code == 302
    assert join(link, "Tama").status_code == 302
    refused = join(link, "Late")
    assert refused.status_code == 403
    assert "This invitation is full: it was for 2 people, who have all joined." in refused.content.decode()
    opened = Client().get(link)
    assert opened.status_code == 403
    assert "This invitation is full" in opened.content.decode()
    assert [p.person.name for p in audience(engagement)] == ["Aroha", "Tama"]
    assert Invitation.objects.get().joined == 2
    assert first.get(link).status_code == 302  # someone who joined goes back to their seat


def test_a_full_invitation_refuses_before_it_reads_the_name() -> None:
    engagement = town_hall()
    invitation = do_issue_invitation(engagement, acting_user=None, capacity=1)
    token = invitation_path(invitation).split("/")[-2]
    check_join_with_invitation(token, "Aroha")
    with pytest.raises(InvitationFull, match="it was for 1 person, who has joined"):
        check_join_with_invitation(token, "\x1b")
    assert len(audience(engagement)) == 1
    assert Invitation.objects.get().joined == 1


def test_a_name_refused_takes_no_place() -> None:
    engagement = town_hall()
    link = invitation_path(do_issue_invitation(engagement, acting_user=None, capacity=1))
    assert join(link, "Ana\x1b[31m").status_code == 400
    assert Invitation.objects.get().joined == 0
    assert join(link, "Ana").status_code == 302
