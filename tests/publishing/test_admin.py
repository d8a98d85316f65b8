"""The press office's web interface: writing, editing, conflicts, clearance, attachments, schedules."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories.publishing import desk_user, draft, publish
from virtualtrip.publishing.enums import Clearance
from virtualtrip.publishing.models import Document
from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed_in(username: str, desk: str = "editor") -> Client:
    client = Client()
    client.force_login(desk_user(desk, username))
    return client


def hidden_inputs(client: Client, url: str) -> dict[str, str]:
    """What a browser would send back unseen: the inline formsets' counts, the base revision."""
    page = client.get(url).content.decode()
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: value for name, value in found if name != "csrfmiddlewaretoken"}


def change_form(client: Client, document: Document, **changes: str) -> dict[str, str]:
    """The change form as the editor's browser fills it in when they open it now."""
    url = f"/admin/publishing/document/{document.pk}/change/"
    fields = {"title": document.title, "date": document.date.isoformat(), "body": document.body}
    return hidden_inputs(client, url) | fields | {"question": "", "embargo_0": "", "embargo_1": ""} | changes


def test_an_editor_writes_a_draft_and_bad_input_is_named(trip: Trip) -> None:
    editor = signed_in("ana")
    form = {"trip": trip.pk, "kind": "readout", "language": "de", "title": "Readout", "date": "2021-02-26",
            "body": "Text.", "embargo_0": "2020-01-01", "embargo_1": "09:00"}  # fmt: skip
    form |= hidden_inputs(editor, "/admin/publishing/document/add/")
    answer = editor.post("/admin/publishing/document/add/", form)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Select a valid choice. de is not one of the available choices." in page
    answer = editor.post("/admin/publishing/document/add/", form | {"language": "en"})
    assert "has passed: an embargo must be a time still to come" in answer.content.decode()
    assert Document.objects.count() == 0
    answer = editor.post(
        "/admin/publishing/document/add/", form | {"language": "en", "embargo_0": "", "embargo_1": ""}
    )
    assert answer.status_code == 302
    document = Document.objects.get()
    assert (document.state, document.revisions.get().created_by.username) == ("draft", "ana")  # type: ignore[union-attr]


def test_the_second_of_two_editors_gets_a_conflict_and_nothing_is_overwritten() -> None:
    document = draft(title="Original")
    first, second = signed_in("first"), signed_in("second")
    url = f"/admin/publishing/document/{document.pk}/change/"
    firsts, seconds = (
        change_form(first, document, title="First's"),
        change_form(second, document, title="Second's"),
    )
    assert firsts["base_revision"] == seconds["base_revision"] == "1"
    assert first.post(url, firsts).status_code == 302
    answer = second.post(url, seconds)
    assert answer.status_code == 200
    assert "was saved by first at" in answer.content.decode()
    document.refresh_from_db()
    assert (document.title, document.revision_number) == ("First's", 2)


def test_the_clearance_buttons_follow_the_permissions() -> None:
    document = draft()
    editor = signed_in("ed")
    advance = f"/admin/publishing/document/{document.pk}/advance/"
    editor.post(advance, {"to": "in_clearance"})
    answer = editor.post(advance, {"to": "cleared"}, follow=True)
    assert "Ed may not clear documents (the Clearers group)." in answer.content.decode()
    signed_in("cl", "clearer").post(advance, {"to": "cleared", "note": "checked with the desk"})
    document.refresh_from_db()
    assert document.state == Clearance.CLEARED
    assert document.steps.last().note == "checked with the desk"  # type: ignore[union-attr]


def test_revisions_compare_line_by_line() -> None:
    document = draft(body="First line.\nSecond line.\n")
    editor = signed_in("ed")
    form = change_form(editor, document, body="First line.\nA new line.\n")
    assert editor.post(f"/admin/publishing/document/{document.pk}/change/", form).status_code == 302
    page = signed_in("ed2").get(f"/admin/publishing/document/{document.pk}/compare/1/2/").content.decode()
    assert '<del><span class="visually-hidden">removed: </span>Second line.</del>' in page
    assert '<ins><span class="visually-hidden">added: </span>A new line.</ins>' in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "setup.exe: an attachment must be a PDF, PNG or JPEG file"),
        ("fake.pdf", b"<html>", "fake.pdf: an attachment must be a PDF, PNG or JPEG file"),
        ("big.pdf", PDF + b"0" * 2048, "big.pdf is 2.0\xa0KB: an attachment may be at most 1.0\xa0KB"),
    ],
)
def test_an_attachment_of_the_wrong_type_or_size_is_refused(
    settings, name: str, content: bytes, message: str
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    document = draft()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    answer = signed_in("ed").post(
        f"/admin/publishing/document/{document.pk}/attach/", {"title": "", "file": upload}
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert document.attachments.count() == 0


def test_an_attachment_is_public_only_once_its_document_is_published(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    document = draft()
    upload = SimpleUploadedFile("fact-sheet.pdf", PDF, content_type="application/octet-stream")
    signed_in("ed").post(
        f"/admin/publishing/document/{document.pk}/attach/", {"title": "Fact sheet", "file": upload}
    )
    attachment = document.attachments.get()
    assert (attachment.content_type, attachment.size_bytes, attachment.published) == (
        "application/pdf",
        len(PDF),
        False,
    )
    url = f"/trips/{document.trip.slug}/documents/{document.pk}/attachments/{attachment.pk}/"
    assert Client().get(url).status_code == 404
    publish(document)
    answer = Client().get(url)
    assert (answer.status_code, b"".join(answer.streaming_content)) == (200, PDF)  # type: ignore[attr-defined]


def test_the_days_public_schedule_is_drafted_from_the_itinerary(trip: Trip) -> None:
    editor = signed_in("ed")
    answer = editor.post("/admin/publishing/document/draft-schedule/", {"trip": trip.pk, "day": "2021-02-26"})
    document = Document.objects.get(kind="public_schedule")
    assert answer.status_code == 302
    assert (document.state, document.date, document.title) == (
        "draft",
        date(2021, 2, 26),
        "Public Schedule for Friday, February 26, 2021",
    )
    assert document.body.splitlines()[:6] == [
        "**MINISTER ANA MINISTER**",
        "",
        "*All times are Washington, D.C. time (America/New_York).*",
        "",
        "**11:15 a.m.** — Meeting with the Foreign Secretary\\",
        "Mexico City, Mexico\\",
    ]
    editor.post("/admin/publishing/document/draft-schedule/", {"trip": trip.pk, "day": "2021-02-26"})
    assert Document.objects.filter(kind="public_schedule").count() == 1
