// The transcription panel follows its job live: every 2 s while the job waits or runs, its progress
// is read from the panel's data-speech-progress address and written into the panel's fields. The
// words come translated with the progress, so this script has none of its own. Once the job is over,
// the page is loaded again to show the draft's links (or the error).
(() => {
  "use strict";
  const EVERY_MS = 2000;
  const OPEN = new Set(["queued", "running"]);

  function show(panel, job) {
    panel.dataset.state = job.state;
    for (const field of panel.querySelectorAll("[data-field]")) {
      const name = field.dataset.field;
      if (name === "percent") {
        field.value = job.percent;
        field.textContent = `${job.percent}%`;
      } else if (name in job) {
        field.textContent = job[name] || "";
        field.hidden = !job[name];
      }
    }
  }

  function follow(panel) {
    const address = panel.dataset.speechProgress;
    const poll = async () => {
      try {
        const answer = await fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (answer.ok) {
          const { job } = await answer.json();
          if (job) {
            show(panel, job);
            if (!OPEN.has(job.state)) {
              window.location.reload();
              return;
            }
          }
        }
      } catch (error) {
        // The server is away for a moment (a restart): look again at the next tick.
      }
      window.setTimeout(poll, EVERY_MS);
    };
    window.setTimeout(poll, EVERY_MS);
  }

  for (const panel of document.querySelectorAll("[data-speech-progress]")) {
    if (OPEN.has(panel.dataset.state)) follow(panel);
  }
})();
