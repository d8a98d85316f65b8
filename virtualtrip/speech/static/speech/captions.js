// Live captions under the video: the room's control channel carries `caption.changed` events
// (room.js passes every control event on as `room:control`); this shows them to whoever turned
// captions on, and remembers that choice for the engagement across reloads.
(function () {
  "use strict";
  const box = document.getElementById("captions");
  const toggle = document.getElementById("captions-toggle");
  const lines = document.getElementById("caption-lines");
  if (!box || !toggle || !lines) return;
  const config = JSON.parse(document.getElementById("room-config").textContent);
  const KEY = "virtualtrip.captions." + config.engagement;
  const KEPT = 6;
  const shown = new Map();  // "voice:cue" -> the cue's paragraph
  lines.dataset.empty = gettext("Captions appear here when someone speaks.");

  function show(on) {
    toggle.setAttribute("aria-pressed", String(on));
    box.dataset.on = String(on);
    lines.hidden = !on;
    try { localStorage.setItem(KEY, on ? "on" : "off"); } catch (error) { /* private mode */ }
  }

  function paragraph(body) {
    const key = body.voice + ":" + body.cue;
    let line = shown.get(key);
    if (!line) {
      line = document.createElement("p");
      const speaker = document.createElement("span");
      speaker.className = "speaker";
      const text = document.createElement("span");
      text.className = "text";
      line.append(speaker, text);
      lines.append(line);
      shown.set(key, line);
      while (shown.size > KEPT) {
        const [oldest, old] = shown.entries().next().value;
        old.remove();
        shown.delete(oldest);
      }
    }
    return line;
  }

  function caption(body) {
    const line = paragraph(body);
    line.querySelector(".speaker").textContent = body.speaker + ":";
    line.querySelector(".text").textContent = body.text;
    line.classList.toggle("partial", !body.final);
    line.dataset.final = String(body.final);
    lines.scrollTop = lines.scrollHeight;
  }

  document.addEventListener("room:control", (event) => {
    const message = event.detail;
    if (message && message.type === "caption.changed" && message.body) caption(message.body);
  });
  toggle.addEventListener("click", () => show(toggle.getAttribute("aria-pressed") !== "true"));
  let kept = null;
  try { kept = localStorage.getItem(KEY); } catch (error) { /* private mode */ }
  show(kept === "on");
})();
