"""Documents made the way the application makes them: through publishing's actions."""

from datetime import date, datetime

from django.contrib.auth.models import Group, User
from django.utils import timezone

from tests.factories.trips import TripFactory
from virtualtrip.publishing import actions
from virtualtrip.publishing.actions import DocumentPlace, DocumentText
from virtualtrip.publishing.enums import Clearance, DocumentKind
from virtualtrip.publishing.models import Document
from virtualtrip.trips.models import Trip

DESKS = {"editor": "Editors", "clearer": "Clearers", "publisher": "Publishers"}


def desk_user(desk: str, username: str | None = None) -> User:
    """A user in one of the press office's groups: 'editor', 'clearer' or 'publisher'."""
    user = User.objects.create_user(username or desk, password="a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name=DESKS[desk]))
    return user


def draft(
    trip: Trip | None = None,
    *,
    kind: str = DocumentKind.READOUT,
    title: str = "Readout of the meeting",
    body: str = "The two ministers discussed **trade**.",
    day: date = date(2021, 2, 26),
    embargo: datetime | None = None,
    question: str = "",
    **place: object,
) -> Document:
    trip = trip or TripFactory.create()
    text = DocumentText(title=title, date=day, body=body, embargo=embargo, question=question)
    where = DocumentPlace(kind=kind, **place)  # type: ignore[arg-type]
    checked = actions.check_create_document(trip, where, text, acting_user=None)
    return actions.do_create_document(checked, acting_user=None)


def publish(document: Document, *, at: datetime | None = None) -> Document:
    """Take a draft through clearance to published, each step by the desk that may take it."""
    desks = {
        Clearance.IN_CLEARANCE: "editor",
        Clearance.CLEARED: "clearer",
        Clearance.PUBLISHED: "publisher",
    }
    for state, desk in desks.items():
        user = User.objects.filter(username=desk).first() or desk_user(desk)
        actions.do_advance_document(document, state, acting_user=user, now=at or timezone.now())
    return document


def published(trip: Trip | None = None, **fields: object) -> Document:
    return publish(draft(trip, **fields))  # type: ignore[arg-type]
