"""The floor's pages in Spanish and French: the registration page of a press briefing, the room's
floor panel and the floor script's words in the JavaScript catalog, each under /es/ and /fr/. Needs
the compiled catalogs (`make install` compiles them)."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories.rooms import live_engagement, seat
from tests.html import texts
from virtualtrip.floor.models import Accreditation
from virtualtrip.rooms.actions import do_issue_join_link
from virtualtrip.trips.enums import EngagementKind, GroundRules, Role
from virtualtrip.trips.models import Engagement

pytestmark = pytest.mark.django_db

TITLE = "Briefing on the Ōsaka talks"

REGISTER: dict[str, dict[str, Any]] = {
    "es": {
        "heading": f"Inscripción para {TITLE}",
        "button": "Inscribirse",
        "labels": ["Nombre completo", "Medio", "País de su medio", "Correo electrónico"],
        "attribution": "atribuir a «UN ALTO FUNCIONARIO»",
        "required": "Este campo es obligatorio.",
        "thanks": "Gracias, Nguyễn Thị Ánh. La oficina de prensa examinará su inscripción",
        "too_many": "Aceptamos como máximo 1 inscripción por hora desde una misma conexión",
    },
    "fr": {
        "heading": f"Inscription pour {TITLE}",
        "button": "S'inscrire",
        "labels": ["Nom complet", "Média", "Pays de votre média", "Courriel"],
        "attribution": "attribuer à « UN ALTO FUNCIONARIO »",
        "required": "Ce champ est obligatoire.",
        "thanks": "Merci, Nguyễn Thị Ánh. Le service de presse va examiner votre inscription",
        "too_many": "Nous acceptons au plus 1 inscription par heure depuis une même connexion",
    },
}
PANEL: dict[str, dict[str, Any]] = {
    "es": {
        "title": "Preguntas y turnos de palabra",
        "nobody": "Nadie tiene la palabra.",
        "raise": "Levantar la mano",
        "rules": "Off the record: no se puede publicar nada de lo que se diga aquí.",
        "script": {
            "Give the floor": "Dar la palabra",
            "You are number %(place)s of %(count)s in the queue.": (
                "Ocupa el puesto %(place)s de %(count)s en la lista de espera."
            ),
            "%(n)s follow-up": ["%(n)s repregunta", "%(n)s repreguntas", "%(n)s repreguntas"],
            "This link is open in too many tabs: close one, and this one connects.": (
                "Este enlace está abierto en demasiadas pestañas: cierre una y esta se conectará."
            ),
        },
    },
    "fr": {
        "title": "Questions et prises de parole",
        "nobody": "Personne n'a la parole.",
        "raise": "Lever la main",
        "rules": "Off the record : rien de ce qui est dit ici ne peut être rapporté.",
        "script": {
            "Give the floor": "Donner la parole",
            "You are number %(place)s of %(count)s in the queue.": (
                "Vous êtes en position %(place)s sur %(count)s dans la file d'attente."
            ),
            # Django's French counts 0 and 1, millions, and the rest: the script's entries need all three.
            "%(n)s follow-up": ["%(n)s relance", "%(n)s relances", "%(n)s relances"],
            "This link is open in too many tabs: close one, and this one connects.": (
                "Ce lien est ouvert dans trop d'onglets : fermez-en un et celui-ci se connectera."
            ),
        },
    },
}
GOOD = {"name": "Nguyễn Thị Ánh", "outlet": "Tuổi Trẻ", "country": "VN", "email": "anh@tuoitre.example"}


def script_catalog(language: str) -> dict[str, object]:
    """The JavaScript catalog the page loads, as msgid → translation."""
    script = Client().get(f"/{language}/jsi18n/").content.decode()
    start = script.index("newcatalog = ") + len("newcatalog = ")
    catalog, _ = json.JSONDecoder().raw_decode(script, start)
    return dict(catalog)


def briefing(**fields: object) -> Engagement:
    """A public press briefing under way in an odd zone (UTC+5:45)."""
    return live_engagement(
        kind=EngagementKind.PRESS_BRIEFING, timezone="Asia/Kathmandu", title=TITLE, **fields
    )


def register_url(engagement: Engagement, language: str) -> str:
    with translation.override(language):
        return reverse("floor:register", args=[engagement.trip.slug, engagement.key])


@pytest.mark.parametrize("language", ["es", "fr"])
def test_registration_page_speaks_the_language_of_its_prefix(language: str) -> None:
    engagement = briefing(ground_rules=GroundRules.BACKGROUND, attribution="UN ALTO FUNCIONARIO")
    url = register_url(engagement, language)
    assert url.startswith(f"/{language}/")
    html = Client().get(url).content.decode()
    words = REGISTER[language]
    assert f'<html lang="{language}">' in html
    assert texts(html, tag="h1") == [words["heading"]]
    assert words["button"] in texts(html, tag="button")
    labels = texts(html, tag="label")
    assert all(label in labels for label in words["labels"]), labels
    assert words["attribution"] in texts(html, css_class="ground-rules-line")[0]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_registration_answers_in_the_language_of_its_prefix(language: str) -> None:
    engagement = briefing()
    url = register_url(engagement, language)
    refused = Client().post(url, {**GOOD, "name": ""})
    assert refused.status_code == 400
    assert REGISTER[language]["required"] in refused.content.decode()
    saved = Client().post(url, GOOD)
    assert saved.status_code == 200
    assert REGISTER[language]["thanks"] in " ".join(texts(saved.content.decode(), css_class="notice"))
    assert Accreditation.objects.get().name == GOOD["name"]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_too_many_registrations_from_one_address_are_refused_in_the_language_of_its_prefix(
    language: str, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = 1
    engagement = briefing()
    url = register_url(engagement, language)
    assert Client().post(url, GOOD).status_code == 200
    refused = Client().post(url, {**GOOD, "email": "other@tuoitre.example"})
    assert refused.status_code == 429
    assert REGISTER[language]["too_many"] in " ".join(texts(refused.content.decode(), css_class="error"))


@pytest.mark.parametrize("language", ["es", "fr"])
def test_floor_panel_and_its_script_speak_the_language_of_its_prefix(language: str) -> None:
    engagement = briefing(ground_rules=GroundRules.OFF_RECORD, embargo_until=None)
    journalist = seat(engagement, Role.PRESS, name="Zoë Ångström", outlet="Latinus", country="MX")
    page = Client().get(f"/{language}" + do_issue_join_link(journalist, acting_user=None))
    assert page.status_code == 200
    html = page.content.decode()
    words = PANEL[language]
    assert words["title"] in texts(html, tag="h2")
    assert texts(html, css_class="ground-rules")[0].endswith(words["rules"])
    assert words["nobody"] in texts(html, tag="strong")
    assert words["raise"] in texts(html, tag="button")
    catalog = script_catalog(language)
    for english, wanted in words["script"].items():
        served = catalog.get(english)
        if isinstance(wanted, list):  # as many plural forms as the catalog's formula counts
            assert isinstance(served, list), (english, served)
            assert served == wanted[: len(served)], (english, served)
            assert all(served), (english, served)
        else:
            assert served == wanted, english


def test_the_floor_script_comes_after_the_catalog() -> None:
    """floor.js takes `window.gettext` once, when it runs: run before the catalog's script, it keeps
    the English fallback and writes every word of its own (the queue, errors, the status) in English.
    (Deferring it is no cure: it connects on the room's first control event, which may come first.)"""
    journalist = seat(briefing(), Role.PRESS, name="Zoë Ångström", outlet="Latinus", country="MX")
    html = Client().get("/es" + do_issue_join_link(journalist, acting_user=None)).content.decode()
    assert html.index('<script src="/es/jsi18n/"') < html.index("floor/floor.js")


def test_the_floor_stays_english_without_a_prefix() -> None:
    html = Client().get(register_url(briefing(), "en")).content.decode()
    assert '<html lang="en">' in html
    assert texts(html, tag="h1") == [f"Register for {TITLE}"]
