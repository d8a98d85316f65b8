"""Benchmark: one moderator event to every socket of a room's floor, and the floor for Python.

Run from the repository root (PostgreSQL and Redis for the Redis layers):

    scripts/with-postgres.sh scripts/with-redis.sh .venv/bin/python benchmarks/floor_fanout.py \\
        --clients 1000,2000,5000 --layers memory,redis1,redis2,bare --runs 5

For each layer and each number of clients N it starts fresh servers, opens N floor sockets
(`/ws/floor/ID/`) from client processes (asyncio + `websockets`, each socket with its own press
seat, admitted without a lobby), then, `--runs` times, a moderator's socket sends one command
(`floor.follow_up`, or `floor.give` to alternate journalists with `--event give`) and every client
notes when the event reaches it. The figures over clients, per run, are the median, p99 and max
from the moment the command was sent (one clock: CLOCK_MONOTONIC is shared by the processes);
the table gives the median over runs of each (max: the worst run) and the server's memory per
connection (the growth of its RSS while the N sockets opened, / N).

Layers: `memory`, one `virtualtrip serve` on SQLite with the in-memory channel layer; `redis1`
and `redis2`, one and two `virtualtrip serve` processes (on two ports, the clients split between
them, the moderator on the first) on the PostgreSQL of DATABASE_URL and the Redis of REDIS_URL;
`bare`, `benchmarks/bare_broadcast.py`: the same clients, the same message (the floor's event as a
client received it, same bytes) broadcast by `websockets` alone. The ratio is the floor's p99 to
the bare server's at the same N. With `--ramp`, each layer goes on past the listed counts by
`--ramp-step` until it breaks (a socket refused or dropped, an event lost, or a p99 over
`--break-ms`) or reaches `--max-clients`.

Seats are minted straight into the database (people, participants, join passes bound to a device,
and Django sessions holding the room grant), as claiming a join link would leave them. Nothing
outside a temporary folder is touched, except the PostgreSQL database and Redis named in the
environment (throwaway ones under the scripts above).
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LAYERS = ("memory", "redis1", "redis2", "bare")
OPEN_TIMEOUT_S = 120.0
EVENT_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 60.0
OPENING_AT_ONCE = 32
"""Sockets each client process opens at a time (uvicorn's backlog is 2,048)."""
EVENTS = {"follow_up": "floor.follow_up", "give": "floor.granted"}
FALLBACK_PAYLOAD_CHARS = 700


# Seats, minted in a process of their own (Django set up on the layer's database)
@dataclass(frozen=True)
class Minted:
    engagement: int
    moderator: str
    """The moderator's cookie header."""
    clients: list[str]
    journalists: list[int]


def mint(count: int, out: Path) -> None:
    """A press briefing under way with a moderator and `count` journalists, each with a session
    holding their room grant, written to `out` as JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        minted = _mint_seats(count)
    out.write_text(json.dumps(asdict(minted)))


def _mint_seats(count: int) -> Minted:
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from tests.factories.rooms import live_engagement
    from virtualtrip.rooms.access import DEVICE_COOKIE, GRANTS_KEY
    from virtualtrip.rooms.actions import do_change_lobby_roles, do_open_room
    from virtualtrip.rooms.links import FIRST_VERSION
    from virtualtrip.rooms.models import JoinPass
    from virtualtrip.trips.enums import EngagementKind, Role
    from virtualtrip.trips.models import Participant, Person

    engagement = live_engagement(
        kind=EngagementKind.PRESS_BRIEFING,
        title="Fan-out briefing",
        destination__trip__slug=f"fanout-{get_random_string(12).lower()}",
    )
    do_change_lobby_roles(do_open_room(engagement), [])
    outlets = [("Latinus", "MX"), ("Xinhua", "CN"), ("Le Devoir", "CA"), ("NHK", "JP"), ("Reuters", "GB")]
    people = Person.objects.bulk_create(
        [Person(trip=engagement.trip, key="fanout-moderator", name="Jeanne Modératrice", country="US")]
        + [
            Person(
                trip=engagement.trip,
                key=f"fanout-press-{i}",
                name=f"Periodista {i}",
                outlet=outlets[i % len(outlets)][0],
                country=outlets[i % len(outlets)][1],
                from_trip_file=False,
            )
            for i in range(count)
        ]
    )
    roles = [Role.MODERATOR] + [Role.PRESS] * count
    Participant.objects.bulk_create(
        [Participant(engagement=engagement, person=p, role=r) for p, r in zip(people, roles, strict=True)]
    )
    devices = [get_random_string(32) for _ in people]
    JoinPass.objects.bulk_create(
        [
            JoinPass(engagement=engagement, person=p, version=FIRST_VERSION, device=d)
            for p, d in zip(people, devices, strict=True)
        ]
    )
    store, expires = SessionStore(), timezone.now() + timedelta(days=1)
    keys = [get_random_string(32, VALID_KEY_CHARS) for _ in people]
    Session.objects.bulk_create(
        [
            Session(
                session_key=key,
                session_data=store.encode(
                    {GRANTS_KEY: {str(engagement.pk): {"person": p.pk, "version": FIRST_VERSION}}}
                ),
                expire_date=expires,
            )
            for key, p in zip(keys, people, strict=True)
        ],
        batch_size=500,
    )
    cookies = [f"sessionid={key}; {DEVICE_COOKIE}={d}" for key, d in zip(keys, devices, strict=True)]
    return Minted(engagement.pk, cookies[0], cookies[1:], [p.pk for p in people[1:3]])


# Servers
def app_env(folder: Path, redis: bool) -> dict[str, str]:
    """The app's settings for a server of this layer: SQLite in `folder` without Redis, or the
    environment's PostgreSQL and Redis; Janus servers named (none runs: the floor needs none)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "virtualtrip.settings",
        "VIRTUALTRIP_DATA_DIR": str(folder),
        "LOG_LEVEL": "ERROR",
        "VIRTUALTRIP_JANUS_URLS": "ws://127.0.0.1:9/",
        "VIRTUALTRIP_JANUS_API_SECRET": "fanout",
        "VIRTUALTRIP_JANUS_TOKEN_SECRET": "fanout",
        "VIRTUALTRIP_JANUS_ROOM_ADMIN_KEY": "fanout",
        "PYTHONPATH": str(ROOT),
    }
    if not redis:
        env.update({"DATABASE_URL": "", "REDIS_URL": ""})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Servers:
    ports: list[int]
    processes: list[subprocess.Popen[bytes]]

    def rss_bytes(self) -> int:
        return sum(rss_of(process.pid) for process in self.processes)


def rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def servers(plan: "Plan") -> Iterator[Servers]:
    """The layer's servers, ready; stopped (SIGINT, as Ctrl-C) on leaving. Under `plan.profile`, each
    app server runs under cProfile and leaves its profile there."""
    layer, folder = plan.layer, plan.folder
    count = 2 if layer == "redis2" else 1
    ports = [free_port() for _ in range(count)]
    log = (folder / f"{layer}-server.log").open("ab")
    if layer == "bare":
        commands = [
            [
                *[sys.executable, str(ROOT / "benchmarks" / "bare_broadcast.py"), "--port", str(port)],
                *["--payload", str(plan.payload), "--greeting", str(plan.greeting)],
            ]
            for port in ports
        ]
    else:
        serve = str(Path(sys.executable).with_name("virtualtrip"))
        # The background workers (transcription, captions) have nothing to do with the floor.
        commands = [[serve, "serve", "--no-workers", "--port", str(port)] for port in ports]
        if plan.profile is not None:
            plan.profile.mkdir(parents=True, exist_ok=True)
            profiled = [sys.executable, "-m", "cProfile", "-o"]
            commands = [
                [*profiled, str(plan.profile / f"{layer}-{plan.clients}-{i}.prof"), *command]
                for i, command in enumerate(commands)
            ]
    env = app_env(folder / "memory", layer != "memory")
    processes = [
        subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603 (our own scripts)
        for command in commands
    ]
    if plan.server_cpus:
        for process in processes:  # before it starts its threads, which inherit it
            os.sched_setaffinity(process.pid, plan.server_cpus)
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process)
        yield Servers(ports, processes)
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"no server on port {port} after {READY_TIMEOUT_S:.0f} s")


# Client processes
@dataclass
class Opened:
    opened: int
    failed: int
    error: str
    first_message: str


@dataclass
class Received:
    latencies: list[float]
    missing: int
    dropped: int
    sample: str


class ClientPool:
    """The sockets of one client process, driven over a pipe by the benchmark."""

    def __init__(self, pipe: Connection, compression: str | None) -> None:
        self.pipe = pipe
        self.compression = compression
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.expect: str | None = None
        self.got: dict[int, float] = {}
        self.sample = ""
        self.dropped = 0
        self.all_in = asyncio.Event()

    async def run(self) -> None:
        while True:
            command, *arguments = await asyncio.to_thread(self.pipe.recv)
            if command == "open":
                self.pipe.send(await self.open(*arguments))
            elif command == "arm":
                self.expect, self.got, self.sample = arguments[0], {}, ""
                self.all_in.clear()
                self.pipe.send(True)
            elif command == "collect":
                self.pipe.send(await self.collect(*arguments))
            else:
                await self.close()
                self.pipe.send(True)
                return

    async def open(self, targets: list[tuple[str, str, str]]) -> Opened:
        gate = asyncio.Semaphore(OPENING_AT_ONCE)
        errors: list[str] = []
        firsts: list[str] = []

        async def open_one(url: str, cookie: str, origin: str) -> None:
            async with gate:
                try:
                    connection = await connect(
                        url,
                        additional_headers={"Cookie": cookie},
                        origin=Origin(origin),
                        compression=self.compression,
                        ping_interval=None,
                        open_timeout=OPEN_TIMEOUT_S,
                        max_size=4 * 1024 * 1024,
                    )
                    first = await asyncio.wait_for(connection.recv(), OPEN_TIMEOUT_S)
                except (OSError, TimeoutError, ConnectionClosed) as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    return
            firsts.append(str(first))
            index = len(self.sockets)
            self.sockets.append(connection)
            self.readers.append(asyncio.create_task(self.read(index, connection)))

        await asyncio.gather(*(open_one(*target) for target in targets))
        return Opened(len(firsts), len(errors), errors[0] if errors else "", firsts[0] if firsts else "")

    async def read(self, index: int, connection: ClientConnection) -> None:
        try:
            async for message in connection:
                if self.expect is None or index in self.got:
                    continue
                at = time.monotonic()
                if json.loads(message).get("type") == self.expect:
                    self.got[index] = at
                    self.sample = self.sample or str(message)
                    if len(self.got) >= len(self.sockets) - self.dropped:
                        self.all_in.set()
        except ConnectionClosed:
            pass
        self.dropped += 1

    async def collect(self, sent_at: float, timeout: float) -> Received:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_in.wait(), timeout)
        latencies = [at - sent_at for at in self.got.values()]
        missing = len(self.sockets) - self.dropped - len(self.got)
        self.expect = None
        return Received(latencies, missing, self.dropped, self.sample)

    async def close(self) -> None:
        await asyncio.gather(*(connection.close() for connection in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()


def client_process(pipe: Connection, compression: str | None, cpus: frozenset[int] | None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)
    asyncio.run(ClientPool(pipe, compression).run())


class Clients:
    """Client processes, each with its share of the sockets."""

    def __init__(self, processes: int, compression: str | None, cpus: frozenset[int] | None) -> None:
        context = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.processes = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=client_process, args=(theirs, compression, cpus), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def ask(self, *command: Any) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def open(self, targets: list[tuple[str, str, str]]) -> list[Opened]:
        shares = [targets[i :: len(self.pipes)] for i in range(len(self.pipes))]
        for pipe, share in zip(self.pipes, shares, strict=True):
            pipe.send(("open", share))
        return [pipe.recv() for pipe in self.pipes]

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self.ask("close")
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


# The moderator
class Moderator:
    def __init__(self, connection: ClientConnection, bare: bool) -> None:
        self.connection = connection
        self.bare = bare
        self.sent = 0

    async def command(self, type_: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send a command; its answer (`ok` or `error`)."""
        self.sent += 1
        sent_id = f"c{self.sent}"
        await self.connection.send(json.dumps({"type": type_, "id": sent_id, "body": body}))
        while True:
            answer: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), 60))
            if answer.get("in_response") == sent_id:
                return answer


@dataclass
class Run:
    median_ms: float
    p99_ms: float
    max_ms: float
    first_ms: float
    answered_ms: float
    missing: int


@dataclass
class Outcome:
    layer: str
    clients: int
    opened: int = 0
    failed: int = 0
    error: str = ""
    open_s: float = 0.0
    rss_per_socket_kib: float = 0.0
    rss_mib: float = 0.0
    runs: list[Run] = field(default_factory=list)
    dropped: int = 0
    sample: str = ""
    state: str = ""
    load: float = 0.0
    """The 1-minute load average as the configuration ended."""

    def figure(self, name: str, worst: bool = False) -> float:
        values: list[float] = [getattr(run, name) for run in self.runs]
        if not values:
            return float("nan")
        return max(values) if worst else statistics.median(values)

    @property
    def broken(self) -> str:
        """Why this configuration did not hold, or ''."""
        if self.failed:
            return f"{self.failed} sockets not opened ({self.error})"
        if self.dropped:
            return f"{self.dropped} sockets dropped"
        missing = sum(run.missing for run in self.runs)
        return f"{missing} deliveries missing" if missing else ""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Plan:
    layer: str
    clients: int
    runs: int
    event: str
    processes: int
    compression: str | None
    folder: Path
    payload: Path
    greeting: Path
    profile: Path | None = None
    client_cpus: frozenset[int] | None = None
    server_cpus: frozenset[int] | None = None


def measure(plan: Plan, minted: Minted | None) -> Outcome:
    outcome = Outcome(plan.layer, plan.clients)
    with servers(plan) as running:
        clients = Clients(plan.processes, plan.compression, plan.client_cpus)
        try:
            asyncio.run(_measure(plan, minted, running, clients, outcome))
        finally:
            clients.close()
    return outcome


async def _measure(
    plan: Plan, minted: Minted | None, running: Servers, clients: Clients, outcome: Outcome
) -> None:
    bare = minted is None
    engagement = minted.engagement if minted else 0
    path = f"/ws/floor/{engagement}/"
    url = f"ws://127.0.0.1:{running.ports[0]}{path}"
    origin = f"http://127.0.0.1:{running.ports[0]}"
    cookie = minted.moderator if minted else ""
    async with connect(
        url, additional_headers={"Cookie": cookie}, origin=Origin(origin), compression=plan.compression
    ) as connection:
        await connection.recv()
        moderator = Moderator(connection, bare)
        if not bare and plan.event == "follow_up" and minted:
            await moderator.command("floor.give", {"person": minted.journalists[0]})
        await asyncio.sleep(1)
        before = running.rss_bytes()
        targets = []
        for i in range(plan.clients):
            port = running.ports[i % len(running.ports)]
            seat = minted.clients[i] if minted else ""
            targets.append((f"ws://127.0.0.1:{port}{path}", seat, f"http://127.0.0.1:{port}"))
        started = time.monotonic()
        opened = await asyncio.to_thread(clients.open, targets)
        outcome.open_s = time.monotonic() - started
        outcome.opened = sum(o.opened for o in opened)
        outcome.failed = sum(o.failed for o in opened)
        outcome.error = next((o.error for o in opened if o.error), "")
        outcome.state = next((o.first_message for o in opened if o.first_message), "")
        await asyncio.sleep(2)
        after = running.rss_bytes()
        outcome.rss_mib = after / 2**20
        outcome.rss_per_socket_kib = (after - before) / max(outcome.opened, 1) / 1024
        if not outcome.opened:
            return
        for index in range(plan.runs + 1):  # the first is a warm-up, not counted
            run, received = await _one_event(plan, moderator, clients, index, minted)
            if index:
                outcome.runs.append(run)
            outcome.sample = outcome.sample or next((r.sample for r in received if r.sample), "")
            outcome.dropped = max(outcome.dropped, sum(r.dropped for r in received))
            await asyncio.sleep(0.5)
        outcome.load = os.getloadavg()[0]


async def _one_event(
    plan: Plan, moderator: Moderator, clients: Clients, index: int, minted: Minted | None
) -> tuple[Run, list[Received]]:
    if minted is None:
        expect = json.loads(plan.payload.read_text())["type"]
        type_, body = "broadcast", {}
    elif plan.event == "give":
        expect, type_ = EVENTS["give"], "floor.give"
        body = {"person": minted.journalists[index % 2]}
    else:
        expect, type_, body = EVENTS["follow_up"], "floor.follow_up", {}
    await asyncio.to_thread(clients.ask, "arm", expect)
    await asyncio.sleep(0.2)
    sent_at = time.monotonic()
    answer = await moderator.command(type_, body)
    answered = time.monotonic() - sent_at
    if answer.get("type") != "ok":
        raise RuntimeError(f"the moderator's {type_} was answered {answer}")
    received: list[Received] = await asyncio.to_thread(clients.ask, "collect", sent_at, EVENT_TIMEOUT_S)
    latencies = [at * 1000 for r in received for at in r.latencies]
    if not latencies:
        return Run(*(float("nan"),) * 4, answered * 1000, sum(r.missing for r in received)), received
    run = Run(
        statistics.median(latencies),
        percentile(latencies, 0.99),
        max(latencies),
        min(latencies),
        answered * 1000,
        sum(r.missing for r in received),
    )
    return run, received


# The table
HEADER = (
    f"{'layer':<7} {'clients':>7} {'opened':>7} {'open s':>7} {'KiB/sock':>8} {'RSS MiB':>8} "
    f"{'first':>7} {'median':>7} {'p99':>7} {'max':>7} {'p99 x bare':>10} {'answer':>7} {'load':>5}  notes"
)


def row(o: Outcome, bare_p99: float | None = None) -> str:
    ratio = f"{o.figure('p99_ms') / bare_p99:.2f}" if bare_p99 and o.layer != "bare" else "-"
    return (
        f"{o.layer:<7} {o.clients:>7,} {o.opened:>7,} {o.open_s:>7.1f} {o.rss_per_socket_kib:>8.1f} "
        f"{o.rss_mib:>8.0f} {o.figure('first_ms'):>7.1f} {o.figure('median_ms'):>7.1f} "
        f"{o.figure('p99_ms'):>7.1f} {o.figure('max_ms', worst=True):>7.1f} {ratio:>10} "
        f"{o.figure('answered_ms'):>7.1f} {o.load:>5.1f}  {o.broken}"
    )


def print_table(outcomes: list[Outcome]) -> None:
    bare_p99 = {o.clients: o.figure("p99_ms") for o in outcomes if o.layer == "bare" and o.runs}
    print("\n" + HEADER + "\n" + "-" * len(HEADER))
    for o in outcomes:
        print(row(o, bare_p99.get(o.clients)))
    print(
        "\ntimes in ms from the moderator's command; first/median/p99: median over runs of each run's "
        "figure over clients; max: the worst run; answer: the moderator's command answered; "
        "load: the 1-minute load average as the configuration ended"
    )


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model}), {memory:.0f} GiB memory, Python {platform.python_version()}"


def cpu_set(text: str) -> frozenset[int]:
    return frozenset(int(cpu) for cpu in text.split(","))


def raise_open_files() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def mint_for(layer: str, folder: Path, count: int) -> Minted:
    out = folder / f"seats-{layer}-{count}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "mint", str(count), str(out)]
    subprocess.run(command, env=app_env(folder / "memory", layer != "memory"), check=True)  # noqa: S603
    return Minted(**json.loads(out.read_text()))


def counts_for(layer: str, options: argparse.Namespace) -> Iterator[int]:
    yield from options.clients
    if options.ramp:
        n = options.clients[-1] + options.ramp_step
        while n <= options.max_clients:
            yield n
            n += options.ramp_step


def main() -> None:
    if sys.argv[1:2] == ["mint"]:
        mint(int(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1000,2000,5000", type=lambda s: [int(n) for n in s.split(",")])
    parser.add_argument("--layers", default=",".join(LAYERS), type=lambda s: s.split(","))
    parser.add_argument("--runs", type=int, default=5, help="events timed per configuration")
    parser.add_argument("--event", choices=sorted(EVENTS), default="follow_up")
    parser.add_argument("--processes", type=int, default=max(2, os.cpu_count() or 2), help="client processes")
    parser.add_argument("--compression", choices=["deflate", "none"], default="deflate")
    parser.add_argument("--ramp", action="store_true", help="go on past --clients until it breaks")
    parser.add_argument("--ramp-step", type=int, default=5000)
    parser.add_argument("--max-clients", type=int, default=15000)
    parser.add_argument("--break-ms", type=float, default=5000.0, help="a p99 past this is broken")
    parser.add_argument("--profile", type=Path, help="run the app's servers under cProfile, profiles here")
    parser.add_argument("--client-cpus", type=cpu_set, help="pin the client processes to these CPUs (0,1)")
    parser.add_argument("--server-cpus", type=cpu_set, help="pin the servers to these CPUs")
    options = parser.parse_args()
    unknown = set(options.layers) - set(LAYERS)
    if unknown:
        parser.error(f"unknown layers {sorted(unknown)}; choose from {', '.join(LAYERS)}")
    if {"redis1", "redis2"} & set(options.layers) and not (
        os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")
    ):
        sys.exit(
            "The Redis layers need REDIS_URL and DATABASE_URL: "
            "run under scripts/with-postgres.sh scripts/with-redis.sh"
        )
    files = raise_open_files()
    print(
        f"{machine()}; open files {files}; {options.processes} client processes; "
        f"compression {options.compression}; event {options.event}; {options.runs} runs; "
        f"clients on CPUs {sorted(options.client_cpus or []) or 'any'}, "
        f"servers on {sorted(options.server_cpus or []) or 'any'}"
    )
    print(HEADER)
    outcomes = run_all(options)
    print_table(outcomes)


def run_all(options: argparse.Namespace) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="vt-fanout-") as scratch:
        folder = Path(scratch)
        (folder / "memory").mkdir()
        payload, greeting = folder / "payload.json", folder / "greeting.json"
        payload.write_text(json.dumps({"type": "floor.follow_up", "pad": "x" * FALLBACK_PAYLOAD_CHARS}))
        greeting.write_text(json.dumps({"type": "floor.state", "pad": "x" * FALLBACK_PAYLOAD_CHARS}))
        floor_layers = [layer for layer in options.layers if layer != "bare"]
        order = floor_layers + (["bare"] if "bare" in options.layers else [])
        for layer in order:
            for n in counts_for(layer, options):
                plan = Plan(
                    layer,
                    n,
                    options.runs,
                    options.event,
                    options.processes,
                    None if options.compression == "none" else "deflate",
                    folder,
                    payload,
                    greeting,
                    None if layer == "bare" else options.profile,
                    options.client_cpus,
                    options.server_cpus,
                )
                # A briefing of its own, with as many journalists as sockets: the floor's reads grow
                # with the engagement's participants, so a room of N has N of them.
                minted = None if layer == "bare" else mint_for(layer, folder, n)
                outcome = measure(plan, minted)
                outcomes.append(outcome)
                print(row(outcome), flush=True)
                if outcome.sample and layer != "bare":
                    payload.write_text(outcome.sample)
                    greeting.write_text(outcome.state)
                if outcome.broken or outcome.figure("p99_ms") > options.break_ms:
                    break
    return outcomes


if __name__ == "__main__":
    main()
