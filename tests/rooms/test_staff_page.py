"""The engagement's staff page: join links, re-issuing one, and the room's recording."""

import re
import shutil
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories.rooms import live_engagement, seat
from tests.html import texts
from tests.rooms.sockets import claim
from virtualtrip.rooms import actions
from virtualtrip.rooms.channels import autonym
from virtualtrip.rooms.ending import process_recording
from virtualtrip.rooms.links import read_join_token
from virtualtrip.rooms.models import JoinPass, RecordingTrack
from virtualtrip.rooms.recordings import raw_folder
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Participant

pytestmark = pytest.mark.django_db


def join_links(page: str) -> set[str]:
    return set(re.findall(r'http://testserver(/join/[^"<]+)', page))


def principal_link(path: str) -> bool:
    return (
        read_join_token(path.removeprefix("/join/").rstrip("/")).person_id
        == Participant.objects.get(role=Role.PRINCIPAL).person_id
    )


FIXTURE = sorted((Path(__file__).parent / "fixtures").glob("*.mjr"))[0]


def staff_page(client: Client, engagement_id: int) -> str:
    answer = client.get(f"/rooms/{engagement_id}/links/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_only_staff_see_the_page() -> None:
    engagement = live_engagement()
    answer = Client().get(f"/rooms/{engagement.pk}/links/")
    assert answer.status_code == 302
    assert "/admin/login/" in answer["Location"]


def test_staff_see_each_link_and_a_reissued_one_replaces_the_old(admin_client) -> None:
    engagement = live_engagement(title="Town hall with the mission")
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone")
    before = actions.do_issue_join_link(principal, acting_user=None)
    page = staff_page(admin_client, engagement.pk)
    assert texts(page, tag="h1") == ["Town hall with the mission"]
    assert before in page
    admin_client.post(f"/rooms/{engagement.pk}/links/", {"participant": principal.pk})
    after = staff_page(admin_client, engagement.pk)
    assert before not in after
    assert actions.do_issue_join_link(principal, acting_user=None) in after


def test_showing_the_links_writes_nothing_and_a_shown_link_opens_the_room(admin_client) -> None:
    engagement = live_engagement()
    principal = seat(engagement, Role.PRINCIPAL)
    seat(engagement, Role.COUNTERPART)
    page = staff_page(admin_client, engagement.pk)
    assert JoinPass.objects.count() == 0
    (shown,) = [path for path in join_links(page) if principal_link(path)]
    assert claim(Client(), shown).status_code == 200
    assert (JoinPass.objects.get().person_id, JoinPass.objects.get().engagement_id) == (
        principal.person_id,
        engagement.pk,
    )
    assert join_links(staff_page(admin_client, engagement.pk)) == join_links(page)  # however often shown
    assert claim(Client(), shown).status_code == 403  # in use in the first browser


def test_recording_section_follows_the_room(admin_client, settings, tmp_path) -> None:
    settings.RECORDINGS_DIR = tmp_path
    engagement = live_engagement(record=True)
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone", title="Secretary of State")
    assert "Its audio is made when the meeting ends" in staff_page(admin_client, engagement.pk)

    room = actions.do_end_room(actions.do_open_room(engagement), acting="Host")
    assert "The audio is being made" in staff_page(admin_client, engagement.pk)

    process_recording(room.pk)
    page = staff_page(admin_client, engagement.pk)
    assert "The audio could not be made:" in page
    assert "no audio was recorded" in page

    raw_folder(engagement.pk).mkdir(parents=True)
    shutil.copy(FIXTURE, raw_folder(engagement.pk) / f"p{principal.person_id}-1-audio-0.mjr")
    admin_client.post(f"/rooms/{engagement.pk}/links/", {"remake": "1"})
    process_recording(room.pk)
    page = staff_page(admin_client, engagement.pk)
    assert page.count("<audio controls") == 2
    assert "Avery Stone — Secretary of State" in page


def test_a_track_downloads_for_staff_only_and_only_under_its_engagement(
    admin_client, settings, tmp_path
) -> None:
    settings.RECORDINGS_DIR = tmp_path
    engagement = live_engagement(record=True)
    room = actions.do_end_room(actions.do_open_room(engagement), acting="Host")
    raw_folder(engagement.pk).mkdir(parents=True)
    shutil.copy(FIXTURE, raw_folder(engagement.pk) / "p1-1-audio-0.mjr")
    process_recording(room.pk)
    track = room.tracks.get(speaker="")
    path = f"/rooms/{engagement.pk}/recordings/{track.pk}/"

    answer = admin_client.get(path)
    assert answer["Content-Type"] == "audio/ogg"
    assert b"".join(answer.streaming_content).startswith(b"OggS")
    assert Client().get(path).status_code == 302
    other = live_engagement()
    assert admin_client.get(f"/rooms/{other.pk}/recordings/{track.pk}/").status_code == 404
    (tmp_path / track.file).unlink()
    assert admin_client.get(path).status_code == 404


def test_reissuing_a_link_nobody_used_yet_replaces_it(admin_client) -> None:
    engagement = live_engagement()
    principal = seat(engagement, Role.PRINCIPAL)
    (shown,) = join_links(staff_page(admin_client, engagement.pk))  # sent, say, to the wrong person
    admin_client.post(f"/rooms/{engagement.pk}/links/", {"participant": principal.pk})
    (new,) = join_links(staff_page(admin_client, engagement.pk))
    assert new != shown
    assert claim(Client(), shown).status_code == 403
    assert claim(Client(), new).status_code == 200


def test_each_track_says_whether_it_is_the_floor_a_channel_or_an_interpreter(admin_client) -> None:
    engagement = live_engagement(record=True)
    room = actions.do_end_room(actions.do_open_room(engagement), acting="Host")
    for speaker, language in [("", ""), ("", "fr"), ("", "yo"), ("Ngozi Ọkafọr", "fr"), ("Avery Stone", "")]:
        RecordingTrack.objects.create(
            room=room,
            speaker=speaker,
            language=language,
            file=f"engagement-{engagement.pk}/{speaker or language or 'room'}.ogg",
            starts_at=timezone.now(),
            duration_seconds=1,
            size_bytes=1,
        )
    cells = texts(staff_page(admin_client, engagement.pk), tag="td")
    yoruba = autonym("yo")
    assert yoruba != "yo"
    for label in [
        "Whole room",
        "Channel: Français",
        f"Channel: {yoruba}",
        "Ngozi Ọkafọr, interpreting into Français",
        "Avery Stone",
    ]:
        assert label in cells
