"""The trip's public pages in Spanish and French: under /es/ and /fr/, with headings, kinds, coverage,
roles, dates and times as each language writes them, and the other languages' versions named for
search engines. The public schedule an editor drafts stays English. Needs the compiled catalogs
(`make install` compiles them)."""

from datetime import date
from typing import Any

import feedparser  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.utils import translation

from tests.factories.publishing import draft, publish
from tests.html import texts
from virtualtrip.publishing.actions import draft_public_schedule_text
from virtualtrip.publishing.enums import DocumentKind
from virtualtrip.publishing.models import Document
from virtualtrip.trips.models import Trip

pytestmark = pytest.mark.django_db

TRIP = "/trips/test-trip/"
ENGAGEMENT = "/trips/test-trip/engagements/mx-meeting/"

WORDS: dict[str, dict[str, Any]] = {
    "es": {
        "eyebrow": "Viaje virtual",
        "principal": "Minister Ana Minister, desde Washington, D.C.",
        "headings": ["Resumen", "Documentos", "Agenda pública", "Itinerario"],
        "day": "viernes 26 de febrero de 2021",
        "when": [
            "10:15 en Mexico City, 11:15 en Washington, D.C. · 45 min",
            "16:00 en Washington, D.C. · 30 min",
        ],
        "kinds": ["Reunión bilateral", "Encuentro con la prensa"],
        "coverage": ["(CERRADO A LA PRENSA)", "(ABIERTO A LA PRENSA)"],
        "roles": ["Autoridad principal", "Contraparte", "Autoridad principal", "Prensa"],
        "planned": "Agenda prevista, 26 de febrero de 2021",
        "picker": "Mostrar también las horas de la zona",
        "readout": "Nota informativa",
        "read": "Leer la nota informativa",
        "pending": "Cerrada a la prensa: se publicará una nota informativa.",
        "engagement headings": ["Participantes", "Documentos"],
        "dateline": "26 de febrero de 2021",
        "breadcrumb": "Ruta de navegación",
        "also": "También en:",
        "feed": "Documentos publicados sobre Test trip",
    },
    "fr": {
        "eyebrow": "Voyage virtuel",
        "principal": "Minister Ana Minister, depuis Washington, D.C.",
        "headings": ["Résumé", "Documents", "Agenda public", "Itinéraire"],
        "day": "vendredi 26 février 2021",
        "when": [
            "10 h 15 à Mexico City, 11 h 15 à Washington, D.C. · 45 min",
            "16 h 00 à Washington, D.C. · 30 min",
        ],
        "kinds": ["Réunion bilatérale", "Rencontre avec la presse"],
        "coverage": ["(FERMÉ À LA PRESSE)", "(OUVERT À LA PRESSE)"],
        "roles": ["Autorité principale", "Homologue", "Autorité principale", "Presse"],
        "planned": "Agenda prévu, 26 février 2021",
        "picker": "Afficher aussi les heures du fuseau",
        "readout": "Compte rendu",
        "read": "Lire le compte rendu",
        "pending": "Fermée à la presse : un compte rendu suivra.",
        "engagement headings": ["Participants", "Documents"],
        "dateline": "26 février 2021",
        "breadcrumb": "Fil d'Ariane",
        "also": "Également en :",
        "feed": "Documents publiés pour Test trip",
    },
}
LANGUAGES = ["es", "fr"]


def page(client: Client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.content.decode()


def names_every_version(html: str, path: str) -> bool:
    """The page's <head> names its English, Spanish and French versions for search engines."""
    return all(
        f'<link rel="alternate" hreflang="{code}" href="{prefix}{path}">' in html
        for code, prefix in [("en", ""), ("es", "/es"), ("fr", "/fr")]
    )


@pytest.fixture
def readout(trip: Trip) -> Document:
    return publish(draft(trip, engagement="mx-meeting", title="Readout of the meeting"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_trip_page_speaks_the_language_of_its_prefix(client: Client, trip: Trip, language: str) -> None:
    html = page(client, f"/{language}{TRIP}")
    words = WORDS[language]
    assert f'<html lang="{language}">' in html
    assert names_every_version(html, TRIP)
    assert texts(html, css_class="eyebrow") == [words["eyebrow"]]
    assert texts(html, css_class="principal") == [words["principal"]]
    assert texts(html, tag="h2") == words["headings"]
    assert texts(html, css_class="day") == [words["day"]] * 2
    assert texts(html, css_class="when") == words["when"]
    assert texts(html, css_class="kind") == words["kinds"]
    assert texts(html, css_class="coverage") == words["coverage"]
    assert texts(html, css_class="role") == words["roles"]
    assert texts(html, css_class="pending") == [words["pending"]]
    assert words["planned"] in texts(html, tag="a")
    assert words["picker"] in texts(html, tag="label")


def test_french_times_do_not_break_across_lines(client: Client, trip: Trip) -> None:
    html = page(client, f"/fr{TRIP}")
    assert '<span class="reading">10\u00a0h\u00a015 à Mexico City</span>' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_trip_page_lists_documents_with_their_kind_in_the_language(
    client: Client, readout: Document, language: str
) -> None:
    html = page(client, f"/{language}{TRIP}")
    words = WORDS[language]
    assert texts(html, css_class="kind-tag") == [words["readout"]]
    assert texts(html, css_class="readout-notice") == [f"{words['read']} (English)"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_engagement_page_speaks_the_language_of_its_prefix(
    client: Client, readout: Document, language: str
) -> None:
    html = page(client, f"/{language}{ENGAGEMENT}")
    words = WORDS[language]
    assert f'<html lang="{language}">' in html
    assert names_every_version(html, ENGAGEMENT)
    assert texts(html, css_class="eyebrow") == [words["kinds"][0]]
    assert texts(html, css_class="when") == [words["when"][0].split(" · ")[0]]
    assert texts(html, css_class="coverage") == [words["coverage"][0]]
    assert texts(html, css_class="role") == words["roles"][:2]
    assert texts(html, tag="h2") == words["engagement headings"]
    assert texts(html, css_class="kind-tag") == [words["readout"]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_document_page_frames_the_document_in_the_language_of_its_prefix(
    client: Client, readout: Document, language: str
) -> None:
    html = page(client, f"/{language}/trips/test-trip/documents/{readout.pk}/")
    words = WORDS[language]
    assert f'<html lang="{language}">' in html
    assert '<article class="document" lang="en">' in html  # the text itself stays in its own language
    assert texts(html, css_class="eyebrow") == [words["readout"]]
    assert texts(html, css_class="dateline") == [words["dateline"]]
    assert f'aria-label="{words["breadcrumb"]}"' in html.replace("&#x27;", "'")


@pytest.mark.parametrize("language", LANGUAGES)
def test_document_page_names_each_translation_in_its_own_language(
    client: Client, readout: Document, language: str
) -> None:
    versions = {
        "en": readout,
        "es": publish(
            draft(readout.trip, translation_of=readout.pk, language="es", title="Nota de la reunión")
        ),
        "fr": publish(draft(readout.trip, translation_of=readout.pk, language="fr", title="Compte rendu")),
    }
    html = page(client, f"/{language}/trips/test-trip/documents/{versions[language].pk}/")
    assert f'<article class="document" lang="{language}">' in html
    for code, prefix in [("en", ""), ("es", "/es"), ("fr", "/fr")]:
        url = f"{prefix}/trips/test-trip/documents/{versions[code].pk}/"
        assert f'<link rel="alternate" hreflang="{code}" href="{url}">' in html
    assert texts(html, css_class="versions")[0].startswith(WORDS[language]["also"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_trip_feed_in_the_language_of_its_prefix(client: Client, readout: Document, language: str) -> None:
    feed = feedparser.parse(client.get(f"/{language}/trips/test-trip/feed.atom").content)
    assert feed.feed.subtitle == WORDS[language]["feed"]
    assert [entry.tags[0].term for entry in feed.entries] == [WORDS[language]["readout"]]


@pytest.mark.parametrize(
    ("language", "found"),
    [("es", "1 documento encontrado para «trade»."), ("fr", "1 document trouvé pour « trade ».")],
)
def test_search_counts_results_in_the_language(
    client: Client, readout: Document, language: str, found: str
) -> None:
    html = page(client, f"/{language}/search/?q=trade")
    assert texts(html, tag="p")[0] == found


@pytest.mark.parametrize("language", LANGUAGES)
def test_drafted_public_schedule_stays_english_whatever_the_interface_speaks(
    trip: Trip, language: str
) -> None:
    with translation.override(language):
        text = draft_public_schedule_text(trip, date(2021, 2, 26))
        document = draft(
            trip, kind=DocumentKind.PUBLIC_SCHEDULE, title=text.title, body=text.body, day=text.date
        )
    assert text.title == "Public Schedule for Friday, February 26, 2021"
    assert "**11:15 a.m.** — Meeting with the Foreign Secretary\\" in text.body
    assert "(CLOSED PRESS COVERAGE)" in text.body
    assert "*All times are Washington, D.C. time (America/New_York).*" in text.body
    assert document.language == "en"
