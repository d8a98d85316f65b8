"""Benchmark: the delay an interpretation channel adds to the floor, and listeners on one channel.

Run from the repository root, inside the media network namespace (Janus carries no media over
loopback):

    scripts/in-netns.sh .venv/bin/python benchmarks/interpretation.py --listeners 1,4,8

It makes a fresh SQLite database, a Janus and the app (uvicorn) in a temporary folder. A minister
speaks into the room: Chromium's fake microphone plays a marker, a 50 ms tone burst every 1.5 s.
An interpreter into English "interprets" with no human lag at all: their page sends on, as its own
publication, the floor's audio as it receives it (`replaceTrack` with the received track), so the
channel's delay over the floor is what the system adds (the interpreter's receive, playout path and
send, one more pass through Janus). Each listener's page is tuned to English. In each listener's
page the floor's feed and the channel's feed go through WebAudio, and the start of every burst is
timed on the page's audio clock (a ScriptProcessor, 256 samples at a time, so to about 5 ms); the
added delay is the channel's burst start minus the floor's same burst start.

For each number of listeners it prints the median, p95 and max of the added delay over every
listener's bursts, and how many listeners heard the channel. Nothing outside the temporary folder
is touched.
"""

import argparse
import math
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from join import percentile, require_media_namespace, set_up_environment  # noqa: E402

from tests.audio import write_wav  # noqa: E402

LIVE_MS = 30_000
RATE = 48_000
BURST_EVERY_S = 1.5
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"

# In a listener's page: time the start of each burst on the floor's and the channel's feed.
ONSETS = """([floorFeed, channelFeed]) => {
  const context = new AudioContext();
  window.onsets = {floor: [], channel: []};
  const watch = (name, feed) => {
    const video = document.querySelector(`[data-feed="${feed}"] video`);
    const track = video.srcObject.getAudioTracks()[0];
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const probe = context.createScriptProcessor(256, 1, 1);
    let lastLoud = -1;
    probe.onaudioprocess = (event) => {
      const samples = event.inputBuffer.getChannelData(0);
      const first = samples.findIndex((sample) => Math.abs(sample) > 0.05);
      if (first < 0) return;
      const at = event.playbackTime + first / context.sampleRate;
      if (at - lastLoud > 0.5) window.onsets[name].push(at);
      lastLoud = event.playbackTime + samples.length / context.sampleRate;
    };
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(probe).connect(mute).connect(context.destination);
  };
  watch("floor", floorFeed);
  watch("channel", channelFeed);
  return context.state;
}"""

# In the interpreter's page: send on the floor's audio as it is received, in place of the microphone.
RELAY_FLOOR = """(floorFeed) => {
  const video = document.querySelector(`[data-feed="${floorFeed}"] video`);
  const received = video.srcObject.getAudioTracks()[0];
  const pc = window.vtRoom.publisher.webrtcStuff.pc;
  const sender = pc.getSenders().find((s) => s.track && s.track.kind === "audio");
  return sender.replaceTrack(received).then(() => "relaying");
}"""


def marker_file(path: Path, seconds: int = 12) -> Path:
    """A 1 kHz tone burst of 50 ms every 1.5 s, silence between."""
    frames = bytearray()
    for n in range(seconds * RATE):
        t = n / RATE
        on = (t % BURST_EVERY_S) < 0.05
        frames += struct.pack("<h", int(20000 * math.sin(2 * math.pi * 1000 * t)) if on else 0)
    return write_wav(path, bytes(frames), RATE)


def added_delays(onsets: dict[str, list[float]]) -> list[float]:
    """Each floor burst paired with the first channel burst after it (within half a period), in ms."""
    delays = []
    for floor in onsets["floor"]:
        later = [c - floor for c in onsets["channel"] if 0 <= c - floor < BURST_EVERY_S / 2]
        if later:
            delays.append(min(later) * 1000)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listeners", default="1,4,8", help="numbers of listeners, comma-separated")
    parser.add_argument("--seconds", type=float, default=15, help="listening time per step")
    options = parser.parse_args()
    require_media_namespace()
    with tempfile.TemporaryDirectory(prefix="vt-interpretation-") as scratch:
        set_up_environment(Path(scratch))
        import django

        django.setup()
        counts = [int(n) for n in options.listeners.split(",")]
        run(Path(scratch), counts, options.seconds)


def run(scratch: Path, counts: list[int], seconds: float) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, MEDIA_ARGS
    from tests.factories.rooms import live_engagement, seat
    from tests.janus import AsgiServer
    from virtualtrip.rooms.actions import do_issue_join_link
    from virtualtrip.rooms.enums import AdmissionState
    from virtualtrip.rooms.janus.servers import own_ports
    from virtualtrip.rooms.janus.supervisor import JanusSupervisor
    from virtualtrip.rooms.models import Admission, LiveFeed
    from virtualtrip.trips.enums import Role

    call_command("migrate", verbosity=0)
    janus = JanusSupervisor(settings.JANUS_RUNTIME_DIR, own_ports())
    janus.start()
    engagement = live_engagement(
        title="Interpretation benchmark", languages=["es", "en"], coverage="open_press"
    )
    minister = seat(engagement, Role.COUNTERPART, name="Minister", languages=["es"])
    interpreter = seat(engagement, Role.INTERPRETER, name="Interpreter", languages=["es", "en"])
    listeners = [seat(engagement, Role.PRESS, name=f"Listener {i + 1}") for i in range(max(counts))]
    for listener in listeners:  # let in beforehand: the lobby is not what is measured
        Admission.objects.create(engagement=engagement, person=listener.person, state=AdmissionState.ADMITTED)
    print(f"Janus on port {janus.ports.websocket}, {timezone.now():%Y-%m-%d %H:%M} UTC")
    voice = marker_file(scratch / "marker.wav")
    try:
        with AsgiServer() as app, sync_playwright() as driver:
            speaking = driver.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, *MEDIA_ARGS, AUTOPLAY, f"--use-file-for-fake-audio-capture={voice}"],
            )
            others = driver.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *MEDIA_ARGS, AUTOPLAY]
            )

            def joined(browser: Any, participant: Any) -> Any:
                page = browser.new_context().new_page()
                page.goto(app.url + do_issue_join_link(participant, acting_user=None))
                page.click("#join")
                page.wait_for_function(
                    "() => window.vtRoom && window.vtRoom.state === 'live'", timeout=LIVE_MS
                )
                return page

            joined(speaking, minister)
            booth = joined(others, interpreter)
            floor_feed = LiveFeed.objects.filter(person=minister.person).latest("joined_at").feed
            channel_feed = LiveFeed.objects.filter(person=interpreter.person).latest("joined_at").feed
            booth.wait_for_selector(f'[data-feed="{floor_feed}"] video', state="attached", timeout=LIVE_MS)
            booth.wait_for_function("() => window.vtRoom.published === true", timeout=LIVE_MS)
            print("interpreter:", booth.evaluate(RELAY_FLOOR, floor_feed))
            pages: list[Any] = []
            for count in counts:
                while len(pages) < count:
                    page = joined(others, listeners[len(pages)])
                    page.click('#channels button[data-channel="en"]')
                    for feed in (floor_feed, channel_feed):
                        page.wait_for_selector(
                            f'[data-feed="{feed}"] video', state="attached", timeout=LIVE_MS
                        )
                    time.sleep(1)
                    page.evaluate(ONSETS, [floor_feed, channel_feed])
                    pages.append(page)
                for page in pages:
                    page.evaluate("() => { window.onsets.floor = []; window.onsets.channel = []; }")
                busy = janus_cpu_seconds(janus.process.pid if janus.process else None)
                time.sleep(seconds)
                busy = janus_cpu_seconds(janus.process.pid if janus.process else None) - busy
                report(count, [added_delays(page.evaluate("() => window.onsets")) for page in pages])
                print_janus_load(count, busy, seconds)
            speaking.close()
            others.close()
    finally:
        janus.stop()


def janus_cpu_seconds(pid: int | None) -> float:
    """The CPU time (user and system, its threads included) Janus has used so far, from /proc."""
    if pid is None:
        return math.nan
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def print_janus_load(count: int, busy_seconds: float, seconds: float) -> None:
    """What the server spends on the listeners: Janus's share of one core while they listened. A
    listener receives the floor (audio and video) and the channel (audio); Janus relays, never mixes."""
    share = busy_seconds / seconds
    print(
        f"{count:3d} listeners: Janus {100 * share:5.1f}% of one core "
        f"({100 * share / count:4.2f}% a listener, floor video included)"
    )


def report(count: int, per_listener: list[list[float]]) -> None:
    delays = [d for listener in per_listener for d in listener]
    heard = sum(1 for listener in per_listener if listener)
    if not delays:
        print(f"{count:3d} listeners: no burst heard on both feeds")
        return
    print(
        f"{count:3d} listeners: added delay median {statistics.median(delays):6.1f} ms  "
        f"p95 {percentile(delays, 0.95):6.1f} ms  max {max(delays):6.1f} ms  "
        f"({len(delays)} bursts; {heard}/{count} listeners heard the channel)"
    )


if __name__ == "__main__":
    main()
