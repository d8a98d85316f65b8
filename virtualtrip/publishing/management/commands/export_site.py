"""`virtualtrip export-site SLUG DIR`: a static copy of one trip's public pages, for an archive.

Every page is rendered by the site's own views, as an anonymous visitor sees it, so nothing embargoed,
unpublished or private can reach the copy. Files are laid out by URL (`/es/trips/SLUG/` becomes
`DIR/es/trips/SLUG/index.html`), so the pages' root-relative links work unchanged when DIR is served
as the web root of any static web server.

The copy is written into a temporary folder next to DIR and renamed into place at the end: a failure
leaves DIR as it was. A DIR that is a symbolic link is followed: the folder it points to is replaced.
"""

import os
import re
import secrets
import shutil
import tempfile
from argparse import ArgumentParser
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import HttpResponseBase
from django.http.request import split_domain_port, validate_host
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from virtualtrip.publishing import queries
from virtualtrip.publishing.models import Attachment, Document
from virtualtrip.trips import queries as trip_queries
from virtualtrip.trips.models import Trip

EXIT_INVALID = 2
# Root-relative references to static files in pages (href="/static/…", src="/static/…").
STATIC_IN_HTML = re.compile(r"""(?:href|src)\s*=\s*["']([^"'?#]+)""")
STATIC_IN_CSS = re.compile(r"""url\(\s*["']?([^"')?#]+)""")


@dataclass
class Counts:
    pages: int = 0
    files: int = 0
    written: set[Path] = field(default_factory=set)


class Exporter:
    """Fetches one trip's public URLs through the site's views and writes them under `root`."""

    def __init__(self, trip: Trip, root: Path, host: str, secure: bool) -> None:
        self.trip = trip
        self.root = root
        self.secure = secure
        self.client = Client(headers={"host": host})
        self.counts = Counts()
        self.html: list[bytes] = []

    def export(self) -> Counts:
        slug = self.trip.slug
        documents = list(queries.trip_documents(self.trip))
        engagements = list(trip_queries.visible_engagements(self.trip))
        days = trip_queries.principal_days(self.trip, ZoneInfo(self.trip.home_timezone))
        itinerary_days = sorted({d.day for leg in trip_queries.itinerary_days(self.trip) for d in leg.days})
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                self._page(reverse("publishing:trip", args=[slug]))
                for document in documents:
                    self._page(reverse("publishing:document", args=[slug, document.pk]))
                for engagement in engagements:
                    self._page(reverse("publishing:engagement", args=[slug, engagement.key]))
                for day in days:
                    self._page(reverse("trips:schedule-day", args=[slug, day]))
                for day in itinerary_days:  # a long trip's page links its itinerary a day a page
                    self._page(reverse("publishing:itinerary-day", args=[slug, day]))
                self._file(reverse("publishing:trip-feed", args=[slug]))
                self._file(reverse("trips:schedule-ics", args=[slug]))
        for document in documents:
            for attachment in queries.public_attachments(document):
                self._attachment(document, attachment)
        self._static_files()
        return self.counts

    def _get(self, url: str) -> HttpResponseBase:
        response = self.client.get(url, secure=self.secure)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}; nothing was exported")
        return response

    def _page(self, url: str) -> None:
        body = _body(self._get(url))
        self.html.append(body)
        self._write(url, body)
        self.counts.pages += 1

    def _file(self, url: str) -> bytes:
        body = _body(self._get(url))
        self._write(url, body)
        self.counts.files += 1
        return body

    def _attachment(self, document: Document, attachment: Attachment) -> None:
        """The file under its own name, and at the attachment's URL (in each language) a page that
        sends the browser on to it: a static server could not give the file its type at a URL that
        ends in a slash."""
        args = [self.trip.slug, document.pk, attachment.pk]
        with translation.override(settings.LANGUAGE_CODE):
            address = reverse("publishing:attachment", args=args)
        name = PurePosixPath(attachment.file.name).name
        if not name or name.startswith(".") or name == "index.html":
            name = f"attachment-{attachment.pk}"
        file_url = address + name
        self._write(file_url, _body(self._get(address)))
        self.counts.files += 1
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                page_url = reverse("publishing:attachment", args=args)
            self._write(page_url, _forwarding_page(language, attachment.title, file_url))
            self.counts.files += 1

    def _static_files(self) -> None:
        """The static files the pages use, and those their style sheets use in turn."""
        prefix = settings.STATIC_URL or ""
        if not prefix.startswith("/"):
            return  # served from elsewhere (a CDN): not the archive's to keep
        pending = sorted({url for page in self.html for url in _references(page, STATIC_IN_HTML)})
        done: set[str] = set()
        while pending:
            url = pending.pop()
            if url in done or not url.startswith(prefix):
                continue
            done.add(url)
            body = self._file(url)
            if url.endswith(".css"):
                pending.extend(urljoin(url, found) for found in _references(body, STATIC_IN_CSS))

    def _write(self, url: str, body: bytes) -> None:
        path = self.root / _relative_path(url)
        if path in self.counts.written:
            raise CommandError(f"{url} would be written twice")
        self.counts.written.add(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def _body(response: HttpResponseBase) -> bytes:
    if response.streaming:
        chunks: Iterable[bytes] = response.streaming_content  # type: ignore[attr-defined]
        return b"".join(chunks)
    content: bytes = response.content  # type: ignore[attr-defined]
    return content


def _references(body: bytes, pattern: re.Pattern[str]) -> list[str]:
    text = body.decode("utf-8", errors="replace")
    return [found for found in pattern.findall(text) if not urlsplit(found).scheme]


def _relative_path(url: str) -> Path:
    """Where the response for a root-relative URL is kept: `/a/b/` → `a/b/index.html`."""
    path = unquote(urlsplit(url).path)
    parts = path.strip("/").split("/")
    if not path.startswith("/") or any(part in {"", ".", ".."} or "\\" in part for part in parts):
        raise CommandError(f"cannot keep {url!r} as a file")
    if path.endswith("/"):
        parts.append("index.html")
    return Path(*parts)


def _forwarding_page(language: str, title: str, url: str) -> bytes:
    page = format_html(
        '<!doctype html>\n<html lang="{}"><head><meta charset="utf-8"><title>{}</title>'
        '<meta http-equiv="refresh" content="0; url={}"></head>\n'
        '<body><p><a href="{}">{}</a></p></body></html>\n',
        language,
        title,
        url,
        url,
        title,
    )
    return str(page).encode()


def _site_host() -> tuple[str, bool]:
    """The host and scheme the pages are rendered for, from VIRTUALTRIP_SITE_URL: feeds and
    calendars carry absolute links, which then point at the site itself."""
    site = urlsplit(settings.SITE_URL)
    host = site.netloc
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        raise CommandError(
            f"the host of VIRTUALTRIP_SITE_URL ({settings.SITE_URL!r}) is not in ALLOWED_HOSTS",
            returncode=EXIT_INVALID,
        )
    return host, site.scheme == "https" or settings.SECURE_SSL_REDIRECT


def _real_target(target: Path) -> Path:
    """The folder to write. DIR given as a symbolic link means the folder it points to: that folder
    is replaced and the link left as it is (renaming the link itself would replace the link)."""
    if not target.is_symlink():
        return target
    try:
        return target.resolve(strict=True)
    except (OSError, RuntimeError):
        raise CommandError(
            f"{target} is a symbolic link to {os.readlink(target)}, which does not exist",
            returncode=EXIT_INVALID,
        ) from None


def _check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise CommandError(f"{target} exists and is not a folder", returncode=EXIT_INVALID)
    if target.parent == target or Path.cwd().is_relative_to(target):
        raise CommandError(f"refusing to replace {target}", returncode=EXIT_INVALID)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise CommandError(f"{target} is not empty; pass --force to replace it", returncode=EXIT_INVALID)


def _put_in_place(staging: Path, target: Path) -> None:
    """Rename the finished copy to `target`, replacing what was there only once it is complete."""
    mask = os.umask(0)
    os.umask(mask)
    staging.chmod(0o777 & ~mask)
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old)


class Command(BaseCommand):
    help = (
        "Write a static copy of one trip's public pages (in every language), its feed, calendar, "
        "published attachments and static files into DIR, to be served as a web root."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help="the trip's slug")
        parser.add_argument(
            "directory", metavar="DIR", help="the folder to write; must be empty unless --force"
        )
        parser.add_argument("--force", action="store_true", help="replace DIR if it is not empty")

    def handle(self, *args: Any, slug: str, directory: str, force: bool, **options: Any) -> None:
        try:
            trip = trip_queries.get_trip(slug)
        except Trip.DoesNotExist:
            raise CommandError(f"no trip called '{slug}'", returncode=EXIT_INVALID) from None
        named = Path(directory).absolute()
        target = _real_target(named)
        _check_target(target, force)
        host, secure = _site_host()
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        try:
            counts = Exporter(trip, staging, host, secure).export()
            _put_in_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        total = counts.pages + counts.files
        where = str(named) if named == target else f"{named} (→ {target})"
        self.stdout.write(
            f"exported trip '{slug}' to {where}: {total} files "
            f"({counts.pages} pages, {counts.files} other files)"
        )
