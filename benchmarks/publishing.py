"""Benchmark: the public pages and feeds of a trip with 1,000 published documents.

Run from the repository root:

    .venv/bin/python benchmarks/publishing.py

It makes a fresh SQLite database in a temporary folder, loads the demo trip (`load_demo`: 3
destinations, 14 engagements), and writes 1,000 documents through publishing's actions, each taken
draft → in clearance → cleared → published by a user of the Editors, Clearers and Publishers groups:
400 English originals spread over the home city, the destinations and the engagements and over every
kind, 300 Spanish and 300 French translations of them (most originals have both, some one, some
none). Bodies are generated Markdown of a few paragraphs. Then it requests, through Django's test
`Client` as an anonymous visitor, the trip page in English and in Spanish, the trip's Atom feed, the
site's Atom feed and one document page: a few warm-up requests, then `--runs` timed ones each, and
prints the median and p95 time, the SQL queries of one request and the size of the response. Nothing
outside the temporary folder is touched.
"""

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from virtualtrip.publishing.models import Document
    from virtualtrip.trips.models import Trip

T = TypeVar("T")

SEED = 20261124
DEMO_SLUG = "mexico-canada-2021"
WIDTH = 34

# Kinds by what the document is about: the trip as a whole (home), a destination, an engagement.
HOME_KINDS = ["press_statement", "fact_sheet", "public_schedule", "taken_question_answer", "media_note"]
DESTINATION_KINDS = ["fact_sheet", "press_statement", "media_note", "public_schedule"]
ENGAGEMENT_KINDS = ["readout", "remarks", "transcript", "taken_question_answer", "media_note"]

# Words the generated bodies are made of, separated by spaces: made up here, not taken from any text.
WORDS = {
    "en": (
        "the delegation minister ambassador trade climate border security partnership investment "
        "workers supply chains energy migration cooperation agreement talks officials region youth "
        "students innovation health vaccines port infrastructure prosperity commitment shared values "
        "dialogue economy jobs families communities discussed welcomed reaffirmed highlighted agreed "
        "underscored continued announced reviewed strengthened expanded together both sides today"
    ),
    "es": (
        "la delegación ministro embajadora comercio clima frontera seguridad asociación inversión "
        "trabajadores cadenas suministro energía migración cooperación acuerdo conversaciones región "
        "jóvenes estudiantes innovación salud vacunas puerto infraestructura prosperidad compromiso "
        "valores diálogo economía empleos familias comunidades conversaron acogieron reafirmaron "
        "destacaron acordaron subrayaron anunciaron revisaron fortalecieron ampliaron ambas partes hoy"
    ),
    "fr": (
        "la délégation ministre ambassadrice commerce climat frontière sécurité partenariat "
        "investissement travailleurs chaînes approvisionnement énergie migration coopération accord "
        "entretiens région jeunes étudiants innovation santé vaccins port infrastructures prospérité "
        "engagement valeurs dialogue économie emplois familles communautés discutent saluent "
        "réaffirment soulignent conviennent annoncent renforcent les deux parties aujourd'hui"
    ),
}
HEADINGS = {
    "en": ["Background", "Key points", "Next steps", "Participants"],
    "es": ["Antecedentes", "Puntos clave", "Próximos pasos", "Participantes"],
    "fr": ["Contexte", "Points clés", "Prochaines étapes", "Participants"],
}


# --- the documents -----------------------------------------------------------------------------------


def sentence(rng: random.Random, language: str) -> str:
    words = rng.choices(WORDS[language].split(), k=rng.randint(9, 22))
    if rng.random() < 0.3:
        at = rng.randrange(len(words))
        words[at] = f"**{words[at]}**"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, language: str) -> str:
    return " ".join(sentence(rng, language) for _ in range(rng.randint(3, 6)))


def make_body(rng: random.Random, language: str) -> str:
    """A few paragraphs of Markdown with a heading, a list and a link: 1.5-3.5 KB."""
    headings = HEADINGS[language]
    parts = [paragraph(rng, language), paragraph(rng, language), f"## {rng.choice(headings)}"]
    parts.append("\n".join(f"- {sentence(rng, language)}" for _ in range(rng.randint(3, 5))))
    parts.append(paragraph(rng, language))
    if rng.random() < 0.5:
        parts.append(f"## {rng.choice(headings)}")
        parts.append(paragraph(rng, language))
    parts.append(f"[{sentence(rng, language)[:-1]}](https://www.state.gov/)")
    return "\n\n".join(parts)


def make_title(rng: random.Random, language: str, kind: str, n: int) -> str:
    words = " ".join(rng.choices(WORDS[language].split(), k=rng.randint(4, 8)))
    return f"{kind.replace('_', ' ').capitalize()} {n}: {words}"


def make_question(rng: random.Random, language: str) -> str:
    return sentence(rng, language)[:-1] + "?"


def translations_of(n: int) -> list[str]:
    """Which translations original `n` gets: 5 in 8 both, 1 in 8 Spanish only, French only, none.

    400 originals then have 300 Spanish and 300 French versions: 1,000 documents in all.
    """
    pattern: list[list[str]] = [["es", "fr"]] * 5 + [["es"], ["fr"], []]
    return pattern[n % 8]


@dataclass(frozen=True)
class Desks:
    editor: "User"
    clearer: "User"
    publisher: "User"


def make_desks() -> Desks:
    """One user in each of the groups `migrate` creates, as tests/factories/publishing.py makes them."""
    from django.contrib.auth.models import Group, User

    def user(name: str, group: str) -> User:
        made = User.objects.create_user(name, password="a-long-benchmark-password")  # noqa: S106
        made.groups.add(Group.objects.get(name=group))
        return made

    return Desks(user("editor", "Editors"), user("clearer", "Clearers"), user("publisher", "Publishers"))


def create_documents(trip: "Trip", originals: int, desks: Desks) -> list["Document"]:
    """Write every document through publishing's check/do actions and publish it."""
    from virtualtrip.publishing.actions import (
        DocumentPlace,
        DocumentText,
        check_create_document,
        do_advance_document,
        do_create_document,
    )
    from virtualtrip.publishing.enums import Clearance

    rng = random.Random(SEED)
    destinations = list(trip.destinations.order_by("position"))
    engagements = list(trip.engagements.select_related("destination").order_by("starts_at"))
    first_day = engagements[0].starts_at.date()
    steps = [
        (Clearance.IN_CLEARANCE, desks.editor),
        (Clearance.CLEARED, desks.clearer),
        (Clearance.PUBLISHED, desks.publisher),
    ]
    made: list[Document] = []
    published_at = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)

    def write(place: DocumentPlace, language: str, day: date, n: int) -> "Document":
        nonlocal published_at
        text = DocumentText(
            title=make_title(rng, language, place.kind, n),
            date=day,
            body=make_body(rng, language),
            question=make_question(rng, language) if place.kind == "taken_question_answer" else "",
        )
        checked = check_create_document(trip, place, text, acting_user=desks.editor)
        document = do_create_document(checked, acting_user=desks.editor)
        published_at += timedelta(minutes=7)
        for state, user in steps:
            do_advance_document(document, state, acting_user=user, now=published_at)
        made.append(document)
        return document

    for n in range(originals):
        where = n % 4  # a quarter about the trip as a whole, a quarter a destination, half an engagement
        if where == 0:
            place = DocumentPlace(kind=rng.choice(HOME_KINDS))
            day = first_day + timedelta(days=rng.randint(-3, 5))
        elif where == 1:
            destination = rng.choice(destinations)
            place = DocumentPlace(kind=rng.choice(DESTINATION_KINDS), destination=destination.country)
            day = first_day + timedelta(days=rng.randint(0, 5))
        else:
            engagement = rng.choice(engagements)
            place = DocumentPlace(kind=rng.choice(ENGAGEMENT_KINDS), engagement=engagement.key)
            day = engagement.starts_at.date()
        original = write(place, "en", day, n)
        for language in translations_of(n):
            version = DocumentPlace(kind=original.kind, language=language, translation_of=original.pk)
            write(version, language, day, n)
    return made


# --- measuring -------------------------------------------------------------------------------------


def setup_django(folder: Path) -> None:
    """Settings for a fresh SQLite database in `folder`, as benchmarks/import_trip.py makes them."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "virtualtrip.settings"
    os.environ["DATABASE_URL"] = ""  # the settings then put virtualtrip.sqlite3 in VIRTUALTRIP_DATA_DIR
    os.environ["VIRTUALTRIP_DATA_DIR"] = str(folder)
    os.environ["STATIC_ROOT"] = str(folder / "static")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DEBUG"] = "false"
    (folder / "static").mkdir()
    import django

    django.setup()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def percentile(times: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(times)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


@contextmanager
def sql_clock() -> Iterator[list[float]]:
    """The time spent inside cursor.execute, summed into the list's one item."""
    from django.db import connection

    spent = [0.0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - start

    with connection.execute_wrapper(wrapper):
        yield spent


@dataclass(frozen=True)
class Figures:
    label: str
    median_ms: float
    p95_ms: float
    min_ms: float
    queries: int
    sql_ms: float
    size: int
    status: int


def measure(label: str, url: str, warmup: int, runs: int, show_queries: bool) -> Figures:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _ in range(warmup):
        client.get(url)
    times = [timed(lambda: client.get(url))[1] for _ in range(max(runs, 1))]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    executed = captured.captured_queries  # read now: the next request empties the log
    with sql_clock() as spent:
        client.get(url)
    if show_queries:
        for query in executed:
            print(f"    {query['time']} s  {query['sql'][:200]}")
    return Figures(
        label,
        statistics.median(times) * 1000,
        percentile(times, 0.95) * 1000,
        min(times) * 1000,
        len(executed),
        spent[0] * 1000,
        len(response.content),
        response.status_code,
    )


def trip_page_parts(trip: "Trip", runs: int) -> list[tuple[str, float]]:
    """Median times of the reads `trip_page` makes (English), called directly, in ms."""
    from zoneinfo import ZoneInfo

    from django.utils import translation

    from virtualtrip.publishing import queries
    from virtualtrip.trips import queries as trip_queries
    from virtualtrip.trips.display import itinerary_legs

    parts: list[tuple[str, Callable[[], object]]] = [
        ("queries.trip_page_documents", lambda: queries.trip_page_documents(trip, "en")),
        ("itinerary_legs", lambda: itinerary_legs(trip, None, None)),
        ("principal_days", lambda: trip_queries.principal_days(trip, ZoneInfo(trip.home_timezone))),
    ]
    result = []
    with translation.override("en"):
        for label, action in parts:
            action()
            times = [timed(action)[1] for _ in range(max(runs, 1))]
            result.append((label, statistics.median(times) * 1000))
    return result


def run(args: argparse.Namespace, folder: Path) -> None:
    setup_django(folder)
    import django
    from django.core.management import call_command
    from django.db import connection, transaction

    from virtualtrip.publishing import queries
    from virtualtrip.publishing.models import ClearanceStep, Document, Revision
    from virtualtrip.trips.models import Trip

    print(f"Machine: {os.cpu_count()} CPUs, {cpu_model()}, {memory_gib()} memory")
    print(
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version} (fresh file in a temporary folder)"
    )
    _, seconds = timed(lambda: call_command("migrate", verbosity=0, interactive=False))
    print(f"{'migrate':<{WIDTH}} {seconds * 1000:>9,.0f} ms")
    _, seconds = timed(lambda: call_command("load_demo", stdout=StringIO(), stderr=StringIO()))
    print(f"{'load_demo':<{WIDTH}} {seconds * 1000:>9,.0f} ms")
    trip = Trip.objects.get(slug=DEMO_SLUG)

    def create() -> list[Document]:
        with transaction.atomic():
            return create_documents(trip, args.originals, make_desks())

    made, seconds = timed(create)
    by_language = {lang: sum(d.language == lang for d in made) for lang in ("en", "es", "fr")}
    visible = queries.trip_documents(trip).count()
    print(
        f"{'create + publish documents':<{WIDTH}} {seconds * 1000:>9,.0f} ms   "
        f"{len(made):,} documents ({by_language['en']} en, {by_language['es']} es, {by_language['fr']} fr), "
        f"{seconds / len(made) * 1000:.1f} ms each"
    )
    bodies = [len(d.body.encode()) for d in made]
    print(
        f"{'':<{WIDTH}} {Revision.objects.count():,} revisions, {ClearanceStep.objects.count():,} steps; "
        f"{visible:,} visible (the rest are about the private engagement); "
        f"bodies {min(bodies):,}-{max(bodies):,} bytes, median {statistics.median(bodies):,.0f}"
    )

    # A document page: an English original about an engagement, with both translations.
    sample = next(
        d
        for d in made
        if d.language == "en"
        and d.engagement is not None
        and d.engagement.public
        and d.translations.count() == 2
    )
    pages = [
        ("GET /trips/<slug>/", f"/trips/{DEMO_SLUG}/"),
        ("GET /es/trips/<slug>/", f"/es/trips/{DEMO_SLUG}/"),
        ("GET /trips/<slug>/feed.atom", f"/trips/{DEMO_SLUG}/feed.atom"),
        ("GET /feed.atom", "/feed.atom"),
        ("GET /trips/<slug>/documents/<pk>/", sample.get_absolute_url()),
    ]
    print()
    print(
        f"{args.warmup} warm-up requests, then {args.runs} timed, each page; "
        "queries, SQL time and size from one more request"
    )
    header = f"{'':<{WIDTH}} {'median':>9} {'p95':>9} {'min':>9} {'queries':>8} {'SQL':>8} {'bytes':>10}"
    print(header)
    measured = []
    for label, url in pages:
        if args.show_queries:
            print(f"  {label}: {url}")
        figures = measure(label, url, args.warmup, args.runs, args.show_queries)
        assert figures.status == 200, (url, figures.status)
        measured.append(figures)
        print(
            f"{figures.label:<{WIDTH}} {figures.median_ms:>6.1f} ms {figures.p95_ms:>6.1f} ms "
            f"{figures.min_ms:>6.1f} ms {figures.queries:>8} {figures.sql_ms:>5.1f} ms {figures.size:>10,}"
        )

    listed = queries.trip_page_documents(trip, "en")
    shown = len(listed.public_schedules) + sum(len(group.documents) for group in listed.groups)
    print()
    print(f"The trip page's reads, called directly (median of {args.runs}):")
    parts = trip_page_parts(trip, args.runs)
    for label, milliseconds in parts:
        print(f"  {label:<{WIDTH - 2}} {milliseconds:>6.1f} ms")
    rest = measured[0].median_ms - sum(milliseconds for _, milliseconds in parts)
    print(f"  {'the rest: template, middleware':<{WIDTH - 2}} {rest:>6.1f} ms")
    print(f"  {'':<{WIDTH - 2}} {visible:,} documents read, {shown} listed (English page)")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--originals", type=int, default=400, help="English originals (x 2.5 documents)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests before each page's runs")
    parser.add_argument("--runs", type=int, default=50, help="timed requests of each page")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of each page")
    args = parser.parse_args()
    if args.originals < 8:
        parser.error("--originals must be at least 8")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="virtualtrip-benchmark-") as folder:
        run(args, Path(folder))
    print(f"{'total':<{WIDTH}} {time.perf_counter() - started:>9.1f} s")


if __name__ == "__main__":
    main()
