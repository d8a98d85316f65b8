"""The press office's web interface: writing, editing, conflicts, clearance, attachments, schedules."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.admin import ModelAdmin, site
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories.publishing import desk_user, draft, publish
from virtualtrip.publishing import actions
from virtualtrip.publishing.admin import DocumentAdmin
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
    headers = {name: answer[name] for name in ["Content-Disposition", "Content-Security-Policy"]}
    assert headers == {
        "Content-Disposition": 'attachment; filename="fact-sheet.pdf"',
        "Content-Security-Policy": "sandbox",
    }


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


def staff_without_permissions() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("visitor", password="a-long-test-password", is_staff=True))
    return client


def custom_urls(document: Document) -> dict[str, str]:
    """Every page this admin adds to Django's, by name, for one document."""
    pk = document.pk
    return {
        "publishing_document_advance": f"/admin/publishing/document/{pk}/advance/",
        "publishing_document_withdraw": f"/admin/publishing/document/{pk}/withdraw/",
        "publishing_document_attach": f"/admin/publishing/document/{pk}/attach/",
        "publishing_document_compare": f"/admin/publishing/document/{pk}/compare/1/2/",
        "publishing_document_draft_schedule": "/admin/publishing/document/draft-schedule/",
    }


def test_the_tests_below_cover_every_page_this_admin_adds() -> None:
    own = DocumentAdmin(Document, site).get_urls()[: -len(ModelAdmin(Document, site).get_urls())]
    assert {pattern.name for pattern in own} == set(custom_urls(draft()))


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_staff_account_without_document_permissions_is_refused_every_page(
    trip: Trip, settings, tmp_path, method: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    document = publish(draft(trip, title="Readout under embargo", body="Secret first line.\n",
                             embargo=timezone.now() + timedelta(days=1)))  # fmt: skip
    edited = actions.DocumentText(title=document.title, date=document.date, body="Unpublished edit.\n",
                                  embargo=document.embargo)  # fmt: skip
    actions.do_edit_document(document, edited, base_revision=1, acting_user=None)
    visitor = staff_without_permissions()
    data = {
        "to": "in_clearance", "trip": trip.pk, "day": "2021-02-26", "title": "Annex",
        "file": SimpleUploadedFile("annex.pdf", PDF),
    }  # fmt: skip
    for url in ["/admin/publishing/document/", f"/admin/publishing/document/{document.pk}/change/"]:
        assert visitor.get(url).status_code == 403
    answers = {}
    for name, url in custom_urls(document).items():
        answer = visitor.get(url) if method == "get" else visitor.post(url, data)
        page = answer.content.decode()
        answers[name] = (answer.status_code, "Secret" in page or "Unpublished" in page)
    assert answers == dict.fromkeys(custom_urls(document), (403, False))
    document.refresh_from_db()
    assert (document.state, document.live, document.attachments.count()) == ("draft", True, 0)
    assert Document.objects.count() == 1


def test_a_publisher_withdraws_an_edited_live_document_at_once() -> None:
    document = publish(draft(title="Readout", body="Published text."))
    editor = signed_in("ed")
    form = change_form(editor, document, body="Edited text, not yet cleared.")
    assert editor.post(f"/admin/publishing/document/{document.pk}/change/", form).status_code == 302
    publisher = signed_in("pub", "publisher")
    page = publisher.get(f"/admin/publishing/document/{document.pk}/change/").content.decode()
    assert f'formaction="/admin/publishing/document/{document.pk}/withdraw/"' in page
    url = f"/trips/{document.trip.slug}/documents/{document.pk}/"
    assert Client().get(url).status_code == 200
    answer = publisher.post(f"/admin/publishing/document/{document.pk}/withdraw/", {"note": "wrong figures"})
    assert answer.status_code == 302
    document.refresh_from_db()
    assert (document.state, document.live, document.steps.last().note) == ("draft", False, "wrong figures")  # type: ignore[union-attr]
    assert Client().get(url).status_code == 404


def test_an_editor_cannot_withdraw_a_live_document() -> None:
    document = publish(draft())
    answer = signed_in("ed").post(f"/admin/publishing/document/{document.pk}/withdraw/", follow=True)
    assert "Ed may not publish documents (the Publishers group)." in answer.content.decode()
    document.refresh_from_db()
    assert (document.state, document.live) == ("published", True)


def test_a_nul_character_in_the_body_is_a_form_error_and_saves_nothing() -> None:
    document = draft(body="Clean text.")
    editor = signed_in("ed")
    url = f"/admin/publishing/document/{document.pk}/change/"
    answer = editor.post(url, change_form(editor, document, body="Text with a NUL\x00 in it."))
    assert (answer.status_code, "Null characters are not allowed." in answer.content.decode()) == (200, True)
    document.refresh_from_db()
    assert (document.body, document.revision_number) == ("Clean text.", 1)


def test_a_nul_character_in_the_admin_search_is_named_instead_of_failing() -> None:
    draft(title="Readout")
    answer = signed_in("ed").get("/admin/publishing/document/", {"q": "Read\x00out"})
    assert (answer.status_code, "Null characters are not allowed." in answer.content.decode()) == (200, True)


@pytest.mark.postgres
def test_a_nul_character_in_the_body_is_a_form_error_on_postgresql(postgresql: None) -> None:
    test_a_nul_character_in_the_body_is_a_form_error_and_saves_nothing()


@pytest.mark.postgres
def test_a_nul_character_in_the_admin_search_is_named_on_postgresql(postgresql: None) -> None:
    test_a_nul_character_in_the_admin_search_is_named_instead_of_failing()
