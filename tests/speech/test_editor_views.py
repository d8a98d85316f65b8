"""The editor's pages: who sees them, the forms with and without the script, the audio in parts."""

from typing import cast

import pytest
from django.contrib.auth.models import User
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from tests.factories.publishing import desk_user
from tests.speech.conftest import import_script_trip
from tests.speech.editing import Made, Turn, editor_user, stored, url
from tests.speech.scripts import BACKGROUND
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.models import Document
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.speech.actions import do_store_transcript
from virtualtrip.speech.models import Transcript
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


@pytest.fixture
def editor_client(client: Client) -> Client:
    client.force_login(editor_user())
    return client


def streamed(answer: HttpResponseBase) -> bytes:
    return b"".join(cast(FileResponse, answer).streaming_content)  # type: ignore[arg-type]


def fresh(transcript: Transcript) -> Transcript:
    return Transcript.objects.get(pk=transcript.pk)


# The page ---------------------------------------------------------------------------------------------


def test_the_editor_shows_each_paragraph_with_its_speaker_and_start_beside_the_audio(
    editor_client: Client, transcript: Transcript, track: RecordingTrack
) -> None:
    page = editor_client.get(url("editor", transcript.engagement))
    html = page.content.decode()
    assert page.status_code == 200
    audio = url("audio", transcript.engagement)
    assert f'<audio id="transcript-audio" controls preload="metadata" src="{audio}">' in html
    assert [p["speaker"] for p in page.context["paragraphs"]] == [
        "MODERATOR",
        "ENVOY BRANDT",
        "MODERATOR",
        "QUESTION",
        "ENVOY BRANDT",
    ]
    assert 'id="p-1" class="paragraph" data-index="1" data-start="5.600" data-end="10.800"' in html
    assert "▶ 0:05</button>" in html
    assert html.count('class="paragraph-form stacked"') == 5
    assert html.count('class="undo-form inline"') == 4


def test_html_in_a_paragraph_is_shown_as_text(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    typed = '<img src=x onerror="alert(1)">'
    editor_client.post(
        url("editor-paragraph", engagement, 0),
        {"text": typed, "speaker": "label:MODERATOR", "version": 1},
    )
    html = editor_client.get(url("editor", engagement)).content.decode()
    assert "<img src=x" not in html
    assert '<p class="text">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>' in html


def test_staff_who_are_not_editors_read_it_without_forms(client: Client, transcript: Transcript) -> None:
    client.force_login(desk_user("clearer"))
    html = client.get(url("editor", transcript.engagement)).content.decode()
    assert ("paragraph-form" in html, "undo-form" in html, "send-form" in html) == (False, False, False)
    assert "only editors (the Editors group) may change it" in html


def test_people_who_are_not_staff_are_sent_to_log_in(client: Client, transcript: Transcript) -> None:
    engagement = transcript.engagement
    answers = [client.get(url("editor", engagement)), client.get(url("audio", engagement))]
    client.force_login(User.objects.create_user("visitor"))
    answers += [client.get(url("editor", engagement)), client.get(url("audio", engagement))]
    assert [(a.status_code, a["Location"].split("?")[0]) for a in answers] == [(302, "/admin/login/")] * 4


def test_an_unknown_engagement_is_not_found(editor_client: Client) -> None:
    assert editor_client.get(reverse("speech:editor", args=[999_999])).status_code == 404


def test_before_a_transcript_the_page_says_there_is_none(
    editor_client: Client, engagement: Engagement
) -> None:
    page = editor_client.get(url("editor", engagement))
    assert (page.status_code, "There is no transcript of this engagement yet" in page.content.decode()) == (
        200,
        True,
    )


def test_on_background_the_page_never_names_the_briefer(client: Client) -> None:
    engagement = import_script_trip(BACKGROUND)
    words = ["Thank", "you.", "The", "talks", "went", "well."]
    stored(
        engagement,
        Made([Turn("tomasz-zielinski", words, 0.0, 3.0), Turn("marcus-adeyemi", ["Thanks."], 3.5, 4)]),
    )
    client.force_login(editor_user())
    html = client.get(url("editor", engagement)).content.decode()
    assert "A SENIOR STATE DEPARTMENT OFFICIAL:" in html
    assert ("Zieli" in html, "tomasz" in html) == (False, False)


# The forms --------------------------------------------------------------------------------------------


def test_a_paragraph_saved_by_the_script_is_answered_with_the_next_version(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    answer = editor_client.post(
        url("editor-paragraph", engagement, 3),
        {"text": "When does it open?", "speaker": "person:lucia-gonzalez", "version": 1},
        headers=JSON,
    )
    assert (answer.status_code, answer.json()) == (
        200,
        {
            "version": 2,
            "paragraph": {
                "index": 3,
                "speaker": "QUESTION",
                "choice": "person:lucia-gonzalez",
                "text": "When does it open?",
            },
            "message": "Paragraph 4 is saved.",
        },
    )


def test_a_paragraph_saved_without_the_script_goes_back_to_it(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    answer = editor_client.post(
        url("editor-paragraph", engagement, 3),
        {"text": "When does it open?", "speaker": "label:QUESTION", "version": 1},
        follow=True,
    )
    assert answer.redirect_chain == [(url("editor", engagement) + "#p-3", 302)]
    assert [str(m) for m in answer.context["messages"]] == ["Paragraph 4 is saved."]


@pytest.mark.parametrize(
    ("index", "fields", "status", "error"),
    [
        (0, {"version": 0}, 409, "you have version 0, it is now at version 1"),
        (0, {"text": "bad\x07"}, 400, "contains a control character (U+0007)"),
        (0, {"speaker": "person:nobody"}, 400, "Choose the speaker from the list"),
        (0, {"version": "x"}, 400, "The form has no version of the transcript"),
        (9, {}, 404, "The transcript has no paragraph 10."),
    ],
)
def test_a_refused_save_says_why_and_changes_nothing(
    editor_client: Client,
    transcript: Transcript,
    engagement: Engagement,
    index: int,
    fields: dict[str, object],
    status: int,
    error: str,
) -> None:
    form = {"text": "New words.", "speaker": "label:MODERATOR", "version": 1, **fields}
    answer = editor_client.post(url("editor-paragraph", engagement, index), form, headers=JSON)
    assert (answer.status_code, error in answer.json()["error"]) == (status, True)
    assert fresh(transcript).version == 1


def test_a_refused_save_without_the_script_shows_its_message(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    form = {"text": "New words.", "speaker": "label:MODERATOR", "version": 0}
    answer = editor_client.post(url("editor-paragraph", engagement, 0), form, follow=True)
    assert [str(m).split(" (")[0] for m in answer.context["messages"]] == [
        "This transcript changed after you opened it"
    ]


def test_only_editors_may_post_and_only_with_the_forms_token(
    client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    form = {"text": "New words.", "speaker": "label:MODERATOR", "version": 1}
    target = url("editor-paragraph", engagement, 0)
    answers = [client.post(target, form, headers=JSON).status_code]
    client.force_login(desk_user("clearer"))
    answers.append(client.post(target, form, headers=JSON).status_code)
    answers.append(client.post(url("editor-send", engagement), {"version": 1}).status_code)
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(editor_user())
    answers.append(guarded.post(target, form, headers=JSON).status_code)
    answers.append(guarded.get(target).status_code)
    assert answers == [403, 403, 403, 403, 405]
    assert (fresh(transcript).version, Document.objects.count()) == (1, 0)


def test_undo_by_the_script_answers_with_the_paragraph_and_a_second_undo_does_nothing(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    first = editor_client.post(url("editor-undo", engagement, 2), {"version": 1}, headers=JSON).json()
    second = editor_client.post(url("editor-undo", engagement, 2), {"version": 1}, headers=JSON).json()
    assert first == {
        "version": 2,
        "paragraph": {
            "index": 2,
            "speaker": "MODERATOR",
            "choice": "person:marcus-adeyemi",
            "text": "Go ahead, Lucia Gonzales of El Diario del Norte.",
        },
        "undone": 2,
        "message": "The correction is undone: the paragraph reads what was heard.",
    }
    assert second == {
        "version": 2,
        "paragraph": None,
        "undone": 2,
        "message": "This correction was undone already.",
    }


def test_an_undone_correction_is_listed_as_undone(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    editor_client.post(url("editor-undo", engagement, 0), {"version": 1})
    html = editor_client.get(url("editor", engagement)).content.decode()
    assert '<li id="c-0" class="correction undone">' in html
    assert html.count('class="undo-form inline"') == 3


def test_sending_to_clearance_goes_back_to_the_editor_with_the_documents_state(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    answer = editor_client.post(url("editor-send", engagement), {"version": 1}, follow=True)
    document = Document.objects.get()
    assert answer.redirect_chain == [(url("editor", engagement) + "#clearance", 302)]
    assert [str(m) for m in answer.context["messages"]] == [
        "The transcript is in clearance as a new document."
    ]
    assert (document.state, answer.context["document"]) == (Clearance.IN_CLEARANCE, document)
    again = editor_client.post(url("editor-send", engagement), {"version": 1}, headers=JSON)
    assert again.json() == {
        "document": document.pk,
        "state": "in_clearance",
        "message": "Nothing to send: the transcript document already has this text and is past draft.",
    }


# The audio --------------------------------------------------------------------------------------------


def test_the_audio_is_the_rooms_mix_whole_with_ranges_offered(
    editor_client: Client, engagement: Engagement, track: RecordingTrack, settings
) -> None:  # type: ignore[no-untyped-def]
    answer = editor_client.get(url("audio", engagement))
    whole = (settings.RECORDINGS_DIR / track.file).read_bytes()
    assert (answer.status_code, answer["Accept-Ranges"], answer["Content-Type"]) == (
        200,
        "bytes",
        "audio/x-wav",
    )
    assert (streamed(answer), answer["Content-Length"]) == (whole, str(len(whole)))


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, None),
        ("bytes=-10", -10, None),
        ("bytes=32000-99999", 32000, None),
    ],
)
def test_a_range_of_the_audio_is_partial_content(
    editor_client: Client,
    engagement: Engagement,
    track: RecordingTrack,
    settings,
    asked: str,
    first: int,
    last: int | None,
) -> None:  # type: ignore[no-untyped-def]
    whole = (settings.RECORDINGS_DIR / track.file).read_bytes()
    part = whole[first : None if last is None else last + 1]
    start = first % len(whole)
    answer = editor_client.get(url("audio", engagement), HTTP_RANGE=asked)
    assert (answer.status_code, answer["Content-Range"], answer["Content-Length"]) == (
        206,
        f"bytes {start}-{start + len(part) - 1}/{len(whole)}",
        str(len(part)),
    )
    assert streamed(answer) == part


def test_a_range_past_the_end_is_not_satisfiable(
    editor_client: Client, engagement: Engagement, track: RecordingTrack
) -> None:
    answer = editor_client.get(url("audio", engagement), HTTP_RANGE=f"bytes={track.size_bytes}-")
    assert (answer.status_code, answer["Content-Range"]) == (416, f"bytes */{track.size_bytes}")


def test_several_ranges_or_another_version_get_the_whole_file(
    editor_client: Client, engagement: Engagement, track: RecordingTrack
) -> None:
    several = editor_client.get(url("audio", engagement), HTTP_RANGE="bytes=0-9,20-29")
    other = editor_client.get(url("audio", engagement), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    same = editor_client.get(url("audio", engagement), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=several["ETag"])
    for answer in (several, other, same):
        answer.close()
    assert [several.status_code, other.status_code, same.status_code] == [200, 200, 206]


def test_no_recording_or_a_missing_file_is_not_found(
    editor_client: Client, engagement: Engagement, track: RecordingTrack, settings
) -> None:  # type: ignore[no-untyped-def]
    (settings.RECORDINGS_DIR / track.file).unlink()
    missing = editor_client.get(url("audio", engagement)).status_code
    RecordingTrack.objects.filter(pk=track.pk).update(file="../../etc/passwd")
    outside = editor_client.get(url("audio", engagement)).status_code
    RecordingTrack.objects.all().delete()
    none = editor_client.get(url("audio", engagement)).status_code
    assert [missing, outside, none] == [404, 404, 404]


def test_a_transcript_in_another_language_is_edited_on_its_own_page_and_cleared_as_a_translation(
    editor_client: Client, transcript: Transcript, engagement: Engagement
) -> None:
    spanish_body = {**transcript.body, "language": "es"}
    spanish_body["paragraphs"] = [
        {**p, "text": f"Párrafo {n}: ñandú"} for n, p in enumerate(transcript.body["paragraphs"])
    ]
    spanish = do_store_transcript(engagement, spanish_body, language="es")
    page = editor_client.get(url("editor", engagement) + "?language=es")
    assert page.context["transcript"] == spanish
    assert [(c["code"], c["current"]) for c in page.context["languages"]] == [("en", False), ("es", True)]
    assert "Párrafo 0: ñandú" in page.content.decode()
    assert editor_client.get(url("editor", engagement) + "?language=de").status_code == 404
    assert editor_client.get(url("editor", engagement) + "?language=fr").context["transcript"] is None

    early = editor_client.post(url("editor-send", engagement), {"version": 1, "language": "es"}, headers=JSON)
    assert early.status_code == 400
    assert "Send the English transcript to clearance first" in early.json()["error"]
    assert not Document.objects.exists()

    edited = editor_client.post(
        url("editor-paragraph", engagement, 0),
        {
            "version": 1,
            "language": "es",
            "text": "Buenos días, señora ministra.",
            "speaker": "label:" + spanish.body["paragraphs"][0]["speaker"],
        },
        headers=JSON,
    )
    assert edited.status_code == 200, edited.content
    spanish.refresh_from_db()
    transcript.refresh_from_db()
    assert spanish.body["paragraphs"][0]["text"] == "Buenos días, señora ministra."
    assert "Buenos" not in transcript.body["paragraphs"][0]["text"]  # the English one is untouched

    editor_client.post(url("editor-send", engagement), {"version": transcript.version})
    sent = editor_client.post(
        url("editor-send", engagement), {"version": spanish.version, "language": "es"}, follow=True
    )
    assert sent.redirect_chain[-1][0].endswith("?language=es#clearance")
    original = Document.objects.get(language="en")
    translation = Document.objects.get(language="es")
    assert translation.translation_of == original
    assert "Buenos días, señora ministra." in translation.body
    assert (
        editor_client.get(url("export", engagement, "txt") + "?language=es").content.decode().count("ñandú")
        >= 1
    )
