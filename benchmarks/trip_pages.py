"""Benchmark: the public pages of a trip with 2,000 engagements.

Run from the repository root:

    .venv/bin/python benchmarks/trip_pages.py

It generates the trip file of `benchmarks/import_trip.py` (10 destinations x 200 engagements, 300
people), imports it into a fresh SQLite database in a temporary folder, and requests, through
Django's test `Client` as an anonymous visitor: the trip page (in English, in Spanish, and with
`?tz=`), a sample of its itinerary day pages, a sample of the public schedule pages, and the
iCalendar feed cold (the cache emptied before each request), warm, and as a conditional GET that
should answer 304. Each is requested a few times to warm up, then `--runs` timed times; the script
prints p50 and p95, the SQL queries of one request and the size of the answer. Nothing outside the
temporary folder is touched.
"""

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from import_trip import QueryCounter, add_trip_arguments, make_trip_file, setup_django

SLUG = "benchmark-trip"
WIDTH = 40


@dataclass(frozen=True)
class Sample:
    """What a series of requests to one or more URLs took."""

    times: list[float]
    queries: float
    size: int
    statuses: set[int]

    def p(self, percent: int) -> float:
        """The `percent`th percentile, in milliseconds."""
        if len(self.times) == 1:
            return self.times[0] * 1000
        return statistics.quantiles(self.times, n=100, method="inclusive")[percent - 1] * 1000


def measure(
    client: Any, urls: list[str], runs: int, headers: dict[str, str] | None = None, before: Any = None
) -> Sample:
    """Requests each of `urls` twice to warm up, then `runs` times, timing each request; `before`
    runs before each timed request (outside the time)."""
    from django.db import connection

    for url in urls:
        for _ in range(2):
            client.get(url, headers=headers or {})
    times: list[float] = []
    counter = QueryCounter()
    sizes: list[int] = []
    statuses: set[int] = set()
    for url in urls:
        for _ in range(runs):
            if before is not None:
                before()
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                response = client.get(url, headers=headers or {})
                times.append(time.perf_counter() - start)
            sizes.append(len(response.content))
            statuses.add(response.status_code)
    return Sample(times, counter.count / (runs * len(urls)), max(sizes), statuses)


def report(name: str, sample: Sample) -> None:
    print(
        f"{name:<{WIDTH}} p50 {sample.p(50):>6.1f} ms  p95 {sample.p(95):>6.1f} ms  "
        f"{sample.size:>10,} bytes  {sample.queries:>5.1f} queries  HTTP {sorted(sample.statuses)}",
        flush=True,
    )


def spaced(items: list[Any], count: int) -> list[Any]:
    """`count` items spread evenly over `items`, first and last included."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def day_pages(client: Any, trip_url: str) -> list[str]:
    """The itinerary day pages the trip page links to (none where it lists the whole itinerary)."""
    html = client.get(trip_url).content.decode()
    pattern = rf'href="({re.escape(trip_url)}itinerary/[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}/)"'
    return list(dict.fromkeys(re.findall(pattern, html)))


def run(args: argparse.Namespace, folder: Path) -> None:
    setup_django(folder)
    from zoneinfo import ZoneInfo

    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from virtualtrip.trips import queries
    from virtualtrip.trips.actions import check_import_trip, do_import_trip
    from virtualtrip.trips.models import Engagement

    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
    call_command("migrate", verbosity=0, interactive=False)
    raw = make_trip_file(args.destinations, args.engagements, args.people)
    trip = do_import_trip(check_import_trip(raw, replace=False, acting_user=None), acting_user=None)
    engagements = Engagement.objects.filter(trip=trip)
    public = engagements.filter(public=True).count()
    print(f"{engagements.count():,} engagements, {public:,} public; {args.runs} runs each")

    client = Client()
    trip_url = f"/trips/{SLUG}/"
    pages: list[tuple[str, list[str], dict[str, str] | None, Callable[[], None] | None]] = [
        ("trip page", [trip_url], None, None),
        ("trip page /es/", [f"/es{trip_url}"], None, None),
        ("trip page ?tz=Asia/Tokyo", [f"{trip_url}?tz=Asia/Tokyo"], None, None),
    ]
    days = spaced(day_pages(client, trip_url), args.sample)
    if days:
        pages.append((f"itinerary day pages ({len(days)} days)", days, None, None))
    schedule_days = spaced(queries.principal_days(trip, ZoneInfo(trip.home_timezone)), args.sample)
    schedules = [f"{trip_url}schedule/{day.isoformat()}/" for day in schedule_days]
    pages.append((f"schedule pages ({len(schedules)} days)", schedules, None, None))
    ics = f"{trip_url}schedule.ics"
    pages += [
        ("schedule.ics cold (cache emptied)", [ics], None, cache.clear),
        ("schedule.ics warm", [ics], None, None),
    ]
    for name, urls, headers, before in pages:
        report(name, measure(client, urls, args.runs, headers, before))

    warm = client.get(ics)
    etag = warm.headers.get("ETag")
    if etag is None:
        print(f"{'schedule.ics conditional GET':<{WIDTH}} no ETag in the answer: nothing to revalidate")
    else:
        report("schedule.ics If-None-Match (304)", measure(client, [ics], args.runs, {"If-None-Match": etag}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_trip_arguments(parser)
    parser.add_argument("--runs", type=int, default=20, help="timed requests of each URL")
    parser.add_argument("--sample", type=int, default=8, help="days of day and schedule pages")
    args = parser.parse_args()
    if args.people < 7:
        parser.error("--people must be at least 7 (an engagement has up to 6 participants)")
    with tempfile.TemporaryDirectory(prefix="virtualtrip-benchmark-") as folder:
        run(args, Path(folder))


if __name__ == "__main__":
    main()
