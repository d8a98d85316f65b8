"""Benchmark: joining a live room, and what the app's signaling proxy costs.

Run from the repository root, inside the media network namespace (Janus carries no media over
loopback):

    scripts/in-netns.sh .venv/bin/python benchmarks/join.py

It makes a fresh SQLite database, a Janus and the app (uvicorn) in a temporary folder, seats a
principal in an engagement's room with Chromium's fake camera, and then:

1. joins 20 times, each time as a new participant in a fresh browser context (no cookies, no
   cache): from the click on "Join" to the first decoded frame of the principal's video in the
   joiner's page (a remote <video> with a decoded frame, polled on every animation frame);
2. times Janus API round trips from the same page, once through the app's proxy
   (`/ws/rooms/ID/janus/`) and once straight to Janus: a new socket with a session, `keepalive`,
   `attach` + `detach` of the VideoRoom, and a VideoRoom `join` + `leave` as publisher.

It prints the median and p95 of each. Nothing outside the temporary folder is touched.
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_FRAME_TIMEOUT_MS = 30_000

CLICK_JOIN = "() => { window.benchStart = performance.now(); document.querySelector('#join').click(); }"
FIRST_REMOTE_FRAME = """() => {
  const seen = [...document.querySelectorAll('.tile:not(.mine) video')]
    .some((video) => video.readyState >= 2 && video.videoWidth > 0);
  return seen && performance.now() - window.benchStart;
}"""

ROUND_TRIPS = (Path(__file__).parent / "join_round_trips.js").read_text()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    median, p95 = statistics.median(values), percentile(values, 0.95)
    return f"median {median:7.1f} ms   p95 {p95:7.1f} ms   (n={len(values)})"


def require_media_namespace() -> None:
    """Leave, saying how to run it, outside the namespace where Janus carries media (scripts/in-netns.sh)."""
    if "vt0" not in {name for _, name in socket.if_nameindex()}:
        sys.exit("Run this inside the media network namespace: scripts/in-netns.sh " + " ".join(sys.argv))


def set_up_environment(folder: Path) -> None:
    """Settings for a throwaway app: SQLite, its own Janus on free ports, all in `folder`."""
    from tests.janus import free_port

    low = 40000 + (free_port() % 100) * 100
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "virtualtrip.settings",
            "VIRTUALTRIP_DATA_DIR": str(folder),
            "DATABASE_URL": "",
            "REDIS_URL": "",
            "VIRTUALTRIP_JANUS_URLS": "",
            "VIRTUALTRIP_JANUS_PORT": str(free_port()),
            "VIRTUALTRIP_JANUS_ADMIN_PORT": str(free_port()),
            "VIRTUALTRIP_JANUS_RTP_PORTS": f"{low}-{low + 99}",
            "LOG_LEVEL": "ERROR",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",  # ORM calls happen before Playwright's loop runs
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--joins", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=50, help="round trips of each kind")
    options = parser.parse_args()
    require_media_namespace()

    with tempfile.TemporaryDirectory(prefix="vt-join-") as scratch:
        set_up_environment(Path(scratch))
        import django

        django.setup()
        run(options.joins, options.rounds)


def run(joins: int, rounds: int) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, MEDIA_ARGS
    from tests.factories.rooms import live_engagement, seat
    from tests.janus import AsgiServer
    from virtualtrip.rooms.actions import do_issue_join_link, do_open_room
    from virtualtrip.rooms.janus.servers import own_ports, pick_server
    from virtualtrip.rooms.janus.supervisor import JanusSupervisor
    from virtualtrip.trips.enums import Role

    call_command("migrate", verbosity=0)
    janus = JanusSupervisor(settings.JANUS_RUNTIME_DIR, own_ports())
    janus.start()
    engagement = live_engagement(title="Join benchmark")
    principal = seat(engagement, Role.PRINCIPAL, name="Avery Stone")
    joiners = [seat(engagement, Role.DELEGATION, name=f"Joiner {i + 1}") for i in range(joins + 1)]
    links = [do_issue_join_link(p, acting_user=None) for p in [principal, *joiners]]
    room = do_open_room(engagement)
    server = pick_server(engagement.pk)
    print(f"Janus on port {janus.ports.websocket}, {timezone.now():%Y-%m-%d %H:%M} UTC")

    try:
        with AsgiServer() as app, sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
            host = browser.new_context().new_page()
            host.goto(app.url + links[0])
            host.click("#join")
            host.wait_for_function(
                "window.vtRoom && window.vtRoom.state === 'live'", timeout=FIRST_FRAME_TIMEOUT_MS
            )

            first_frames = [time_one_join(browser, app.url + link) for link in links[1:-1]]
            print(f"\nJoin → first remote video frame, {joins} joins:")
            print(f"  {summary(first_frames)}   min {min(first_frames):.1f} max {max(first_frames):.1f}")

            context = browser.new_context()
            page = context.new_page()
            page.goto(app.url + links[-1])
            page.click("#join")
            page.wait_for_function(
                "window.vtRoom && window.vtRoom.state === 'live'", timeout=FIRST_FRAME_TIMEOUT_MS
            )
            ws_base = app.url.replace("http", "ws", 1)
            through_app = page.evaluate(
                ROUND_TRIPS,
                {
                    "url": f"{ws_base}/ws/rooms/{engagement.pk}/janus/",
                    "extra": {},
                    "joinBody": {"request": "join", "ptype": "publisher"},
                    "rounds": rounds,
                },
            )
            direct = page.evaluate(
                ROUND_TRIPS,
                {
                    "url": server.url,
                    "extra": {"apisecret": server.api_secret},
                    "joinBody": {
                        "request": "join",
                        "ptype": "publisher",
                        "room": room.janus_room,
                        "pin": room.pin,
                        "display": "Benchmark",
                    },
                    "rounds": rounds,
                },
            )
            print_round_trips(through_app, direct)
            browser.close()
    finally:
        janus.stop()


def time_one_join(browser: Any, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#join:not([disabled])")
        page.evaluate(CLICK_JOIN)
        elapsed = page.wait_for_function(FIRST_REMOTE_FRAME, polling="raf", timeout=FIRST_FRAME_TIMEOUT_MS)
        return float(elapsed.json_value())
    finally:
        context.close()


def print_round_trips(through_app: dict[str, list[float]], direct: dict[str, list[float]]) -> None:
    labels = {
        "connect": "new socket + create + destroy session",
        "keepalive": "keepalive",
        "attach": "attach + detach VideoRoom",
        "join": "VideoRoom join + leave",
    }
    print("\nJanus API round trips from the page (through the app's proxy | straight to Janus):")
    for key, label in labels.items():
        app, janus = through_app[key], direct[key]
        print(f"  {label}")
        print(f"    through the app  {summary(app)}")
        print(f"    straight         {summary(janus)}")
        if len(app) > 1:
            cost = statistics.median(app) - statistics.median(janus)
            print(f"    the app adds     {cost:7.1f} ms at the median")


if __name__ == "__main__":
    main()
