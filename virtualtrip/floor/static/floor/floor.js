// The floor panel of the room page: ground rules, who holds the floor, hands and questions, and the
// moderator's console. The server decides everything; this script shows its state and sends clicks.
// State: the socket's first message is the whole state (`floor.state`); each event replaces the
// parts it names; on reconnecting the page sends the last seq it saw and gets what it missed.
"use strict";

(function () {
  const panel = document.getElementById("floor");
  if (!panel) return;
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate = window.interpolate
    || ((text, values) => text.replace(/%\((\w+)\)s/g, (match, name) => values[name]));
  const $ = (id) => document.getElementById(id);
  const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
  const PARTS = ["briefing", "floor", "queue", "talking"];
  // The page's words for the server's error codes (docs/protocol.md); the server's English reason
  // is shown only for a code this page does not know.
  const ERRORS = {
    forbidden: gettext("Your role cannot do that here."),
    not_open: gettext("The briefing is not taking questions now."),
    not_found: gettext("That question or person is not in this briefing."),
    conflict: gettext("Someone else acted first: the queue has changed."),
    too_long: gettext("A question is at most 2,000 characters."),
    invalid: gettext("That could not be sent as it is."),
    throttled: gettext("You raised your hand many times in a minute: wait a moment."),
    too_fast: gettext("Slow down: too many clicks at once."),
    too_many_sockets: gettext("This link is open in too many tabs: close one, and this one connects."),
  };
  const TOO_MANY_SOCKETS = 4431;  // the seat's other sockets are full: try again now and then
  const KINDS = {
    hand: gettext("raised a hand"),
    written: gettext("wrote a question"),
    ahead: gettext("submitted ahead"),
    picked: gettext("called by the moderator"),
  };
  const floor = {
    socket: null, seq: null, state: null, sent: 0, retry: 0, stopped: false, crowded: false, history: [],
  };
  window.vtFloor = floor;

  // ---- socket ----------------------------------------------------------------------------------
  function connect() {
    if (floor.socket || floor.stopped) return;
    const since = floor.seq === null ? "" : "?since=" + floor.seq;
    const socket = new WebSocket(wsBase + panel.dataset.socket + since);
    floor.socket = socket;
    socket.onopen = () => { floor.retry = 0; };
    socket.onmessage = (message) => receive(JSON.parse(message.data));
    socket.onclose = (event) => {
      floor.socket = null;
      if (event.code === 4403 || floor.stopped) return;  // no seat (yet): the room page says why
      floor.crowded = event.code === TOO_MANY_SOCKETS;
      floor.retry = floor.crowded ? 6 : Math.min(floor.retry + 1, 6);
      setTimeout(connect, 500 * 2 ** floor.retry);
    };
  }

  function send(type, body) {
    if (!floor.socket || floor.socket.readyState !== WebSocket.OPEN) {
      return showError(gettext("Not connected to the floor: trying again."));
    }
    floor.sent += 1;
    floor.socket.send(JSON.stringify({ type, id: "f" + floor.sent, body: body || {} }));
  }

  function receive(message) {
    floor.history.push(message.type);
    if (message.type === "floor.state" || message.type === "resumed") {
      if (floor.crowded) showError("");  // connected after all: another tab closed
      floor.crowded = false;
    }
    if (message.type === "floor.state") {
      floor.state = message.body;
      floor.seq = message.seq;
    } else if (message.type === "error") {
      showError(ERRORS[message.code] || message.reason);
      return;
    } else if (message.type === "ok") {
      showError("");
      return;
    } else if (message.type === "resumed") {
      floor.seq = message.seq;
    } else if (floor.state && message.seq !== null) {
      for (const part of PARTS) if (part in message.body) floor.state[part] = message.body[part];
      floor.seq = message.seq;
    }
    if (floor.state) render(floor.state);
  }

  function showError(text) {
    $("floor-error").textContent = text;
    $("floor-error").hidden = !text;
  }

  // ---- rendering -------------------------------------------------------------------------------
  function who(entry) {
    const detail = [entry.outlet, entry.country].filter(Boolean).join(", ");
    return detail ? `${entry.name} (${detail})` : entry.name;
  }

  function waited(since) {
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
    return minutes < 1 ? gettext("just now")
      : interpolate(ngettext("waiting %(n)s minute", "waiting %(n)s minutes", minutes), { n: minutes }, true);
  }

  function render(state) {
    const me = state.me;
    const mine = (entry) => entry.person === me.person;
    renderBriefing(state.briefing);
    const holder = state.floor;
    $("floor-holder").textContent = holder ? who(holder) : gettext("Nobody has the floor.");
    $("floor-follow-ups").textContent = holder && holder.follow_ups
      ? interpolate(ngettext("%(n)s follow-up", "%(n)s follow-ups", holder.follow_ups), { n: holder.follow_ups }, true) : "";
    $("you-have-floor").hidden = !(holder && me.person !== null && holder.person === me.person);
    $("talking").textContent = state.talking.length ? state.talking.map((t) => t.name).join(", ") : "—";
    const open = state.briefing.status === "open";
    if (me.asks) renderAsking(state, mine, open && !(holder && holder.person === me.person));
    if (me.console) renderConsole(state, holder);
  }

  function renderBriefing(briefing) {
    const status = $("briefing-status");
    status.dataset.status = briefing.status;
    status.textContent = briefing.status === "closing" ? gettext("Time for one more question")
      : briefing.status === "ended" ? gettext("The briefing has ended") : "";
    status.hidden = briefing.status === "open";
    const rules = briefing.ground_rules;
    const text = $("ground-rules-text");
    text.dataset.rule = rules.rule;
    text.textContent = rules.rule === "background"
      ? interpolate(gettext("On background: attribute what is said to %(attribution)s, never by name."), { attribution: rules.attribution }, true)
      : rules.rule === "off_record" ? gettext("Off the record: nothing said here may be reported.") : gettext("On the record.");
    const embargo = $("embargo");
    embargo.hidden = !rules.embargo_until;
    if (rules.embargo_until) {
      const time = new Date(rules.embargo_until).toLocaleString(document.documentElement.lang || undefined,
        { dateStyle: "medium", timeStyle: "short", timeZone: panel.dataset.zone, timeZoneName: "short" });
      embargo.textContent = interpolate(gettext("Embargoed until %(time)s."), { time }, true);
    }
  }

  function renderAsking(state, mine, open) {
    $("asking").hidden = false;
    const hand = state.queue.find((entry) => mine(entry) && entry.kind === "hand");
    $("raise-hand").hidden = Boolean(hand);
    $("lower-hand").hidden = !hand;
    $("raise-hand").disabled = !open;
    $("ask").disabled = state.briefing.status === "ended" || state.briefing.status === "closing";
    const place = state.queue.find(mine);
    $("my-place").textContent = place
      ? interpolate(gettext("You are number %(place)s of %(count)s in the queue."), { place: place.place, count: state.queue.length }, true)
      : "";
    const list = $("my-questions");
    list.replaceChildren(...state.queue.filter((entry) => mine(entry) && entry.text).map((entry) => {
      const item = document.createElement("li");
      item.textContent = entry.text;  // as text: a question holding HTML shows the HTML
      return item;
    }));
  }

  function renderConsole(state, holder) {
    $("console").hidden = false;
    const ended = state.briefing.status === "ended";
    $("take-back").disabled = !holder;
    $("follow-up").disabled = !holder;
    $("take-floor-question").disabled = !(holder && holder.question);
    $("one-more").disabled = state.briefing.status !== "open";
    $("end-briefing").disabled = ended;
    $("queue-count").textContent = state.queue.length ? `(${state.queue.length})` : "";
    $("queue").replaceChildren(...state.queue.map((entry) => queueItem(entry, ended)));
  }

  function button(label, onClick, disabled) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    element.disabled = Boolean(disabled);
    element.addEventListener("click", onClick);
    return element;
  }

  function queueItem(entry, ended) {
    const item = document.createElement("li");
    item.dataset.question = entry.question;
    item.dataset.kind = entry.kind;
    const place = document.createElement("span");
    place.className = "place";
    place.textContent = entry.place;
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who(entry);
    const facts = document.createElement("span");
    facts.className = "facts";
    facts.textContent = `${KINDS[entry.kind] || entry.kind} · ${waited(entry.since)}`;
    if (entry.asked_before) {
      const asked = document.createElement("span");
      asked.className = "asked-before";
      asked.textContent = " · " + gettext("already asked");
      facts.append(asked);
    }
    item.append(place, name, facts);
    if (entry.text) {
      const text = document.createElement("p");
      text.className = "text";
      text.textContent = entry.text;
      item.append(text);
    }
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(button(gettext("Give the floor"), () => send("floor.give", { question: entry.question }), ended));
    if (entry.text) actions.append(button(gettext("Read aloud"), () => send("question.read_aloud", { question: entry.question }), ended));
    actions.append(button(gettext("Take the question"), () => send("question.take", { question: entry.question })));
    item.append(actions);
    return item;
  }

  // ---- clicks ----------------------------------------------------------------------------------
  $("raise-hand").addEventListener("click", () => send("hand.raise"));
  $("lower-hand").addEventListener("click", () => send("hand.lower"));
  $("ask-text").addEventListener("input", () => { $("ask-count").textContent = `${$("ask-text").value.length} / 2000`; });
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("ask-text").value.trim();
    if (!text) return;
    send("question.ask", { text });
    $("ask-text").value = "";
    $("ask-count").textContent = "0 / 2000";
  });
  $("take-back").addEventListener("click", () => send("floor.take_back"));
  $("follow-up").addEventListener("click", () => send("floor.follow_up"));
  $("take-floor-question").addEventListener("click", () => {
    if (floor.state && floor.state.floor && floor.state.floor.question) send("question.take", { question: floor.state.floor.question });
  });
  $("one-more").addEventListener("click", () => send("briefing.one_more"));
  $("end-briefing").addEventListener("click", () => {
    if (window.confirm(gettext("End the briefing? Nobody can ask after this."))) send("briefing.end");
  });

  // The floor socket needs the seat the room page takes: connect once its control channel speaks.
  document.addEventListener("room:control", (event) => {
    const type = event.detail && event.detail.type;
    if (type === "seat.revoked" || type === "room.ended") {
      floor.stopped = true;
      if (floor.socket) floor.socket.close();
      return;
    }
    connect();
  });
  setInterval(() => { if (floor.state && floor.state.me.console) render(floor.state); }, 30000);  // times waited
})();
