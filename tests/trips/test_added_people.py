"""People who are not in the trip file: accredited journalists and a town hall's audience."""

import re

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import as_yaml, trip_document
from virtualtrip.trips.actions import (
    check_import_trip,
    do_add_audience_participant,
    do_add_press_participant,
    do_import_trip,
)
from virtualtrip.trips.models import Engagement, Participant, Person, Trip
from virtualtrip.trips.queries import visible_engagements, visible_people
from virtualtrip.trips.tripfile.export import export_trip

pytestmark = pytest.mark.django_db

TRIP_FILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def reimport(document: dict[str, object] | None = None) -> Trip:
    raw = as_yaml(document or trip_document())
    return do_import_trip(check_import_trip(raw, replace=True, acting_user=None), acting_user=None)


def press(trip: Trip) -> Engagement:
    return Engagement.objects.get(trip=trip, key="us-press")


def test_a_journalist_with_a_name_in_other_latin_letters_gets_a_readable_key(trip: Trip) -> None:
    participant = do_add_press_participant(
        press(trip), name="  Zoë Ångström-Łukasz ", outlet="Dagens Nyheter", country="se", acting_user=None
    )
    person = participant.person
    assert (person.key, person.name, person.outlet, person.country) == (
        "press-zoe-angstrom-lukasz",
        "Zoë Ångström-Łukasz",
        "Dagens Nyheter",
        "SE",
    )
    assert (participant.role, person.from_trip_file) == ("press", False)
    # After the trip file's own participants.
    assert participant.position == 2


def test_names_without_latin_letters_and_namesakes_get_unique_valid_keys(trip: Trip) -> None:
    engagement = press(trip)
    added = [
        do_add_press_participant(engagement, name=name, outlet="新华社", country="CN", acting_user=None)
        for name in ["李雷", "李雷", "Ольга Петрова", "Zoë Ångström-Łukasz", "Zoe Angstrom Lukasz"]
    ]
    keys = [participant.person.key for participant in added]
    assert keys == [
        "press-1",
        "press-2",
        "press-3",
        "press-zoe-angstrom-lukasz",
        "press-zoe-angstrom-lukasz-2",
    ]
    assert all(TRIP_FILE_ID.match(key) and len(key) <= 100 for key in keys)
    assert [p.position for p in added] == [2, 3, 4, 5, 6]


def test_a_very_long_name_makes_a_key_within_the_limit(trip: Trip) -> None:
    participant = do_add_audience_participant(
        press(trip), name="Wolfeschlegelsteinhausen" * 8, acting_user=None
    )
    assert participant.person.key.startswith("audience-wolfeschlegelsteinhausen")
    assert len(participant.person.key) <= 100
    assert participant.role == "audience"


def test_a_key_taken_by_the_trip_file_is_not_reused(trip: Trip) -> None:
    document = trip_document()
    document["people"].append({"id": "audience-ana", "name": "Ana in the file"})
    reimport(document)
    participant = do_add_audience_participant(press(trip), name="Ana", acting_user=None)
    assert participant.person.key == "audience-ana-2"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": ""}, {"name": ["name is required"]}),
        ({"name": "x" * 201}, {"name": ["name is 201 characters long; it may be at most 200"]}),
        (
            {"name": "Rita\x00"},
            {"name": ["name contains the NUL character (U+0000), which cannot be stored: remove it"]},
        ),
        ({"name": "Rita\nReporter"}, {"name": ["name must be one line"]}),
        ({"outlet": "  "}, {"outlet": ["outlet is required"]}),
        (
            {"outlet": "Dia\u2028rio"},
            {
                "outlet": [
                    "outlet contains the LINE SEPARATOR character (U+2028), which cannot be stored: remove it"
                ]
            },
        ),
        ({"country": "XX"}, {"country": ["unknown country 'XX': use an ISO 3166-1 alpha-2 code such as MX"]}),
        ({"country": ""}, {"country": ["country is required: an ISO 3166-1 code such as MX"]}),
    ],
)
def test_unusable_press_fields_are_refused_naming_the_field(
    trip: Trip, fields: dict[str, str], expected: dict[str, list[str]]
) -> None:
    values = {"name": "Rita Reporter", "outlet": "Diario de Prueba", "country": "MX"} | fields
    people = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        do_add_press_participant(press(trip), **values, acting_user=None)
    assert caught.value.message_dict == expected
    assert Person.objects.count() == people


def test_every_unusable_field_is_named_at_once(trip: Trip) -> None:
    with pytest.raises(ValidationError) as caught:
        do_add_press_participant(press(trip), name="", outlet="", country="mxx", acting_user=None)
    assert sorted(caught.value.message_dict) == ["country", "name", "outlet"]


def test_an_audience_name_is_checked_too(trip: Trip) -> None:
    with pytest.raises(ValidationError) as caught:
        do_add_audience_participant(press(trip), name="\x1b[31m", acting_user=None)
    assert list(caught.value.message_dict) == ["name"]


def test_a_replace_keeps_added_people_and_their_rows_and_the_export_leaves_them_out(trip: Trip) -> None:
    engagement = press(trip)
    journalist = do_add_press_participant(
        engagement, name="Zoë Ångström-Łukasz", outlet="Dagens Nyheter", country="SE", acting_user=None
    )
    listener = do_add_audience_participant(engagement, name="李雷", acting_user=None)
    exported = export_trip(trip)
    assert "Zoë" not in exported
    assert "李雷" not in exported
    written = yaml.safe_load(exported)
    assert [p["person"] for p in written["destinations"][1]["engagements"][0]["participants"]] == [
        "minister",
        "reporter",
    ]
    # The planner takes the file's reporter off the engagement and re-imports.
    document = trip_document()
    document["destinations"][1]["engagements"][0]["participants"].pop()
    reimport(document)
    rows = list(
        Participant.objects.filter(engagement=engagement)
        .order_by("position")
        .values_list("pk", "person__key", "position")
    )
    assert rows == [
        (rows[0][0], "minister", 0),
        (journalist.pk, "press-zoe-angstrom-lukasz", 1),
        (listener.pk, "audience-1", 2),
    ]
    assert Person.objects.get(pk=journalist.person_id).from_trip_file is False
    # The same file again changes nothing; the export still reads back to the file's trip alone.
    reimport(document)
    assert Participant.objects.filter(engagement=engagement).count() == 3
    assert yaml.safe_load(export_trip(trip)) == yaml.safe_load(
        export_trip(reimport(yaml.safe_load(export_trip(trip))))
    )


def test_added_people_go_with_their_engagement_when_the_file_drops_it(trip: Trip) -> None:
    engagement = press(trip)
    do_add_press_participant(
        engagement, name="Rita Otra", outlet="La Jornada", country="MX", acting_user=None
    )
    kept = do_add_press_participant(
        Engagement.objects.get(key="mx-meeting"),
        name="Ana Guest",
        outlet="CBC",
        country="CA",
        acting_user=None,
    )
    document = trip_document()
    del document["destinations"][1]
    reimport(document)
    assert list(Person.objects.filter(from_trip_file=False).values_list("key", flat=True)) == [
        kept.person.key
    ]


def test_a_file_person_written_with_an_added_persons_key_takes_them_over(trip: Trip) -> None:
    added = do_add_press_participant(press(trip), name="Zoë", outlet="SVT", country="SE", acting_user=None)
    document = trip_document()
    document["people"].append(
        {"id": added.person.key, "name": "Zoë Ångström", "outlet": "SVT", "country": "SE"}
    )
    document["destinations"][1]["engagements"][0]["participants"].append(
        {"person": added.person.key, "role": "press"}
    )
    reimport(document)
    person = Person.objects.get(key=added.person.key)
    assert (person.pk, person.name, person.from_trip_file) == (added.person_id, "Zoë Ångström", True)
    assert Participant.objects.get(person=person).pk == added.pk
    assert added.person.key in export_trip(trip)


def test_the_public_never_sees_added_people_and_staff_do(trip: Trip, django_user_model: object) -> None:
    engagement = press(trip)
    do_add_audience_participant(engagement, name="Zoë Ångström-Łukasz", acting_user=None)
    public = visible_engagements(trip).get(key="us-press")
    assert [p.person.key for p in public.participants.all()] == ["minister", "reporter"]
    assert "audience-zoe-angstrom-lukasz" not in set(visible_people(trip).values_list("key", flat=True))
    staff = django_user_model.objects.create_user("planner", is_staff=True)  # type: ignore[attr-defined]
    staffed = visible_engagements(trip, staff).get(key="us-press")
    assert [p.person.key for p in staffed.participants.all()][-1] == "audience-zoe-angstrom-lukasz"
    assert "audience-zoe-angstrom-lukasz" in set(visible_people(trip, staff).values_list("key", flat=True))


def test_the_public_engagement_page_does_not_name_an_added_journalist(client: Client, trip: Trip) -> None:
    do_add_press_participant(
        press(trip), name="Zoë Ångström-Łukasz", outlet="SVT", country="SE", acting_user=None
    )
    for url in [f"/trips/{trip.slug}/", f"/trips/{trip.slug}/engagements/us-press/"]:
        page = client.get(url).content.decode()
        assert "Rita Reporter" in page, url
        assert "Zoë" not in page, url
