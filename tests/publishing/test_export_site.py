"""`virtualtrip export-site SLUG DIR`: a static copy of a trip's public pages, and nothing else."""

import re
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories.publishing import draft, publish
from tests.factories.trips import EngagementFactory, ParticipantFactory
from virtualtrip.publishing import actions
from virtualtrip.publishing.models import Document

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Readout of the public meeting"
SPANISH_TITLE = "Lectura de la reunión pública"
EMBARGOED = "Readout under embargo"
DRAFT = "Readout still in draft"


@dataclass(frozen=True)
class Trip:
    readout: Document
    spanish: Document
    embargoed: Document
    draft: Document


@pytest.fixture
def trip(settings, tmp_path: Path) -> Trip:
    """A trip with a public and a private engagement, a published readout with an attachment and a
    Spanish version, a published readout still under embargo, and a draft."""
    settings.MEDIA_ROOT = tmp_path / "media"
    meeting = EngagementFactory.create(destination__trip__slug="trip", key="meeting", title="Public meeting")
    EngagementFactory.create(
        destination=meeting.destination, key="secret", title="Secret talks", public=False
    )
    principal = ParticipantFactory.create(engagement=meeting).person
    meeting.trip.principal = principal
    meeting.trip.save()
    readout = draft(meeting.trip, engagement="meeting", title=TITLE)
    upload = SimpleUploadedFile("fact-sheet.pdf", PDF)
    actions.do_add_attachment(readout, upload, "application/pdf", title="Fact sheet", acting_user=None)
    publish(readout)
    later = SimpleUploadedFile("annex.pdf", PDF)
    actions.do_add_attachment(readout, later, "application/pdf", title="Unpublished annex", acting_user=None)
    spanish = publish(draft(meeting.trip, title=SPANISH_TITLE, language="es", translation_of=readout.pk))
    embargoed = publish(
        draft(meeting.trip, title=EMBARGOED, body="Zebra talks.", embargo=timezone.now() + timedelta(days=1))
    )
    unpublished = draft(meeting.trip, title=DRAFT, body="Quagga talks.")
    return Trip(readout, spanish, embargoed, unpublished)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the copy goes: a folder, not there yet, alone in its parent."""
    parent = tmp_path / "exports"
    parent.mkdir()
    return parent / "site"


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_site", *args, stdout=out)
    return out.getvalue()


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def test_writes_every_public_page_in_every_language(trip: Trip, folder: Path) -> None:
    summary = export("trip", str(folder))
    written = files(folder)
    readout, spanish = trip.readout.pk, trip.spanish.pk
    for prefix in ["", "es/", "fr/"]:
        for page in [
            "trips/trip/index.html",
            f"trips/trip/documents/{readout}/index.html",
            f"trips/trip/documents/{spanish}/index.html",
            "trips/trip/engagements/meeting/index.html",
            "trips/trip/schedule/2021-02-26/index.html",
            "trips/trip/itinerary/2021-02-26/index.html",
            "trips/trip/feed.atom",
            "trips/trip/schedule.ics",
        ]:
            assert prefix + page in written
    assert TITLE in written[f"trips/trip/documents/{readout}/index.html"].decode()
    assert TITLE in written["trips/trip/index.html"].decode()
    assert TITLE in written["trips/trip/feed.atom"].decode()
    spanish_page = written[f"es/trips/trip/documents/{spanish}/index.html"].decode()
    assert SPANISH_TITLE in spanish_page
    assert '<html lang="es">' in spanish_page
    assert SPANISH_TITLE in written["es/trips/trip/index.html"].decode()
    assert "Public meeting" in written["fr/trips/trip/engagements/meeting/index.html"].decode()
    assert written[f"trips/trip/documents/{readout}/attachments/{_attachment_id(trip)}/fact-sheet.pdf"] == PDF
    assert {"static/virtualtrip/site.css", "static/virtualtrip/icon.svg"} <= set(written)
    assert re.fullmatch(
        rf"exported trip 'trip' to {re.escape(str(folder))}: {len(written)} files "
        r"\(18 pages, \d+ other files\)\n",
        summary,
    )


def test_nothing_embargoed_unpublished_or_private_is_exported(trip: Trip, folder: Path) -> None:
    export("trip", str(folder))
    written = files(folder)
    hidden = [EMBARGOED, DRAFT, "Zebra", "Quagga", "Secret talks", "Unpublished annex", "annex.pdf"]
    for document in [trip.embargoed, trip.draft]:
        hidden.append(f"/documents/{document.pk}/")
    for name, content in written.items():
        text = content.decode("utf-8", errors="replace")
        assert [word for word in hidden if word in text or word in name] == [], name


def test_every_link_within_the_trip_leads_to_an_exported_file(trip: Trip, folder: Path) -> None:
    export("trip", str(folder))
    links = {
        (link[0] or link[1]).split("#")[0]
        for path in folder.rglob("*.html")
        for link in re.findall(r'(?:href|src)="([^"]*)"|url=([^"]*)"', path.read_text())
    }
    within = {link for link in links if link.startswith("/static/") or "/trips/trip/" in link}
    assert len(within) > 20
    for link in within:
        target = folder / link.lstrip("/")
        assert (target / "index.html" if link.endswith("/") else target).is_file(), link


def test_an_unknown_trip_is_refused_and_nothing_is_written(trip: Trip, folder: Path) -> None:
    with pytest.raises(CommandError, match="no trip called 'nowhere'"):
        export("nowhere", str(folder))
    assert list(folder.parent.iterdir()) == []


def test_a_folder_with_files_in_it_is_refused_unless_forced(trip: Trip, folder: Path) -> None:
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not empty; pass --force to replace it"):
        export("trip", str(folder))
    assert files(folder) == {"keep.txt": b"mine"}
    assert [path.name for path in folder.parent.iterdir()] == ["site"]
    export("trip", str(folder), "--force")
    assert "keep.txt" not in files(folder)
    assert "trips/trip/index.html" in files(folder)
    assert [path.name for path in folder.parent.iterdir()] == ["site"]


def test_an_empty_folder_is_used(trip: Trip, folder: Path) -> None:
    folder.mkdir()
    export("trip", str(folder))
    assert "trips/trip/index.html" in files(folder)


def test_a_failure_halfway_leaves_the_folder_as_it_was(trip: Trip, folder: Path, monkeypatch) -> None:
    def broken(*args: object) -> str:
        raise RuntimeError("the calendar broke")

    monkeypatch.setattr("virtualtrip.trips.views.trip_calendar", broken)
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(RuntimeError, match="the calendar broke"):
        export("trip", str(folder), "--force")
    assert files(folder) == {"keep.txt": b"mine"}
    assert [path.name for path in folder.parent.iterdir()] == ["site"]


def _attachment_id(trip: Trip) -> int:
    return trip.readout.attachments.get(published=True).pk


def test_a_folder_named_by_a_symbolic_link_is_replaced_and_the_link_kept(trip: Trip, folder: Path) -> None:
    real = folder.parent / "real"
    real.mkdir()
    (real / "keep.txt").write_text("old export")
    folder.symlink_to(real)
    summary = export("trip", str(folder), "--force")
    assert (folder.is_symlink(), folder.readlink()) == (True, real)
    assert "keep.txt" not in files(real)
    assert "trips/trip/index.html" in files(real)
    assert sorted(path.name for path in folder.parent.iterdir()) == ["real", "site"]
    assert f"exported trip 'trip' to {folder} (→ {real}): " in summary


def test_a_symbolic_link_to_nothing_is_refused_and_nothing_is_written(trip: Trip, folder: Path) -> None:
    folder.symlink_to(folder.parent / "gone")
    with pytest.raises(CommandError, match=r"site is a symbolic link to .*gone, which does not exist"):
        export("trip", str(folder))
    assert [path.name for path in folder.parent.iterdir()] == ["site"]


def test_a_long_trip_exports_its_itinerary_a_day_a_page_and_every_link_leads_somewhere(folder: Path) -> None:
    from tests.trips.long_trip import import_long_trip

    import_long_trip(80)  # past what one page lists: the trip page links a page per day
    export("test-trip", str(folder))
    exported = {path.relative_to(folder).as_posix() for path in folder.rglob("index.html")}
    assert "trips/test-trip/itinerary/2021-03-01/index.html" in exported
    assert "fr/trips/test-trip/itinerary/2021-03-07/index.html" in exported
    links = {
        link.split("#")[0]
        for path in folder.rglob("*.html")
        for link in re.findall(r'href="(/[^"]*)"', path.read_text())
        if "/trips/test-trip/" in link and "?" not in link
    }
    assert any("/itinerary/" in link for link in links)
    missing = [
        link
        for link in links
        if not (folder / link.lstrip("/") / "index.html").is_file()
        and not (folder / link.lstrip("/")).is_file()
    ]
    assert missing == []
