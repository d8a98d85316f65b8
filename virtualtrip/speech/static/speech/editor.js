// The transcript editor: a click on a paragraph plays the recording from its start, the paragraph
// being heard is highlighted (and kept in view) as the recording plays, and the editor's forms are
// saved without leaving the page, so that the recording keeps playing. Every save carries the
// version of the transcript the page holds; the answer brings the next one.
(function () {
  "use strict";

  const root = document.querySelector(".transcript-editor[data-version]");
  if (!root) {
    return;
  }
  const audio = document.getElementById("transcript-audio");
  const paragraphs = Array.from(root.querySelectorAll(".paragraph"));
  const status = root.querySelector(".editor-status");
  let current = null;

  function startOf(element) {
    return parseFloat(element.dataset.start || element.dataset.seek || "0");
  }

  function editing() {
    const active = document.activeElement;
    return Boolean(active && active.closest(".paragraph form"));
  }

  function highlight(paragraph, scroll) {
    if (paragraph === current) {
      return;
    }
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = paragraph;
    if (!paragraph) {
      return;
    }
    paragraph.classList.add("current");
    paragraph.setAttribute("aria-current", "true");
    if (scroll && !editing()) {
      paragraph.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  // The paragraph heard at `seconds`: the last to start by then, unless its words ended a while ago.
  function paragraphAt(seconds) {
    let found = null;
    for (const paragraph of paragraphs) {
      if (startOf(paragraph) > seconds + 0.05) {
        break;
      }
      found = paragraph;
    }
    if (found && seconds > parseFloat(found.dataset.end) + 2) {
      return null;
    }
    return found;
  }

  function playFrom(seconds, paragraph) {
    if (!audio) {
      return;
    }
    audio.currentTime = seconds;
    highlight(paragraph || paragraphAt(seconds), false);
    const playing = audio.play();
    if (playing) {
      playing.catch(function () {});
    }
  }

  root.addEventListener("click", function (event) {
    const seek = event.target.closest("[data-seek]");
    if (seek) {
      event.preventDefault();
      const index = seek.dataset.paragraph;
      const paragraph = seek.closest(".paragraph") ||
        (index !== undefined ? document.getElementById("p-" + index) : null);
      playFrom(startOf(seek), paragraph);
      return;
    }
    if (event.target.closest("details, form, a, button, select, textarea, input")) {
      return;
    }
    const paragraph = event.target.closest(".paragraph");
    const selection = window.getSelection();
    if (paragraph && (!selection || selection.isCollapsed)) {
      playFrom(startOf(paragraph), paragraph);
    }
  });

  if (audio) {
    audio.addEventListener("timeupdate", function () {
      const heard = paragraphAt(audio.currentTime);
      if (heard !== current) {
        highlight(heard, true);
      }
    });
  }

  function setVersion(version) {
    root.dataset.version = String(version);
    for (const input of root.querySelectorAll("input[name=version]")) {
      input.value = String(version);
    }
  }

  function say(message, failed) {
    if (status) {
      status.textContent = message;
      status.classList.toggle("error", Boolean(failed));
    }
  }

  function showParagraph(data) {
    const paragraph = document.getElementById("p-" + data.index);
    if (!paragraph) {
      return;
    }
    paragraph.querySelector(".text").textContent = data.text;
    paragraph.querySelector(".speaker").textContent = data.speaker + ":";
    const textarea = paragraph.querySelector("textarea");
    if (textarea) {
      textarea.value = data.text;
    }
    const select = paragraph.querySelector("select");
    if (select) {
      select.value = data.choice;
    }
  }

  function markUndone(index) {
    const row = document.getElementById("c-" + index);
    if (!row) {
      return;
    }
    row.classList.add("undone");
    const form = row.querySelector("form");
    if (form) {
      const done = document.createElement("span");
      done.className = "state";
      done.textContent = root.dataset.undone;
      form.replaceWith(done);
    }
  }

  async function post(form) {
    const answer = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await answer.json();
    return { ok: answer.ok, data: data };
  }

  function saving(form, output) {
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    if (output) {
      output.textContent = root.dataset.saving;
      output.classList.remove("error");
    }
    return function () {
      if (button) {
        button.disabled = false;
      }
    };
  }

  root.addEventListener("submit", async function (event) {
    const form = event.target;
    const paragraphForm = form.classList.contains("paragraph-form");
    if (!paragraphForm && !form.classList.contains("undo-form")) {
      return; // sending to clearance reloads the page, with its message
    }
    event.preventDefault();
    const output = form.querySelector(".form-status");
    const done = saving(form, output);
    let result;
    try {
      result = await post(form);
    } catch (error) {
      result = { ok: false, data: { error: root.dataset.failed } };
    }
    done();
    const message = result.ok ? result.data.message : result.data.error;
    if (output) {
      output.textContent = message;
      output.classList.toggle("error", !result.ok);
    }
    if (!paragraphForm || !result.ok) {
      say(message, !result.ok);
    }
    if (!result.ok) {
      return;
    }
    setVersion(result.data.version);
    if (result.data.paragraph) {
      showParagraph(result.data.paragraph);
    }
    if (result.data.undone !== undefined) {
      markUndone(result.data.undone);
    }
  });
})();
