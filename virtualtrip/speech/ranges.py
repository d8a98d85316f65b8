"""A file sent in parts, as HTTP asks for them with `Range` (RFC 9110 §14): a browser seeks in a long
recording by asking for the bytes from where it jumps to, and Chromium seeks an `<audio>` element only
when the server answers `206 Partial Content`. Django's FileResponse always sends the whole file.

One range a request: a request for several is answered with the whole file, which HTTP allows, and
so is a `Range` header that is not understood. A range that starts past the end is `416`."""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import http_date

_RANGE = re.compile(r"^bytes=[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)[ \t]*$", re.IGNORECASE | re.ASCII)
"""One range, in ASCII digits (HTTP's DIGIT)."""
_LONGEST_NUMBER = 18
MORE_THAN_ANY_FILE = 10**_LONGEST_NUMBER
"""A number of more digits than `_LONGEST_NUMBER` is this many bytes: more than any file holds, and
it is never read as a number (Python refuses to read one of over 4,300 digits)."""
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class ByteRange:
    first: int
    last: int
    """Inclusive, as HTTP counts."""

    @property
    def length(self) -> int:
        return self.last - self.first + 1


class Unsatisfiable(Exception):
    """The range asked for holds none of the file's bytes."""


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one range `header` asks for within a file of `size` bytes; None to send the whole file."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None:
        return None  # several ranges, another unit, or a header not understood
    first, last = (
        str(MORE_THAN_ANY_FILE) if len(value) > _LONGEST_NUMBER else value for value in found.groups()
    )
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # not a valid range: ignored, as HTTP says
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, size - 1))


class _Part:
    """The bytes of one range of an open file, read in chunks (what FileResponse streams)."""

    def __init__(self, file: BinaryIO, part: ByteRange) -> None:
        self.file = file
        self.left = part.length
        file.seek(part.first)

    def read(self, _size: int = CHUNK_BYTES) -> bytes:
        """Up to CHUNK_BYTES, whatever is asked: FileResponse asks for 4 KiB at a time."""
        if self.left <= 0:
            return b""
        data = self.file.read(min(CHUNK_BYTES, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def _validator(stat: os.stat_result) -> tuple[str, str]:
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"', http_date(stat.st_mtime)


def ranged_file_response(request: HttpRequest, path: Path, content_type: str) -> HttpResponseBase:
    """`path` whole (200) or the range the request asks for (206), or 416 for a range past its end.
    `If-Range` with another version's validator gets the whole file.

    The file is opened first and everything is told of the open file: one removed or replaced as it is
    asked for raises OSError (FileNotFoundError) here, never halfway through, and one removed while it
    streams is sent whole as it was opened."""
    file = path.open("rb")
    try:
        stat = os.fstat(file.fileno())
    except OSError:
        file.close()
        raise
    size = stat.st_size
    etag, modified = _validator(stat)
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() not in {etag, modified}:
        header = None
    try:
        part = requested_range(header, size)
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        file.close()
        return refused
    if part is None:
        response = FileResponse(file, content_type=content_type)
    else:
        response = FileResponse(_Part(file, part), content_type=content_type, status=206)
        response["Content-Range"] = f"bytes {part.first}-{part.last}/{size}"
        response["Content-Length"] = str(part.length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = modified
    return response
