from typing import Any

import pytest
from django.test import Client

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import check_import_trip, do_import_trip
from virtualtrip.trips.models import Trip


@pytest.fixture
def trip(db: None) -> Trip:
    """The small test trip, imported through the real import."""
    planned = check_import_trip(as_yaml(trip_document()), replace=False, acting_user=None)
    return do_import_trip(planned, acting_user=None)


@pytest.fixture
def staff_client(client, django_user_model):  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user("planner", password="a-long-test-password", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(client: Client, django_user_model: Any) -> Client:
    """A superuser who planned the trip (the admin's own `admin_client` logs in as 'admin')."""
    user = django_user_model.objects.create_superuser("chief", password="a-long-test-password")
    client.force_login(user)
    return client
