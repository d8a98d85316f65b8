"""Speech's pages and actions against a hostile or careless user: forged requests, malformed input,
and data changed by another process under an open editor."""

import os
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.factories.publishing import desk_user
from tests.speech.conftest import import_script_trip
from tests.speech.editing import SHORT_TURNS, Made, Turn, editor_user, stored, url
from tests.speech.scripts import BACKGROUND, LONG
from virtualtrip.publishing.markdown import render_markdown
from virtualtrip.publishing.models import Document
from virtualtrip.rooms.models import RecordingTrack
from virtualtrip.speech import editor, exports
from virtualtrip.speech.enums import JobState
from virtualtrip.speech.models import Transcript, TranscriptionJob
from virtualtrip.speech.ranges import Unsatisfiable, requested_range
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


def fresh(transcript: Transcript) -> Transcript:
    return Transcript.objects.get(pk=transcript.pk)


FORM: dict[str, str | int] = {"text": "Forged.", "speaker": "label:MODERATOR", "version": 1}


# Forged requests --------------------------------------------------------------------------------------


def _posts(engagement: Engagement) -> list[str]:
    return [
        url("editor-paragraph", engagement, 0),
        url("editor-undo", engagement, 0),
        url("editor-send", engagement),
        url("transcribe", engagement),
    ]


def _gets(engagement: Engagement) -> list[str]:
    return [
        url("staff", engagement),
        url("editor", engagement),
        url("progress", engagement),
        url("export", engagement, "txt"),
        url("export", engagement, "json"),
        url("audio", engagement),
    ]


@pytest.mark.parametrize("who", ["anonymous", "visitor", "inactive staff"])
def test_no_speech_address_serves_or_changes_anything_for_who_is_not_staff(
    client: Client, transcript: Transcript, track: RecordingTrack, who: str
) -> None:
    engagement = transcript.engagement
    if who == "visitor":
        client.force_login(User.objects.create_user("visitor"))
    elif who == "inactive staff":
        client.force_login(User.objects.create_user("gone", is_staff=True, is_active=False))
    posted = {client.post(address, FORM).status_code for address in _posts(engagement)}
    read = [client.get(address) for address in _gets(engagement)]
    assert posted == {403}
    assert {(a.status_code in {302, 403}, b"Forged" in a.content) for a in read} == {(True, False)}
    assert (fresh(transcript).version, Document.objects.count()) == (1, 0)


def test_staff_who_are_not_editors_change_nothing(
    client: Client, transcript: Transcript, track: RecordingTrack
) -> None:
    client.force_login(desk_user("clearer"))
    editing = _posts(transcript.engagement)[:3]
    assert [client.post(address, FORM, headers=JSON).status_code for address in editing] == [403] * 3
    assert (fresh(transcript).version, Document.objects.count()) == (1, 0)


def test_a_get_where_a_post_is_required_changes_nothing(client: Client, transcript: Transcript) -> None:
    client.force_login(editor_user())
    answers = [client.get(address, FORM).status_code for address in _posts(transcript.engagement)]
    assert answers == [405] * 4
    assert fresh(transcript).version == 1


def test_every_form_needs_its_csrf_token(transcript: Transcript, track: RecordingTrack) -> None:
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(editor_user())
    answers = [guarded.post(address, FORM).status_code for address in _posts(transcript.engagement)]
    assert answers == [403] * 4
    assert (fresh(transcript).version, Document.objects.count()) == (1, 0)


def test_json_instead_of_a_form_is_refused_and_changes_nothing(
    client: Client, transcript: Transcript
) -> None:
    client.force_login(editor_user())
    answer = client.post(
        url("editor-paragraph", transcript.engagement, 0), FORM, content_type="application/json", headers=JSON
    )
    assert (answer.status_code, answer.json()["error"]) == (
        400,
        "The form has no version of the transcript: reload the page.",
    )
    assert fresh(transcript).version == 1


@pytest.mark.parametrize("version", ["", "x", "-1", "0", "2", "1e3", "9" * 5000, " 1 2"])
def test_a_version_that_is_not_the_transcripts_is_refused(
    client: Client, transcript: Transcript, version: str
) -> None:
    client.force_login(editor_user())
    form = {**FORM, "version": version}
    answer = client.post(url("editor-paragraph", transcript.engagement, 0), form, headers=JSON)
    assert (answer.status_code in {400, 409}, fresh(transcript).version) == (True, 1)


@pytest.mark.parametrize("index", [5, 99, 10**30])
def test_an_index_past_the_transcripts_paragraphs_or_corrections_is_not_found(
    client: Client, transcript: Transcript, index: int
) -> None:
    client.force_login(editor_user())
    engagement = transcript.engagement
    answers = [
        client.post(url("editor-paragraph", engagement, index), FORM, headers=JSON).status_code,
        client.post(url("editor-undo", engagement, index), {"version": 1}, headers=JSON).status_code,
    ]
    assert (answers, fresh(transcript).version) == ([404, 404], 1)


def test_a_negative_index_is_no_address(client: Client, transcript: Transcript) -> None:
    client.force_login(editor_user())
    address = f"/speech/{transcript.engagement.pk}/editor/paragraphs/-1/"
    assert client.post(address, FORM, headers=JSON).status_code == 404


def test_another_engagements_id_in_the_path_edits_that_engagements_transcript_only(
    client: Client, transcript: Transcript
) -> None:
    other = import_script_trip(BACKGROUND)
    client.force_login(editor_user())
    answer = client.post(url("editor-paragraph", other, 0), FORM, headers=JSON)
    assert (answer.status_code, fresh(transcript).body) == (404, transcript.body)


def test_a_speaker_of_another_trip_or_unknown_is_refused(client: Client, transcript: Transcript) -> None:
    import_script_trip(BACKGROUND)
    client.force_login(editor_user())
    address = url("editor-paragraph", transcript.engagement, 0)
    speakers = ["person:tomasz-zielinski", "label:SOMEONE ELSE", "person:", "label:", "", "MODERATOR"]
    answers = [client.post(address, {**FORM, "speaker": s}, headers=JSON).status_code for s in speakers]
    assert (answers, fresh(transcript).version) == ([400] * len(speakers), 1)


# Malformed input: Range ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=-0", "416"),
        ("bytes=5-2", None),
        ("bytes=0-0,1-1", None),
        (",".join(f"{n}-{n}" for n in range(200)).join(["bytes=", ""]), None),
        ("bytes=" + "9" * 5000 + "-", "416"),
        ("bytes=0-" + "9" * 5000, (0, 99)),
        ("bytes=-" + "9" * 5000, (0, 99)),
        ("bytes=99999999999999999999-", "416"),
        ("bytes=0-99999999999999999999", (0, 99)),
        ("bytes=\u0660-\u0665", None),
        ("bytes=０-５", None),
        ("bytes=0-5é", None),
        ("items=0-5", None),
    ],
)
def test_a_malformed_range_is_the_whole_file_or_unsatisfiable(header: str, expected: Any) -> None:
    try:
        found = requested_range(header, 100)
    except Unsatisfiable:
        assert expected == "416"
        return
    assert (None if found is None else (found.first, found.last)) == expected


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bytes=" + "9" * 5000 + "-", 416),
        ("bytes=0-" + "9" * 5000, 206),
        ("bytes=\u0660-\u0665", 200),
        ("bytes=0-0,1-1", 200),
    ],
)
def test_a_malformed_range_gets_the_whole_recording_or_416(
    client: Client, engagement: Engagement, track: RecordingTrack, header: str, status: int
) -> None:
    client.force_login(editor_user())
    answer = client.get(url("audio", engagement), HTTP_RANGE=header)
    answer.close()
    length = answer.get("Content-Length") if status != 416 else str(track.size_bytes)
    assert (answer.status_code, length) == (status, str(track.size_bytes))


def test_a_recording_removed_as_it_is_asked_for_is_not_found(
    client: Client, engagement: Engagement, track: RecordingTrack, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Removed after the view saw the file and before it opened it: a 404, not a server error."""
    path = settings.RECORDINGS_DIR / track.file
    real_open = Path.open

    def removed_first(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path.resolve():
            path.unlink(missing_ok=True)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", removed_first)
    client.force_login(editor_user())
    assert client.get(url("audio", engagement), HTTP_RANGE="bytes=0-9").status_code == 404


def test_a_recording_removed_while_it_streams_is_sent_whole(
    client: Client, engagement: Engagement, track: RecordingTrack, settings
) -> None:  # type: ignore[no-untyped-def]
    whole = (settings.RECORDINGS_DIR / track.file).read_bytes()
    client.force_login(editor_user())
    answer = client.get(url("audio", engagement))
    os.unlink(settings.RECORDINGS_DIR / track.file)
    assert b"".join(answer.streaming_content) == whole  # type: ignore[attr-defined]


# Malformed input: text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "pay \u202egnp.exe", "left \u2066isolate\u2069", "embed \u202a", "x" * 1_000_000],
)
def test_text_with_nul_bidi_controls_or_a_megabyte_is_refused(
    client: Client, transcript: Transcript, text: str
) -> None:
    client.force_login(editor_user())
    answer = client.post(
        url("editor-paragraph", transcript.engagement, 0), {**FORM, "text": text}, headers=JSON
    )
    assert (answer.status_code, fresh(transcript).version) == (400, 1)


def test_right_to_left_text_itself_is_kept(client: Client, transcript: Transcript) -> None:
    client.force_login(editor_user())
    text = "قال الوزير: شكرا"
    answer = client.post(
        url("editor-paragraph", transcript.engagement, 0), {**FORM, "text": text}, headers=JSON
    )
    assert (answer.status_code, fresh(transcript).body["paragraphs"][0]["text"]) == (200, text)


HOSTILE = [
    "**x**",
    "[a](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "~~~",
    "```",
    "    indented",
    "> quoted",
    "[a]: http://example.com",
    "![i](http://example.com/i.png)",
    "<http://example.com>",
    "| a | b |",
    "|---|---|",
    "&lt;b&gt;",
    "* * *",
    "1) one",
    "+ plus",
    "Setext",
    "===",
]


def test_markdown_and_html_typed_in_show_as_typed_in_the_editor_and_the_document(
    client: Client, transcript: Transcript
) -> None:
    engagement = transcript.engagement
    client.force_login(editor_user())
    typed = "\n".join(HOSTILE)
    saved = client.post(url("editor-paragraph", engagement, 0), {**FORM, "text": typed}, headers=JSON)
    sent = client.post(url("editor-send", engagement), {"version": 2}, headers=JSON)
    assert (saved.status_code, sent.status_code) == (200, 200)
    page = client.get(url("editor", engagement)).content.decode()
    assert ("<img" in page, "<script>alert" in page, "javascript:alert(1)</a>" in page) == (
        False,
        False,
        False,
    )
    html = render_markdown(Document.objects.get().body)
    assert re.findall(r"<(?!/?(?:p|strong)\b)[^>]*>", html) == []
    shown = [unescape(re.sub(r"<[^>]+>", "", line)) for line in html.splitlines()]
    text = exports.as_text(fresh(transcript).body)
    assert shown == [line.strip() for line in text.splitlines() if line]
    assert shown[: len(HOSTILE)] == [f"MODERATOR: {HOSTILE[0]}", *(line.strip() for line in HOSTILE[1:])]


# Another process under an open editor ----------------------------------------------------------------


def test_a_transcript_remade_while_an_editor_saves_refuses_the_save(
    client: Client, transcript: Transcript
) -> None:
    client.force_login(editor_user())
    stored(transcript.engagement, SHORT_TURNS)
    answer = client.post(url("editor-paragraph", transcript.engagement, 0), FORM, headers=JSON)
    assert (answer.status_code, fresh(transcript).body["paragraphs"][0]["text"]) == (
        409,
        SHORT_TURNS_FIRST,
    )


SHORT_TURNS_FIRST = "Good afternoon. Envoy Brandt will take a few questions, on the record."


def test_an_engagement_deleted_under_an_open_editor_is_not_found(
    client: Client, transcript: Transcript
) -> None:
    engagement = transcript.engagement
    client.force_login(editor_user())
    Engagement.objects.filter(pk=engagement.pk).delete()
    answers = [client.post(address, FORM, headers=JSON).status_code for address in _posts(engagement)[:3]]
    answers += [client.get(address).status_code for address in _gets(engagement)]
    assert answers == [404] * 9
    assert Transcript.objects.count() == 0


def _drafted_on_the_record_then_background() -> Engagement:
    """A draft made while the engagement was on the record (the briefer named), the ground rules then
    switched to background."""
    engagement = import_script_trip(BACKGROUND)
    attribution = engagement.attribution
    Engagement.objects.filter(pk=engagement.pk).update(ground_rules="on_record", attribution="")
    engagement.refresh_from_db()
    words = ["Thank", "you.", "Zielinski", "here."]
    stored(
        engagement, Made([Turn("tomasz-zielinski", words, 0.0, 3.0), Turn("marcus-adeyemi", ["Go."], 3.5, 4)])
    )
    Engagement.objects.filter(pk=engagement.pk).update(ground_rules="background", attribution=attribution)
    engagement.refresh_from_db()
    return engagement


def test_a_draft_made_on_the_record_is_withheld_once_the_engagement_is_on_background(client: Client) -> None:
    engagement = _drafted_on_the_record_then_background()
    transcript = Transcript.objects.get(engagement=engagement)
    client.force_login(editor_user())
    page = client.get(url("editor", engagement))
    exported = [client.get(url("export", engagement, ext)) for ext in ("txt", "vtt", "json")]
    shown = page.content.decode() + "".join(a.content.decode() for a in exported)
    assert ("Zieli" in shown, "tomasz" in shown, "ZIELI" in shown) == (False, False, False)
    assert "made while the engagement was on the record" in page.content.decode()
    assert [a.status_code for a in exported] == [409] * 3
    sent = client.post(url("editor-send", engagement), {"version": 1}, headers=JSON)
    edited = client.post(url("editor-paragraph", engagement, 1), FORM, headers=JSON)
    assert (sent.status_code, edited.status_code, Document.objects.count()) == (409, 409, 0)
    assert "Transcribe it again" in sent.json()["error"]
    assert fresh(transcript).version == 1


def test_a_draft_made_on_background_stays_editable_on_background(client: Client) -> None:
    engagement = import_script_trip(BACKGROUND)
    stored(engagement, Made([Turn("tomasz-zielinski", ["Thanks."], 0.0, 3.0)]))
    client.force_login(editor_user())
    assert client.get(url("export", engagement, "txt")).status_code == 200
    assert client.post(url("editor-send", engagement), {"version": 1}, headers=JSON).status_code == 200


def test_the_withheld_check_is_one_function() -> None:
    engagement = _drafted_on_the_record_then_background()
    transcript = Transcript.objects.get(engagement=engagement)
    assert editor.withheld_reason(transcript) is not None
    with pytest.raises(editor.StaleTranscript):
        editor.check_send_to_clearance(transcript, version=1, acting_user=editor_user("another"))


def test_no_edit_is_made_while_a_new_transcription_waits_to_replace_the_draft(
    client: Client, transcript: Transcript
) -> None:
    """The job would replace the draft, edits included, when done: the edit would be lost unsaid."""
    engagement = transcript.engagement
    TranscriptionJob.objects.create(engagement=engagement, created_at=timezone.now())
    client.force_login(editor_user())
    edited = client.post(url("editor-paragraph", engagement, 0), FORM, headers=JSON)
    undone = client.post(url("editor-undo", engagement, 0), {"version": 1}, headers=JSON)
    page = client.get(url("editor", engagement)).content.decode()
    assert (edited.status_code, undone.status_code, fresh(transcript).version) == (409, 409, 1)
    assert edited.json()["error"].startswith("A new transcription of this recording is waiting or running")
    assert '<p class="notice remaking">A new transcription of this recording' in page
    TranscriptionJob.objects.update(state=JobState.DONE)
    assert client.post(url("editor-paragraph", engagement, 0), FORM, headers=JSON).status_code == 200


def test_a_person_of_the_trip_who_is_not_in_the_engagement_is_no_speaker(client: Client) -> None:
    engagement = import_script_trip(LONG)
    transcript = stored(engagement, Made([Turn("marcus-adeyemi", ["Welcome."], 0.0, 1.0)]))
    client.force_login(editor_user())
    form = {**FORM, "speaker": "person:beatriz-ocampo"}
    answer = client.post(url("editor-paragraph", engagement, 0), form, headers=JSON)
    assert (answer.status_code, fresh(transcript).version) == (400, 1)
    page = client.get(url("editor", engagement)).content.decode()
    assert "beatriz-ocampo" not in page
