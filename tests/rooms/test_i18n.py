"""The rooms' pages in Spanish and French: under /es/ and /fr/, with the room script's words in the
JavaScript catalog. Needs the compiled catalogs (`make install` compiles them)."""

from datetime import timedelta

import pytest
from django.test import Client

from tests.factories.rooms import ended_engagement, live_engagement, seat
from tests.html import texts
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.trips.enums import Role

pytestmark = pytest.mark.django_db


ROOM = {
    "es": {"connection": "Sin conexión", "join": "Entrar", "leave": "Salir"},
    "fr": {"connection": "Non connecté", "join": "Rejoindre", "leave": "Quitter"},
}
REFUSED = {
    "es": (
        "Este enlace no abre ninguna sala",
        "Abra su enlace personal de acceso para entrar en esta sala, "
        "o inicie sesión como miembro del personal.",
    ),
    "fr": (
        "Ce lien n'ouvre aucune salle",
        "Veuillez ouvrir votre lien d'accès personnel pour entrer dans cette salle, "
        "ou vous connecter en tant que membre du personnel.",
    ),
}


@pytest.mark.parametrize("language", ["es", "fr"])
def test_room_page_speaks_the_language_of_its_prefix(language: str) -> None:
    engagement = live_engagement(title="Meeting with the Foreign Minister")
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone")
    page = Client().get(f"/{language}" + do_issue_join_link(principal, acting_user=None))
    assert page.status_code == 200
    html = page.content.decode()
    words = ROOM[language]
    assert f'<html lang="{language}">' in html
    assert texts(html, css_class="connection") == [words["connection"]]
    assert words["join"] in texts(html, tag="button")
    assert words["leave"] in texts(html, tag="button")
    # The room script's catalog comes in the same language, before the script.
    assert html.index(f'src="/{language}/jsi18n/"') < html.index("rooms/room.js")


def test_room_page_without_prefix_stays_in_english() -> None:
    principal = seat(live_engagement(), Role.PRINCIPAL)
    html = Client().get(do_issue_join_link(principal, acting_user=None)).content.decode()
    assert '<html lang="en">' in html
    assert texts(html, css_class="connection") == ["Not connected"]
    assert 'src="/jsi18n/"' in html


@pytest.mark.parametrize("language", ["es", "fr"])
def test_refused_page_says_why_in_the_language_of_its_prefix(language: str) -> None:
    engagement = live_engagement()
    page = Client().get(f"/{language}/rooms/{engagement.pk}/")
    assert page.status_code == 403
    html = page.content.decode()
    title, reason = REFUSED[language]
    assert f'<html lang="{language}">' in html
    assert texts(html, tag="h1") == [title]
    assert texts(html, css_class="reason") == [reason]


def test_expired_link_names_the_day_in_spanish() -> None:
    principal = seat(ended_engagement(timedelta(days=3)), Role.PRINCIPAL)
    page = Client().get("/es" + do_issue_join_link(principal, acting_user=None))
    assert page.status_code == 403
    (reason,) = texts(page.content.decode(), css_class="reason")
    assert reason.startswith("Este enlace caducó el ")
    assert " de " in reason  # "5 de marzo de 2026", as Spanish writes a date
    assert reason.endswith("Solicite uno nuevo al equipo organizador del viaje.")


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [("es", "Enlaces de acceso", "Volver a emitir"), ("fr", "Liens d'accès", "Réémettre")],
)
def test_staff_links_page_in_the_language_of_its_prefix(admin_client, language, heading, button) -> None:
    engagement = live_engagement(title="Town hall with the mission")
    seat(engagement, Role.PRINCIPAL, name="Avery Stone")
    page = admin_client.get(f"/{language}/rooms/{engagement.pk}/links/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in texts(html, tag="h2")
    assert button in texts(html, tag="button")


@pytest.mark.parametrize(
    ("language", "title"), [("es", "Acceso del personal"), ("fr", "Connexion du personnel")]
)
def test_staff_log_in_page_in_the_language_of_its_prefix(language: str, title: str) -> None:
    page = Client().get(f"/{language}/accounts/login/")
    assert page.status_code == 200
    assert texts(page.content.decode(), tag="h1") == [title]


@pytest.mark.parametrize(("language", "entry"), [("es", '"Admit": "Admitir"'), ("fr", '"Admit": "Admettre"')])
def test_javascript_catalog_carries_the_room_script_words(language: str, entry: str) -> None:
    catalog = Client().get(f"/{language}/jsi18n/")
    assert catalog.status_code == 200
    assert entry in catalog.content.decode()
