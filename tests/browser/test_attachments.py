"""A published PDF attachment with a script in it, opened in Chromium: the script never runs.

Chromium's PDF viewer runs a PDF's JavaScript (an open action, say) when it shows the file, even
under `Content-Security-Policy: sandbox`; the site hands attachments over as downloads instead.
The same file shown inline proves first that this Chromium would run the script.
"""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Dialog, Download, Page
from pytest_django.live_server_helper import LiveServer

from tests.factories.publishing import draft, publish
from virtualtrip.publishing import actions
from virtualtrip.publishing.models import Attachment

pytestmark = pytest.mark.browser
ALERT = "the attachment's script ran"


def pdf_with_open_action(script: str) -> bytes:
    """A one-page PDF whose catalogue runs `script` as soon as a viewer opens it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Type /Action /S /JavaScript /JS (" + script.encode() + b") >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


PDF = pdf_with_open_action(f'app.alert("{ALERT}");')


@pytest.fixture
def attachment(transactional_db: None, settings, tmp_path: Path) -> Attachment:
    """A published readout carrying the scripted PDF as a published attachment."""
    settings.MEDIA_ROOT = tmp_path
    document = draft(title="Readout with an annex")
    upload = SimpleUploadedFile("annex.pdf", PDF)
    found = actions.do_add_attachment(document, upload, "application/pdf", title="Annex", acting_user=None)
    publish(document)
    return found


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """The message of every dialog any script opens in the page, dismissed."""
    seen: list[str] = []

    def note(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", note)
    return seen


def wait_for(page: Page, seen: list[str], seconds: float) -> list[str]:
    """`seen` once a dialog came, or after `seconds` without one. Playwright hands events over only
    while the test waits through it, hence the page's own wait rather than a sleep."""
    deadline = time.monotonic() + seconds
    while not seen and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return seen


@pytest.fixture
def inline_pdf() -> Iterator[str]:
    """The same PDF shown inline, as any plain web server would send it: its address."""

    class Inline(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(PDF)))
            self.end_headers()
            self.wfile.write(PDF)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Inline)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/annex.pdf"
    server.shutdown()
    server.server_close()
    thread.join()


def test_this_chromium_runs_a_pdfs_script_when_it_shows_the_pdf(
    page: Page, inline_pdf: str, dialogs: list[str]
) -> None:
    page.goto(inline_pdf)
    assert wait_for(page, dialogs, 15) == [ALERT]


def test_a_published_pdf_attachment_is_downloaded_and_its_script_never_runs(
    page: Page, live_server: LiveServer, attachment: Attachment, dialogs: list[str]
) -> None:
    downloads: list[Download] = []
    page.on("download", lambda download: downloads.append(download))
    document = attachment.document
    page.goto(f"{live_server.url}/trips/{document.trip.slug}/documents/{document.pk}/")
    page.get_by_role("link", name="Annex").click()
    wait_for(page, dialogs, 5)
    saved = [(download.suggested_filename, Path(download.path()).read_bytes()) for download in downloads]
    assert (saved, dialogs) == ([("annex.pdf", PDF)], [])
