"""What a document may carry as attachments: PDF, PNG and JPEG files, up to a size.

The type is read from the file's first bytes, not from its name or the browser's word for it, so a
renamed program is refused.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

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
