"""Interpretation channels in real browsers on the real Janus: a speaker on the floor, interpreters
into English, a journalist listening. Levels are the receiving browser's own (`getStats` of each
feed, after the page's volume), so "the floor under the channel" is measured as it is heard. Run
inside the test network namespace (scripts/in-netns.sh), where media can flow."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.test_publishing_grants import admitted, server, speaking_browser, tabs  # noqa: F401
from tests.browser.test_rooms import (
    LIVE_TIMEOUT_MS,
    Tabs,
    janus_participants,
    join,
    keep_screenshot,
    wait_state,
)
from tests.factories.rooms import live_engagement, seat
from tests.janus import AsgiServer
from virtualtrip.rooms.seats import display_name
from virtualtrip.trips.enums import Role
from virtualtrip.trips.models import Engagement, Participant

pytestmark = [pytest.mark.browser, pytest.mark.janus]
FORGED_AUDIO = """
() => new Promise((resolve) => {
  const handle = window.vtRoom.publisher;
  handle.createOffer({
    tracks: [{type: "audio", capture: true, recv: false}],
    success: (jsep) => handle.send({
      message: {request: "configure", audio: true}, jsep,
      success: () => resolve("accepted"),
      error: (error) => resolve(String(error)),
    }),
    error: (error) => resolve("no offer: " + String(error)),
  });
})
"""


def energies(page: Page) -> dict[str, float]:
    """Each remote feed's total audio energy as this page plays it, by display name."""
    stats = page.evaluate("window.vtRoom.stats()").values()
    return {entry["display"]: float(entry["audioEnergy"]) for entry in stats}


def heard(page: Page, seconds: float = 3) -> dict[str, float]:
    """The audio energy each feed gave this page over `seconds`."""
    before = energies(page)
    time.sleep(seconds)
    after = energies(page)
    return {name: after[name] - before.get(name, 0.0) for name in after}


def until(condition: Callable[[], bool], what: str, within_s: float = 20) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.25)


def meeting() -> tuple[Engagement, Participant, Participant, Participant, Participant]:
    """A Spanish-speaking minister, two interpreters into English sharing a booth, one from English
    into French (a relay), a Canadian journalist."""
    engagement = live_engagement(title="Reunión con la Canciller", languages=["es", "en", "fr"])
    minister = seat(engagement, Role.COUNTERPART, name="María José Ñúñez", country="MX", languages=["es"])
    booth: dict[str, Any] = {"title": "Interpreter", "languages": ["es", "en"]}
    first = seat(engagement, Role.INTERPRETER, name="Zoë O'Brien-Łukasz", **booth)
    partner = seat(engagement, Role.INTERPRETER, name="Kwame Mensah", **booth)
    seat(engagement, Role.INTERPRETER, name="Amélie Côté", title="Interpreter", languages=["en", "fr"])
    press = {"outlet": "Le Courrier", "country": "CA", "languages": ["fr"]}
    journalist = admitted(seat(engagement, Role.PRESS, name="Élise Tremblay", **press))
    return engagement, minister, first, partner, journalist


def channel_ready(page: Page, language: str, on_air: Participant) -> None:
    """The page knows the channel, who is live on it, and that person's feed."""
    page.wait_for_function(
        """([language, person]) => {
          const channel = (window.vtRoom.listening.channels || []).find((c) => c.language === language);
          const live = channel && channel.interpreters.find((i) => i.person === person);
          return channel && channel.on_air === person && live && live.feed !== null
            && document.querySelector(`[data-feed="${live.feed}"]`);
        }""",
        arg=[language, on_air.person_id],
        timeout=LIVE_TIMEOUT_MS,
    )


def test_a_listener_hears_the_channel_over_a_lower_floor_and_on_floor_only_the_floor(
    server: AsgiServer,  # noqa: F811
    tabs: Tabs,  # noqa: F811
) -> None:
    engagement, minister, interpreter, _partner, journalist = meeting()
    floor, english = display_name(minister), display_name(interpreter)
    join(tabs, server, minister)
    booth_page = join(tabs, server, interpreter)
    listener = join(tabs, server, journalist)
    for page in (booth_page, listener):
        wait_state(page, "live")
    channel_ready(listener, "en", interpreter)
    assert listener.locator("#channels button").all_inner_texts() == ["Floor", "English", "Français"]
    assert english not in listener.locator(".tile:not([hidden]) figcaption").all_inner_texts()

    listener.click('#channels button[data-channel="en"]')
    until(lambda: heard(listener, 1)[english] > 0, "the interpreter is heard on English")
    on_channel = heard(listener)
    assert on_channel[english] > 0
    assert 0 < on_channel[floor] < on_channel[english] * 0.25  # 20%: about 4% of the energy

    listener.click('#channels button[data-channel="floor"]')
    time.sleep(1)
    on_floor = heard(listener)
    assert on_floor[english] == 0
    assert on_floor[floor] > on_channel[floor] * 4
    keep_screenshot(listener, "listener-floor")

    listener.click('#channels button[data-channel="en"]')
    listener.fill("#floor-level", "50")  # the floor louder under the channel
    listener.dispatch_event("#floor-level", "input")
    listener.reload()  # the choice and the level survive a reload
    wait_state(listener, "live")
    channel_ready(listener, "en", interpreter)
    assert listener.get_attribute('#channels button[data-channel="en"]', "aria-checked") == "true"
    assert listener.input_value("#floor-level") == "50"
    until(lambda: heard(listener, 1)[english] > 0, "the interpreter is heard again after the reload")
    after_reload = heard(listener)
    assert on_channel[floor] < after_reload[floor] < after_reload[english]
    keep_screenshot(listener, "listener-channel")
    keep_screenshot(booth_page, "booth")

    refused = "403 the press role watches and listens: publishing is not allowed"
    assert listener.evaluate(FORGED_AUDIO) == refused
    time.sleep(2)
    assert janus_participants(engagement)[display_name(journalist)] is False


def test_a_relay_interpreter_takes_another_channel_as_their_source(
    server: AsgiServer,  # noqa: F811
    tabs: Tabs,  # noqa: F811
) -> None:
    _engagement, minister, english, _partner, _journalist = meeting()
    relay = Participant.objects.get(engagement=minister.engagement, person__name="Amélie Côté")
    join(tabs, server, minister)
    join(tabs, server, english)
    relay_page = join(tabs, server, relay)
    wait_state(relay_page, "live")
    channel_ready(relay_page, "en", english)
    assert relay_page.inner_text("#listening-title") == "Your source"
    assert relay_page.locator("#channels button").all_inner_texts() == ["Floor", "English"]  # not French
    assert relay_page.inner_text("#booth-channel") == "Français"
    relay_page.wait_for_selector("#booth-status:text('On air')")
    relay_page.click('#channels button[data-channel="en"]')
    until(
        lambda: heard(relay_page, 1)[display_name(english)] > 0, "the English channel is the relay's source"
    )
    source = heard(relay_page)
    assert source[display_name(minister)] < source[display_name(english)] * 0.25


def test_a_handover_keeps_the_channel_sounding(server: AsgiServer, tabs: Tabs) -> None:  # noqa: F811
    _engagement, minister, first, partner, journalist = meeting()
    join(tabs, server, minister)
    first_page = join(tabs, server, first)
    wait_state(first_page, "live")
    listener = join(tabs, server, journalist)
    channel_ready(listener, "en", first)
    partner_page = join(tabs, server, partner)
    wait_state(partner_page, "live")
    partner_page.wait_for_selector("#booth-status:text('Standby')")
    first_page.wait_for_selector("#booth-status:text('On air')")
    listener.click('#channels button[data-channel="en"]')
    first_voice, partner_voice = display_name(first), display_name(partner)
    until(lambda: partner_voice in energies(listener), "the partner's feed reaches the listener")
    until(lambda: heard(listener, 1)[first_voice] > 0, "the first interpreter is heard")
    assert heard(listener)[partner_voice] == 0  # on standby, not heard

    samples = []
    first_page.click("#hand-over button")
    for _ in range(24):  # six seconds across the handover
        samples.append(energies(listener))
        time.sleep(0.25)
    channel_energy = [sample[first_voice] + sample.get(partner_voice, 0.0) for sample in samples]
    silent_steps = [n for n in range(1, len(samples)) if channel_energy[n] <= channel_energy[n - 1]]
    longest = max((len(run) for run in _runs(silent_steps)), default=0)
    assert longest <= 2, f"the channel went quiet for {longest} samples of 250 ms: {channel_energy}"
    partner_page.wait_for_selector("#booth-status:text('On air')")
    first_page.wait_for_selector("#booth-status:text('Standby')")
    after = heard(listener)
    assert after[first_voice] == 0
    assert after[partner_voice] > 0
    keep_screenshot(partner_page, "booth-after-handover")


def _runs(steps: list[int]) -> list[list[int]]:
    """Consecutive numbers grouped: [1, 2, 5] → [[1, 2], [5]]."""
    runs: list[list[int]] = []
    for step in steps:
        if runs and runs[-1][-1] == step - 1:
            runs[-1].append(step)
        else:
            runs.append([step])
    return runs
