// Interpretation channels on the room page. Every page hears the floor; a page tuned to a channel
// plays the interpreter live on it at full level and the floor under it, at a level its person
// chooses. Which feed is a channel's and who is live on it come from the server (room.state and
// channels.changed on the control channel); the choice is kept in this browser, so it survives a
// reconnect and a reload. An interpreter's page adds the booth: its channel, on air or standby, its
// own level, a cough button and the handover to a partner; its source (the floor, or another
// channel for a relay) is picked like a listener's channel.
"use strict";

(function () {
  const room = window.vtRoom;
  const config = JSON.parse(document.getElementById("room-config").textContent);
  const $ = (id) => document.getElementById(id);
  const gettext = window.gettext || ((text) => text);
  const gettext_noop = window.gettext_noop || ((text) => text);
  const interpolate = window.interpolate
    || ((text, values) => text.replace(/%\((\w+)\)s/g, (match, name) => values[name]));
  const FLOOR = "floor";
  const KEPT = "vt-listening:" + config.engagement;
  // The server's refusals of a take or a handover, translated where room.js shows them.
  gettext_noop("Only the interpreters of a channel speak into it.");
  gettext_noop("The meeting is not on: there is no channel to take.");
  gettext_noop("Hand the channel over to a partner of your booth: this person does not interpret into it.");
  gettext_noop("Only the interpreter live on the channel hands it over.");
  gettext_noop("Your microphone is not connected to the room yet: the channel would go silent.");
  gettext_noop("Your partner is not connected to the room: the channel would go silent.");
  const state = { channels: [], booth: null, choice: FLOOR, floorLevel: 0.2 };
  room.listening = state;

  function load() {
    try {
      const kept = JSON.parse(localStorage.getItem(KEPT) || "{}");
      if (typeof kept.choice === "string") state.choice = kept.choice;
      if (typeof kept.floorLevel === "number" && kept.floorLevel >= 0 && kept.floorLevel <= 1) {
        state.floorLevel = kept.floorLevel;
      }
    } catch (e) { /* a value another version left: start from the floor */ }
  }

  function keep() {
    try {
      localStorage.setItem(KEPT, JSON.stringify({ choice: state.choice, floorLevel: state.floorLevel }));
    } catch (e) { /* storage blocked or full: the choice holds for this page, not past a reload */ }
  }

  // ---- which feed is what ------------------------------------------------------------------
  function channelFeeds() {
    const feeds = new Map();  // feed id → channel language
    // Every feed of an interpreter is a channel's, the older ones too (a second tab, a rejoin):
    // none of them may play as the floor; only the live interpreter's latest is heard.
    state.channels.forEach((channel) => channel.interpreters.forEach((i) => {
      (i.feeds || []).concat(i.feed === null ? [] : [i.feed])
        .forEach((feed) => feeds.set(String(feed), channel.language));
    }));
    return feeds;
  }

  function liveFeed(channel) {
    const live = channel.interpreters.find((i) => i.person === channel.on_air);
    return live && live.feed !== null ? String(live.feed) : null;
  }

  // What this page may tune to: every channel, less the one an interpreter speaks into.
  function offered() {
    const own = state.booth ? state.booth.language : null;
    return state.channels.filter((channel) => channel.language !== own);
  }

  function chosen() {
    return offered().find((channel) => channel.language === state.choice) || null;
  }

  // ---- levels --------------------------------------------------------------------------------
  // Each remote feed plays from its tile's media element; its volume is the level it is heard at
  // (Chrome's receive statistics report audio levels after it, so the tests read them there).
  function apply() {
    const feeds = channelFeeds();
    const channel = chosen();
    const live = channel ? liveFeed(channel) : null;
    document.querySelectorAll("#grid figure.tile:not(.mine)").forEach((figure) => {
      const feed = figure.dataset.feed;
      const media = figure.querySelector("video");
      const interpreter = feeds.has(feed);
      figure.hidden = interpreter;  // a channel is heard, not seen
      figure.classList.toggle("channel-feed", interpreter);
      if (!media) return;
      const level = interpreter ? (feed === live ? 1 : 0) : (channel ? state.floorLevel : 1);
      media.volume = level;
      media.muted = level === 0;
    });
  }

  // ---- the picker ----------------------------------------------------------------------------
  function renderPicker() {
    const choices = [{ language: FLOOR, name: gettext("Floor") }, ...offered()];
    $("listening").hidden = offered().length === 0;
    const group = $("channels");
    group.replaceChildren(...choices.map((choice) => {
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "radio");
      button.dataset.channel = choice.language;
      button.lang = choice.language === FLOOR ? "" : choice.language;
      button.textContent = choice.name;
      const on = (choice.language === FLOOR && !chosen()) || choice.language === state.choice;
      button.setAttribute("aria-checked", String(on));
      if (choice.language !== FLOOR && choice.on_air === null) {
        button.title = gettext("Nobody is interpreting into this channel at the moment.");
      }
      button.addEventListener("click", () => choose(choice.language));
      return button;
    }));
    $("floor-level-row").hidden = !chosen();
    $("floor-level").value = String(Math.round(state.floorLevel * 100));
    $("floor-level-value").textContent = Math.round(state.floorLevel * 100) + "%";
  }

  function choose(language) {
    state.choice = language;
    keep();
    renderPicker();
    apply();
  }

  $("floor-level").addEventListener("input", () => {
    state.floorLevel = Number($("floor-level").value) / 100;
    $("floor-level-value").textContent = $("floor-level").value + "%";
    keep();
    apply();
  });

  // ---- the booth -----------------------------------------------------------------------------
  function renderBooth() {
    if (!$("booth") || !state.booth) return;
    const channel = state.channels.find((c) => c.language === state.booth.language);
    const onAir = Boolean(channel) && channel.on_air === config.person;
    $("booth").hidden = false;
    $("booth-channel").textContent = state.booth.name;
    $("booth-channel").lang = state.booth.language;
    $("booth-status").textContent = onAir ? gettext("On air") : gettext("Standby");
    $("booth-status").dataset.onAir = String(onAir);
    $("take-channel").hidden = onAir;
    const partners = state.booth.interpreters.filter((i) => i.person !== config.person);
    const connected = new Set(channel ? channel.interpreters.filter((i) => i.present).map((i) => i.person) : []);
    $("hand-over").replaceChildren(...(onAir ? partners : []).map((partner) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "hand-over";
      button.textContent = interpolate(gettext("Hand over to %(name)s"), { name: partner.name }, true);
      button.disabled = !connected.has(partner.person);
      if (button.disabled) {
        button.title = interpolate(gettext("%(name)s is not connected."), { name: partner.name }, true);
      }
      button.addEventListener("click", () => room.command("channel.hand_over", { person: partner.person }));
      return button;
    }));
  }

  function ownAudioSender() {
    const pc = room.publisher && room.publisher.webrtcStuff && room.publisher.webrtcStuff.pc;
    if (!pc) return null;
    return pc.getSenders().find((s) => s.track && s.track.kind === "audio") || null;
  }

  // A cough: silence while the button is held, without a new offer (the track sends silence).
  function cough(on) {
    const sender = ownAudioSender();
    if (sender) sender.track.enabled = !on;
    $("cough").dataset.coughing = String(on);
  }

  async function showLevel() {
    const sender = ownAudioSender();
    if (!sender || !$("booth-level")) return;
    let level = 0;
    (await sender.getStats()).forEach((report) => {
      if (report.type === "media-source" && report.kind === "audio") level = report.audioLevel || 0;
    });
    // As a console's meter reads: -60 dBov and below empty, 0 dBov full.
    const db = level > 0 ? 20 * Math.log10(level) : -60;
    $("booth-level").value = sender.track.enabled ? Math.max(0, Math.min(1, (db + 60) / 60)) : 0;
  }

  if ($("booth")) {
    const button = $("cough");
    button.addEventListener("pointerdown", () => cough(true));
    ["pointerup", "pointerleave", "pointercancel"].forEach((name) => button.addEventListener(name, () => cough(false)));
    button.addEventListener("keydown", (event) => {
      if ((event.key === " " || event.key === "Enter") && !event.repeat) { event.preventDefault(); cough(true); }
    });
    button.addEventListener("keyup", (event) => { if (event.key === " " || event.key === "Enter") cough(false); });
    $("take-channel").addEventListener("click", () => room.command("channel.take"));
    setInterval(showLevel, 250);
  }

  // ---- from the server -----------------------------------------------------------------------
  document.addEventListener("room:control", (event) => {
    const body = event.detail.body || {};
    if (event.detail.type === "room.state") {
      state.channels = body.channels || [];
      state.booth = body.booth || null;
    } else if (event.detail.type === "channels.changed") {
      state.channels = body.channels || [];
    } else {
      return;
    }
    renderPicker();
    renderBooth();
    apply();
  });
  document.addEventListener("room:tile", apply);
  document.addEventListener("room:track", apply);
  load();
})();
