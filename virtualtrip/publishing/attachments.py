"""What a document may carry as attachments (PDF, PNG and JPEG files, up to a size), and how the
public is given them.

The type is read from the file's first bytes, not from its name or the browser's word for it, so a
renamed program is refused. A PDF can still carry scripts, which a browser's PDF viewer runs when it
shows the file; so attachments are served as downloads, in a sandbox, never as a page of the site.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat

from virtualtrip.publishing.models import Attachment

# Chromium's PDF viewer runs a PDF's scripts even under `sandbox`: only a download keeps them from
# running. The sandbox and `nosniff` cover any browser that shows the file all the same.
ATTACHMENT_HEADERS = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}

SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
EXTENSIONS = {"application/pdf": {".pdf"}, "image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}}


class AttachmentRefused(Exception):
    pass


def attachment_type(upload: UploadedFile) -> str:
    """The content type of an acceptable attachment; `AttachmentRefused` says why one is not."""
    name = upload.name or "the file"
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentRefused(
            f"{name} is {filesizeformat(upload.size)}: an attachment may be at most {filesizeformat(limit)}"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if found is None or suffix not in EXTENSIONS[found]:
        raise AttachmentRefused(f"{name}: an attachment must be a PDF, PNG or JPEG file")
    return found


def attachment_response(attachment: Attachment) -> FileResponse:
    """The attachment's file, to be saved rather than shown: nothing in it runs as the site."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        content_type=attachment.content_type,
        filename=PurePosixPath(attachment.file.name).name,
    )
    for name, value in ATTACHMENT_HEADERS.items():
        response[name] = value
    return response
