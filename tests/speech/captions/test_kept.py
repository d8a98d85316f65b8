"""What the room is told about a voice, and the captions kept after the engagement."""

from datetime import timedelta
from typing import Any

import pytest
import webvtt
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.speech.conftest import import_script_trip
from tests.speech.scripts import ADEYEMI, BACKGROUND, BRANDT, SHORT
from virtualtrip.rooms.actions import do_open_room
from virtualtrip.rooms.queries import FeedVoice
from virtualtrip.speech.actions import do_keep_caption
from virtualtrip.speech.captions.kept import captions_vtt
from virtualtrip.speech.captions.voices import caption_label
from virtualtrip.speech.captions.worker import UpdateBudget
from virtualtrip.speech.models import Caption
from virtualtrip.speech.speakers import speakers_for
from virtualtrip.trips.models import Person

pytestmark = pytest.mark.django_db


def voice_of(person_key: str, display: str = "") -> FeedVoice:
    return FeedVoice(1, Person.objects.get(key=person_key).pk, display)


def test_a_voice_is_labelled_as_the_transcript_labels_it() -> None:
    engagement = import_script_trip(SHORT)
    assert caption_label(engagement, voice_of(ADEYEMI.id)) == "MODERATOR"
    assert caption_label(engagement, voice_of(BRANDT.id)) == BRANDT.label
    assert caption_label(engagement, FeedVoice(2, None, "Ōta Hanako — Trip staff")) == "ŌTA HANAKO"
    assert caption_label(engagement, None) == "PARTICIPANT"


def test_on_background_the_briefer_is_the_attribution() -> None:
    engagement = import_script_trip(BACKGROUND)
    briefer = next(p for p in BACKGROUND.people if p.role == "briefer")
    assert caption_label(engagement, voice_of(briefer.id, engagement.attribution)) == BACKGROUND.attribution


def test_a_voice_is_labelled_as_its_transcript_speaker_in_two_queries_whatever_the_trip(
    django_assert_num_queries: Any,
) -> None:
    engagement = import_script_trip(BACKGROUND)
    speakers = speakers_for(engagement)
    for person in Person.objects.filter(trip=engagement.trip):
        voice = FeedVoice(1, person.pk, "Someone — Trip staff")
        with django_assert_num_queries(2):  # the person, their role: not the whole trip each update
            label = caption_label(engagement, voice)
        assert label == speakers[person.key].label


def test_a_person_of_another_trip_is_labelled_by_display_only() -> None:
    engagement = import_script_trip(SHORT)
    other = import_script_trip(BACKGROUND)
    namesake = Person.objects.get(trip=other.trip, key=ADEYEMI.id)  # both trips have a person of this id
    assert caption_label(engagement, FeedVoice(3, namesake.pk, "")) == "PARTICIPANT"


def test_partial_updates_are_held_to_a_few_a_second_and_finished_cues_always_go() -> None:
    budget = UpdateBudget(per_second=4)
    sent = [budget.allows(False, at / 100) for at in range(100)]  # 100 partials in one second
    assert sum(sent) == 4
    assert all(budget.allows(True, 0.5) for _ in range(10))


def test_kept_captions_are_webvtt_on_the_rooms_clock_with_voices() -> None:
    engagement = import_script_trip(SHORT)
    room = do_open_room(engagement)
    opened = room.opened_at
    assert opened is not None
    do_keep_caption(
        engagement.pk,
        "MODERATOR",
        "Go ahead, <Lucía> & co.",
        opened + timedelta(seconds=61.5),
        opened + timedelta(seconds=63),
    )
    do_keep_caption(
        engagement.pk,
        BRANDT.label,
        "Thank you.",
        opened + timedelta(seconds=64),
        opened + timedelta(seconds=65),
    )
    cues = webvtt.from_string(captions_vtt(engagement)).captions
    assert [(c.start, c.voice, c.text) for c in cues] == [
        ("00:01:01.500", "MODERATOR", "Go ahead, &lt;Lucía&gt; &amp; co."),  # escaped, as WebVTT must
        ("00:01:04.000", BRANDT.label, "Thank you."),
    ]


def test_no_captions_is_an_empty_webvtt_file() -> None:
    engagement = import_script_trip(SHORT)
    assert webvtt.from_string(captions_vtt(engagement)).captions == []


def test_only_staff_download_the_captions() -> None:
    engagement = import_script_trip(SHORT)
    now = timezone.now()
    do_keep_caption(engagement.pk, "MODERATOR", "Good afternoon.", now, now + timedelta(seconds=2))
    url = f"/speech/{engagement.pk}/captions.vtt"
    assert Client().get(url).status_code == 302  # to the login page
    staff = Client()
    staff.force_login(User.objects.create_user("desk-ü", is_staff=True))
    response = staff.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    assert "Good afternoon." in response.content.decode()


def test_a_label_longer_than_its_column_is_cut_to_fit() -> None:
    engagement = import_script_trip(SHORT)
    now = timezone.now()
    do_keep_caption(engagement.pk, "Ō" * 400, "Good afternoon.", now, now + timedelta(seconds=1))
    assert len(Caption.objects.get(engagement=engagement).speaker) == 300
