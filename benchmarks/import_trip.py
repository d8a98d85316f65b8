"""Benchmark: a large trip file through check, import, re-import, export and the public pages.

Run from the repository root:

    .venv/bin/python benchmarks/import_trip.py

It generates a valid `virtualtrip/1` file in memory (by default 10 destinations x 200 engagements,
300 people, 3-6 participants each), imports it into a fresh SQLite database in a temporary folder,
and prints the figures described in docs/benchmarks.md. Nothing outside the temporary folder is
touched.
"""

import argparse
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml

T = TypeVar("T")

SEED = 20261123
SLOTS_PER_DAY = 12  # hourly slots from 08:00 to 19:00 local, each engagement under an hour
FIRST_DAY = date(2027, 3, 1)

# country, zone, language, mission, a second zone some engagements use
PLACES = [
    ("MX", "America/Mexico_City", "es", "U.S. Mission Mexico", "America/Tijuana"),
    ("CA", "America/Toronto", "en", "U.S. Mission Canada", "America/Vancouver"),
    ("FR", "Europe/Paris", "fr", "U.S. Mission France", None),
    ("DE", "Europe/Berlin", "de", "U.S. Mission Germany", None),
    ("JP", "Asia/Tokyo", "ja", "U.S. Mission Japan", None),
    ("BR", "America/Sao_Paulo", "pt", "U.S. Mission Brazil", "America/Manaus"),
    ("IN", "Asia/Kolkata", "hi", "U.S. Mission India", None),
    ("KE", "Africa/Nairobi", "sw", "U.S. Mission Kenya", None),
    ("AU", "Australia/Sydney", "en", "U.S. Mission Australia", "Australia/Perth"),
    ("EG", "Africa/Cairo", "ar", "U.S. Mission Egypt", None),
]
KINDS = [
    "bilateral_meeting",
    "site_tour",
    "town_hall",
    "roundtable",
    "remarks",
    "press_availability",
    "press_briefing",
]
COVERAGES = ["open_press", "pool_spray", "closed_press"]
TITLES = ["Minister", "Ambassador", "Director", "Advisor"]
OTHER_ROLES = ["counterpart", "delegation", "host", "guide", "staff", "interpreter", "audience", "briefer"]


# --- the synthetic trip file ---------------------------------------------------------------------


def make_person(i: int, rng: random.Random) -> dict[str, Any]:
    country, _, language, _, _ = PLACES[i % len(PLACES)]
    journalist = i % 10 == 0
    person: dict[str, Any] = {
        "id": f"person-{i:03d}",
        "name": f"Person Número {i}",
        "title": "Correspondent" if journalist else rng.choice(TITLES),
        "country": country,
        "label": "QUESTION" if journalist else f"SPEAKER {i}",
        "languages": sorted({language, "en"}),
    }
    if journalist:
        person["outlet"] = f"Daily Courier {i}"
    return person


def make_engagement(
    d: int, e: int, per_destination: int, people: list[str], rng: random.Random
) -> dict[str, Any]:
    """Engagement `e` of destination `d`.

    Every engagement has an hourly slot of its own, 08:00-19:00 in the destination's zone, and each
    destination starts two days after the one before ends, so no one is ever double-booked however
    the participants are drawn.
    """
    place = PLACES[d % len(PLACES)]
    _, zone_name, _, _, other_zone = place
    days_per_destination = -(-per_destination // SLOTS_PER_DAY) + 2
    day = FIRST_DAY + timedelta(days=d * days_per_destination + e // SLOTS_PER_DAY)
    zone = ZoneInfo(zone_name)
    starts = datetime.combine(day, clock_time(8 + e % SLOTS_PER_DAY), tzinfo=zone)
    ends = starts + timedelta(minutes=rng.choice([20, 30, 45, 55]))
    item: dict[str, Any] = {
        "id": f"d{d:02d}-e{e:03d}",
        "kind": rng.choice(KINDS),
        "title": f"Engagement {e} in {place[0]}: meeting with the delegation on trade and climate",
    }
    if other_zone is not None and e % 20 == 0:  # the same instants, written in a second zone
        zone = ZoneInfo(other_zone)
    item["starts"] = starts.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")
    item["ends"] = ends.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")
    if zone.key != zone_name:
        item["timezone"] = zone.key
    size = rng.randint(3, 6)
    participants = []
    if rng.random() < 0.5:
        participants.append({"person": people[0], "role": "principal"})
    for person in rng.sample(people[1:], size - len(participants)):
        role = "press" if person.endswith("0") else rng.choice(OTHER_ROLES)
        participants.append({"person": person, "role": role})
    item |= {"location": f"Venue {e % 17}", "coverage": rng.choice(COVERAGES)}
    if rng.random() < 0.8:
        item["public"] = True  # false, the default, is left out as export_trip leaves it out
    item["participants"] = participants
    return item


def make_trip_file(destinations: int, engagements: int, people: int) -> bytes:
    """A valid trip file, written the way `export_trip` writes one (keys at their default left out)
    so the export can be compared."""
    rng = random.Random(SEED)
    persons = [make_person(i, rng) for i in range(people)]
    ids = [person["id"] for person in persons]
    document = {
        "format": "virtualtrip/1",
        "trip": {
            "slug": "benchmark-trip",
            "title": "Benchmark trip around the world",
            "principal": ids[0],
            "home": {"city": "Washington, D.C.", "timezone": "America/New_York"},
            "summary": "A synthetic trip to measure the import, the export and the public pages.",
        },
        "people": persons,
        "destinations": [
            {
                "country": place[0],
                "timezone": place[1],
                "mission": place[3],
                "languages": [place[2]],
                "engagements": [make_engagement(d, e, engagements, ids, rng) for e in range(engagements)],
            }
            for d, place in ((d, PLACES[d % len(PLACES)]) for d in range(destinations))
        ],
    }
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text.encode()


# --- measuring -------------------------------------------------------------------------------------


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def median_of(runs: int, action: Callable[[], T]) -> tuple[T, float, list[float]]:
    """The last result, the median time and every time, over `runs` runs."""
    results = [timed(action) for _ in range(max(runs, 1))]
    times = [seconds for _, seconds in results]
    return results[-1][0], statistics.median(times), times


class QueryCounter:
    """A database execute wrapper that counts statements, and among them the writes."""

    WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})

    def __init__(self) -> None:
        self.count = 0
        self.writes = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        self.writes += sql.lstrip().split(None, 1)[0].upper() in self.WRITES
        return execute(sql, params, many, context)

    def __str__(self) -> str:
        return f"{self.count:,} queries ({self.writes:,} writes)"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


WIDTH = 46


def report(name: str, seconds: float, detail: str = "") -> None:
    print(f"{name:<{WIDTH}} {seconds * 1000:>7.0f} ms   {detail}".rstrip(), flush=True)


def note(text: str) -> None:
    print(f"{'':<{WIDTH}} {text}", flush=True)


def spread(times: list[float]) -> str:
    return f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"


def setup_django(folder: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "virtualtrip.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'benchmark.sqlite3'}"
    os.environ["VIRTUALTRIP_DATA_DIR"] = str(folder)
    os.environ["STATIC_ROOT"] = str(folder / "static")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "false"
    (folder / "static").mkdir()
    import django

    django.setup()


def run(args: argparse.Namespace, folder: Path) -> None:
    setup_django(folder)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.test import Client

    from virtualtrip.trips import queries
    from virtualtrip.trips.actions import check_import_trip, do_import_trip
    from virtualtrip.trips.models import Engagement, Participant, Person, Trip
    from virtualtrip.trips.tripfile.check import check_trip_file
    from virtualtrip.trips.tripfile.export import export_trip

    libyaml = "with libyaml" if yaml.__with_libyaml__ else "without libyaml (pure-Python parser)"
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite {sqlite3.sqlite_version}, "
        f"PyYAML {yaml.__version__} {libyaml}"
    )
    _, seconds = timed(lambda: call_command("migrate", verbosity=0, interactive=False))
    report("migrate (fresh SQLite)", seconds)

    raw, seconds = timed(lambda: make_trip_file(args.destinations, args.engagements, args.people))
    lines = raw.count(b"\n")
    report("generate file", seconds, f"{len(raw):,} bytes ({len(raw) / 2**20:.2f} MiB), {lines:,} lines")

    planned, seconds, times = median_of(args.runs, lambda: check_trip_file(raw))
    participants = sum(len(item.spec.participants) for item in planned.engagements)
    report(f"check_trip_file (median of {args.runs})", seconds, spread(times))
    note(
        f"{len(planned.spec.people)} people, {len(planned.engagements):,} engagements, "
        f"{participants:,} participants, {len(planned.warnings)} warnings"
    )
    note(f"peak RSS so far {peak_mib():.0f} MiB")

    def import_file(replace: bool, label: str, runs: int = 1) -> None:
        """Import `runs` times (a new trip: the trip deleted in between, untimed); the median run."""
        measured = []
        for run in range(runs):
            if run:
                Trip.objects.filter(slug=planned.spec.trip.slug).delete()
            checked, check_s = timed(lambda: check_import_trip(raw, replace=replace, acting_user=None))
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                _, write_s = timed(partial(do_import_trip, checked, acting_user=None))
            measured.append((check_s + write_s, check_s, write_s, str(counter)))
        total, check_s, write_s, queries_made = sorted(measured)[len(measured) // 2]
        times = [run[0] for run in measured]
        median = f" (median of {runs})" if runs > 1 else ""
        report(f"{label}, total{median}", total, spread(times) if runs > 1 else "")
        report("  check_import_trip", check_s)
        report("  do_import_trip", write_s, queries_made)

    import_file(False, "import (new trip)", args.runs)
    counts = (Person.objects.count(), Engagement.objects.count(), Participant.objects.count())
    note(f"stored {counts[0]} people, {counts[1]:,} engagements, {counts[2]:,} participants")
    before = Engagement.objects.aggregate(latest=Max("updated_at"))["latest"]
    participant_ids = set(Participant.objects.values_list("pk", flat=True))

    import_file(True, "import --replace (unchanged file)")
    after = Engagement.objects.aggregate(latest=Max("updated_at"))["latest"]
    untouched = after == before and participant_ids == set(Participant.objects.values_list("pk", flat=True))
    note("no-op: yes, no row rewritten" if untouched else "no-op: NO, rows were rewritten")

    trip = queries.get_trip("benchmark-trip")
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        exported, seconds, times = median_of(args.runs, lambda: export_trip(trip))
    same = "identical to the imported file" if exported.encode() == raw else "DIFFERS from the imported file"
    report(f"export_trip (median of {args.runs})", seconds, spread(times))
    note(f"{len(exported.encode()):,} bytes, {same}; {counter.count // max(args.runs, 1)} queries")

    client = Client()
    for label, url in [
        ("GET /trips/<slug>/", "/trips/benchmark-trip/"),
        ("GET /trips/<slug>/schedule.ics", "/trips/benchmark-trip/schedule.ics"),
    ]:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response, seconds, times = median_of(args.runs, partial(client.get, url))
        assert response.status_code == 200, (url, response.status_code)
        report(f"{label} (median of {args.runs})", seconds, spread(times))
        note(f"{len(response.content):,} bytes; {counter.count // max(args.runs, 1)} queries")

    print(f"{'peak memory (ru_maxrss)':<{WIDTH}} {peak_mib():>7.0f} MiB")
    connection.close()


def add_trip_arguments(parser: argparse.ArgumentParser) -> None:
    """The size of the generated trip, the same for every benchmark that uses it."""
    parser.add_argument("--destinations", type=int, default=10)
    parser.add_argument("--engagements", type=int, default=200, help="per destination")
    parser.add_argument("--people", type=int, default=300)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_trip_arguments(parser)
    parser.add_argument("--runs", type=int, default=3, help="runs of each repeatable measurement")
    args = parser.parse_args()
    if args.people < 7:
        parser.error("--people must be at least 7 (an engagement has up to 6 participants)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="virtualtrip-benchmark-") as folder:
        run(args, Path(folder))
    print(f"{'total':<{WIDTH}} {time.perf_counter() - started:>7.1f} s")


if __name__ == "__main__":
    main()
