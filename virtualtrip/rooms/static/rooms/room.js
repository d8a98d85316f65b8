// The room page: joins the engagement's video room through the app's signaling proxy.
// The server decides what this seat may do; this script only reflects it.
// Its words come from Django's JavaScript catalog (the page loads it first): gettext() gives the
// text in the page's language, or the English text itself where no translation exists.
/* global Janus */
"use strict";

(function () {
  // Without the catalog (it failed to load), the English text as it is.
  const gettext = window.gettext || ((text) => text);
  const gettext_noop = window.gettext_noop || ((text) => text);
  const interpolate = window.interpolate
    || ((text, values) => text.replace(/%\((\w+)\)s/g, (match, name) => values[name]));
  const config = JSON.parse(document.getElementById("room-config").textContent);
  const $ = (id) => document.getElementById(id);
  const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
  const STATES = {
    ready: gettext("Not connected"),
    claiming: gettext("Checking your link…"),
    lobby: gettext("Waiting in the lobby"),
    connecting: gettext("Connecting…"),
    live: gettext("Live"),
    reconnecting: gettext("Reconnecting…"),
    unavailable: gettext("Media server unavailable — retrying"),
    refused: gettext("Not admitted"),
    ended: gettext("The meeting has ended"),
    closed: gettext("The room is not open yet"),
    over: gettext("The meeting is over"),
    left: gettext("You left the meeting"),
    denied: gettext("Access withdrawn"),
  };
  // What the server says to a seat in English over the control channel, translated here (a reason
  // the catalog does not know is shown as it came).
  gettext_noop("Your link was replaced by a new one.");
  gettext_noop("You are no longer on the list for this engagement.");
  gettext_noop("Your place in this meeting changed: open your link again to rejoin.");
  gettext_noop("Only a host, a moderator or the principal's staff admit people.");
  gettext_noop("Only a host, a moderator or the principal's staff end the meeting.");
  gettext_noop("Nobody has entered this room yet: there is no meeting to end.");
  // What a tile's audio stream says about its microphone (a Janus stream description, which every
  // page in the room is told when it changes).
  const MIC_OFF = "microphone off";
  const MIC_ON = "microphone on";
  const room = {
    state: "ready", janus: null, publisher: null, feeds: new Map(), myId: null,
    control: null, wanted: false, retry: 0, published: false, refusals: [],
    history: [],  // every state the page went through, for people checking a call (and the tests)
    // What this seat may publish now: its role's rights or a grant (publishing.changed changes it).
    rights: { audio: Boolean(config.publishAudio), video: Boolean(config.publishVideo) },
    micOn: true,
  };
  window.vtRoom = room;
  // Set while this tab is in the room: a reload (or a browser that restores the tab) rejoins at
  // once, as the same person, instead of asking for the click again.
  const IN_ROOM = "vt-in-room:" + config.control;

  function setState(state, detail) {
    room.state = state;
    room.history.push(state);
    $("room").dataset.state = state;
    $("connection").textContent = STATES[state] + (detail ? " — " + detail : "");
    $("connection").dataset.state = state;
  }

  function notice(text) {
    $("notice").textContent = text;
    $("notice").hidden = !text;
  }

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // ---- tiles -------------------------------------------------------------------------------
  function tile(key, label, mine) {
    let figure = document.querySelector(`[data-feed="${key}"]`);
    if (!figure) {
      figure = document.createElement("figure");
      figure.className = "tile" + (mine ? " mine" : "");
      figure.dataset.feed = key;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.muted = mine;
      const caption = document.createElement("figcaption");
      const label = document.createElement("span");
      label.className = "label";
      const mic = document.createElement("span");
      mic.className = "mic-off";
      mic.textContent = gettext("Microphone off");
      mic.hidden = true;
      caption.append(label, mic);
      figure.append(video, caption);
      $("grid").append(figure);
      // The channels' script hides an interpreter's tile as soon as it exists, before any track.
      if (!mine) document.dispatchEvent(new CustomEvent("room:tile", { detail: { feed: key } }));
    }
    figure.querySelector("figcaption .label").textContent = label;
    return figure;
  }

  // Show on a tile whether its microphone is off: a feed without audio, or whose person turned it off.
  function showMic(key, on) {
    const figure = document.querySelector(`[data-feed="${key}"]`);
    if (!figure) return;
    figure.dataset.mic = on ? "on" : "off";
    figure.querySelector(".mic-off").hidden = on;
  }

  function micOnIn(publisher) {
    const audio = (publisher.streams || []).filter((s) => s.type === "audio" && !s.disabled);
    return audio.some((s) => s.description !== MIC_OFF);
  }

  function showTalking(key, talking) {
    const figure = document.querySelector(`[data-feed="${key}"]`);
    if (figure) figure.classList.toggle("talking", talking);
  }

  function dropTile(key) {
    const figure = document.querySelector(`[data-feed="${key}"]`);
    if (figure) figure.remove();
  }

  function attachTrack(key, label, track, mine) {
    const video = tile(key, label, mine).querySelector("video");
    const stream = video.srcObject || new MediaStream();
    if (!stream.getTracks().some((t) => t.id === track.id)) stream.addTrack(track);
    video.srcObject = stream;
    video.play().catch(() => notice(gettext("Click anywhere on the page to hear the meeting.")));
    // The channels' script sets each feed's level (an interpreter's, or the floor under one).
    if (!mine) document.dispatchEvent(new CustomEvent("room:track", { detail: { feed: key, kind: track.kind } }));
  }

  // ---- control channel ---------------------------------------------------------------------
  function openControl() {
    const socket = new WebSocket(wsBase + config.control);
    room.control = socket;
    socket.onmessage = (message) => onControl(JSON.parse(message.data));
    socket.onclose = (event) => {
      room.control = null;
      if (!room.wanted) return;  // stopped already, with the reason the app sent before closing
      if (event.code === 4403) return seatWithdrawn();
      setTimeout(openControl, 1500);
    };
  }

  function command(type, body) {
    if (room.control && room.control.readyState === WebSocket.OPEN) {
      room.control.send(JSON.stringify({ type, id: String(Date.now()), body: body || {} }));
    }
  }
  room.command = command;

  function seatWithdrawn() {
    stop("denied", gettext("your seat in this room was withdrawn"));
  }

  function onControl(event) {
    const body = event.body || {};
    // Other scripts on the page (the floor's panel) see every control event as it came.
    document.dispatchEvent(new CustomEvent("room:control", { detail: event }));
    if (event.type === "room.state") {
      renderWaiting(body.waiting || []);
      if (body.publishing) applyRights(body.publishing, false);
      if (body.status === "ended") return stop("ended");
      if (body.status === "over") return stop("over");
      if (body.status === "not_yet") {
        stop("closed");
        setTimeout(() => { $("join").disabled = false; }, 5000);  // a moment early: try again
        return;
      }
      if (config.inLobby && body.admission !== "admitted") {
        if (body.admission === "refused") return stop("refused", gettext("a host declined your request"));
        setState("lobby");
        $("prejoin").hidden = true;
        $("lobby-wait").hidden = false;
        command("lobby.knock");
      } else if (!room.janus) {
        startMedia();
      }
    } else if (event.type === "lobby.changed") {
      renderWaiting(body.waiting);
    } else if (event.type === "admission.decided") {
      $("lobby-wait").hidden = true;
      if (body.state === "admitted") startMedia();
      else stop("refused", gettext("a host declined your request"));
    } else if (event.type === "room.ended") {
      stop("ended", interpolate(gettext("ended by %(name)s"), { name: body.by }, true));
    } else if (event.type === "seat.revoked") {
      stop("denied", body.reason && gettext(body.reason));
    } else if (event.type === "publishing.changed") {
      applyRights(body, true);
    } else if (event.type === "talking.changed") {
      if (body.feed !== undefined && body.feed !== null) {
        showTalking(body.feed === room.myId ? "me" : body.feed, body.talking);
      }
    } else if (event.type === "error") {
      notice(body.reason && gettext(body.reason));
    }
  }

  // ---- publishing rights that change during the meeting --------------------------------------
  // The server enforces them (the proxy refuses offers and stops publications itself); the page
  // follows: it starts publishing when given the right and stops when it is taken back.
  function applyRights(rights, announce) {
    const before = room.rights;
    const now = { audio: Boolean(rights.audio), video: Boolean(rights.video) };
    room.rights = now;
    if ($("mic")) $("mic").hidden = !now.audio;
    if ($("camera")) $("camera").hidden = !now.video;
    if (before.audio === now.audio && before.video === now.video) return;
    document.dispatchEvent(new CustomEvent("room:publishing", { detail: { ...now } }));
    if (announce) {
      if (now.audio && !before.audio) {
        speakingNotice(gettext("You may speak now: your microphone is on."));
      } else if (!now.audio && !now.video) {
        speakingNotice(gettext("Your microphone and camera are off: you are watching the meeting."));
      }
    }
    if (!room.publisher || room.myId === null) return;  // not in the room yet: it publishes on joining
    if (room.published) {
      // Narrower or wider than the publication that runs: take it down (the server stops a
      // withdrawn one by itself too), then publish what is allowed now, if anything.
      room.publisher.hangup(true);
      publicationEnded();
      if (now.audio || now.video) setTimeout(publishAgain, 1000);
    } else if (now.audio || now.video) {
      publishOwn(room.publisher);
    }
  }

  function publishAgain() {
    const may = room.rights.audio || room.rights.video;
    if (room.wanted && room.publisher && !room.published && may) publishOwn(room.publisher);
  }

  function speakingNotice(text) {
    $("publishing").textContent = text;
    $("publishing").hidden = !text;
  }

  // The publication is down (hung up by this page or by the server): the page goes on watching.
  function publicationEnded() {
    if (!room.published) return;
    room.published = false;
    dropTile("me");
  }

  function renderWaiting(waiting) {
    const list = $("waiting");
    if (!list) return;
    list.replaceChildren();
    if (!waiting.length) {
      const nobody = document.createElement("li");
      nobody.className = "muted";
      nobody.textContent = gettext("Nobody is waiting.");
      list.append(nobody);
      return;
    }
    for (const person of waiting) {
      const item = document.createElement("li");
      item.dataset.person = person.person;
      const name = document.createElement("span");
      name.textContent = person.display;
      const admit = document.createElement("button");
      admit.textContent = gettext("Admit");
      admit.className = "admit";
      admit.onclick = () => command("lobby.admit", { person: person.person });
      const refuse = document.createElement("button");
      refuse.textContent = gettext("Refuse");
      refuse.onclick = () => command("lobby.refuse", { person: person.person });
      item.append(name, admit, refuse);
      list.append(item);
    }
  }

  // ---- media through Janus ------------------------------------------------------------------
  function startMedia() {
    room.wanted = true;
    $("prejoin").hidden = true;
    $("controls").hidden = false;
    setState(room.retry ? "reconnecting" : "connecting");
    Janus.init({
      debug: false,
      callback: () => {
        room.janus = new Janus({
          server: wsBase + config.janus,
          iceServers: [],
          success: attachPublisher,
          error: onJanusError,
        });
      },
    });
  }

  function onJanusError(reason) {
    const text = String(reason);
    // The proxy turned this page away (see TURNED_AWAY in consumers.py): its reason starts with a
    // stable code, the only part of a Janus error that janus.js passes on.
    const code = text.split(":")[0];
    if (code === "no_seat") return seatWithdrawn();
    if (code === "not_open") {
      teardown();
      // Ask the room's state again: the control channel reopens by itself and says whether the
      // room is over, ended, not open yet, or open after all (then the media starts again).
      if (room.control) room.control.close();
      return;
    }
    rejoin(code === "media_unavailable" ? "unavailable" : "reconnecting");
  }

  // Start the media session again, as the same person: after a lost socket, a failed connection or
  // a dropped network. The seat comes from the server, so the rejoin has the same name and role.
  function rejoin(state, detail) {
    teardown();
    if (!room.wanted) return;
    setState(state, detail);
    room.retry += 1;
    setTimeout(() => room.wanted && !room.janus && startMedia(), Math.min(500 * room.retry, 2500));
  }

  // The ICE state of one of our connections to the media server.
  function onIceState(state) {
    if (!room.wanted || !room.janus) return;
    if (state === "disconnected") setState("reconnecting");
    else if ((state === "connected" || state === "completed") && room.published) setState("live");
    else if (state === "failed") rejoin("reconnecting", gettext("the connection was lost"));
  }

  function teardown() {
    const janus = room.janus;
    room.janus = null;
    room.publisher = null;
    room.published = false;
    for (const key of room.feeds.keys()) dropTile(key);
    room.feeds.clear();
    if (janus) {
      try { janus.destroy({ cleanupHandles: true, notifyDestroyed: false }); } catch (e) { /* already gone */ }
    }
  }

  function attachPublisher() {
    const janus = room.janus;
    janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        room.publisher = handle;
        handle.send({ message: { request: "join", ptype: "publisher" } });
      },
      error: onJanusError,
      onmessage: (message, jsep) => {
        const event = message.videoroom;
        if (event === "joined") {
          room.myId = message.id;
          room.retry = 0;
          if (room.rights.audio || room.rights.video) publishOwn(room.publisher);
          else setState("live");
          (message.publishers || []).forEach(subscribe);
        } else if (event === "event") {
          (message.publishers || []).forEach(subscribe);
          if (message.unpublished === "ok") publicationEnded();
          // Janus says a feed is gone in one of three ways; a kick may come alone.
          const gone = message.leaving || message.unpublished || message.kicked;
          if (gone && gone !== "ok") unsubscribe(gone);
          if (message.error) notice(message.error);
        }
        if (message.error_code || message.error) room.refusals.push(message.error);
        if (jsep) room.publisher.handleRemoteJsep({ jsep });
      },
      onlocaltrack: (track, on) => {
        if (on && track.kind === "video") {
          attachTrack("me", interpolate(gettext("You — %(name)s"), { name: config.display }, true), track, true);
          showMic("me", room.rights.audio && room.micOn);
        }
        if (!on && track.kind === "video") dropTile("me");
      },
      webrtcState: (on) => {
        if (on) { room.published = true; setState("live"); return; }
        if (!room.published) return;
        if (!byRole()) {
          // Published by a grant: the server stops a withdrawn publication itself, maybe before
          // the control channel says so. Keep watching; publish again in a moment only if the
          // grant is still there.
          publicationEnded();
          setTimeout(publishAgain, 1500);
        } else {
          rejoin("reconnecting", gettext("the media server hung up"));
        }
      },
      iceState: onIceState,
    });
  }

  // Whether this seat's role alone gives what it publishes (no grant is involved).
  function byRole() {
    const role = config.rolePublishes || {};
    return room.rights.audio === Boolean(role.audio) && room.rights.video === Boolean(role.video);
  }

  function publishOwn(handle) {
    const { audio, video } = room.rights;
    const tracks = [];
    if (audio) tracks.push({ type: "audio", capture: true, recv: false });
    if (video) tracks.push({ type: "video", capture: true, recv: false });
    room.micOn = true;
    resetButtons();
    handle.createOffer({
      tracks,
      success: (jsep) => handle.send({
        message: { request: "configure", audio, video }, jsep,
        error: (error) => notice(String(error)),
      }),
      error: (error) => {
        notice(interpolate(gettext("Your camera or microphone could not start: %(error)s"), { error: String(error) }, true));
        setState("live");
      },
    });
  }

  function subscribe(publisher) {
    if (publisher.id === room.myId) return;
    if (room.feeds.has(publisher.id)) {
      if (publisher.streams) showMic(publisher.id, micOnIn(publisher));  // an update: its microphone
      return;
    }
    const feed = { handle: null, display: publisher.display };
    room.feeds.set(publisher.id, feed);
    tile(publisher.id, publisher.display, false);
    showMic(publisher.id, micOnIn(publisher));
    room.janus.attach({
      plugin: "janus.plugin.videoroom",
      success: (handle) => {
        feed.handle = handle;
        handle.send({ message: { request: "join", ptype: "subscriber", feed: publisher.id } });
      },
      error: onJanusError,
      onmessage: (message, jsep) => {
        if (!jsep) return;
        feed.handle.createAnswer({
          jsep,
          tracks: [{ type: "data" }],
          success: (answer) => feed.handle.send({ message: { request: "start" }, jsep: answer }),
          error: (error) => notice(interpolate(
            gettext("Could not receive %(name)s: %(error)s"), { name: feed.display, error: String(error) }, true,
          )),
        });
      },
      onremotetrack: (track, mid, on) => {
        if (on) attachTrack(publisher.id, feed.display, track, false);
      },
      iceState: (state) => onFeedIceState(publisher.id, state),
    });
  }

  // The connection of one remote feed. Its trouble is that feed's, not the room's: a person leaving
  // takes their feed down first, and the page must not show everyone else "reconnecting" or start
  // its own session again. A feed whose connection failed while it is still listed is asked for again.
  function onFeedIceState(id, state) {
    const feed = room.feeds.get(id);
    if (state !== "failed" || !feed || !room.wanted || !room.janus) return;
    unsubscribe(id);
    subscribe({ id, display: feed.display });
  }

  function unsubscribe(id) {
    const feed = room.feeds.get(id);
    room.feeds.delete(id);
    dropTile(id);
    if (feed && feed.handle) feed.handle.detach();
  }

  function stop(state, detail) {
    room.wanted = false;
    sessionStorage.removeItem(IN_ROOM);
    teardown();
    dropTile("me");
    $("controls").hidden = true;
    $("lobby-wait").hidden = true;
    notice("");  // "click to hear the meeting" and the like no longer apply
    setState(state, detail);
    if (room.control && state !== "left") room.control.close();
  }

  // Aggregated receive statistics, for people checking their connection (and for the tests).
  room.stats = async function () {
    const result = {};
    for (const [id, feed] of room.feeds) {
      const pc = feed.handle && feed.handle.webrtcStuff && feed.handle.webrtcStuff.pc;
      const entry = {
        display: feed.display, videoFrames: 0, videoBytes: 0, audioBytes: 0, audioEnergy: 0, audioLevel: 0,
      };
      if (pc) {
        (await pc.getStats()).forEach((report) => {
          if (report.type !== "inbound-rtp") return;
          if (report.kind === "video") {
            entry.videoFrames += report.framesDecoded || 0;
            entry.videoBytes += report.bytesReceived || 0;
          } else if (report.kind === "audio") {
            // Levels as played out: a feed turned down on this page (a channel's floor) is lower.
            entry.audioBytes += report.bytesReceived || 0;
            entry.audioEnergy += report.totalAudioEnergy || 0;
            entry.audioLevel = Math.max(entry.audioLevel, report.audioLevel || 0);
          }
        });
      }
      result[id] = entry;
    }
    return result;
  };

  // ---- buttons -------------------------------------------------------------------------------
  async function join() {
    $("join").disabled = true;
    if (config.claim) {
      setState("claiming");
      const response = await fetch(config.claim, { method: "POST", headers: { "X-CSRFToken": csrf() } });
      const answer = await response.json();
      if (!response.ok) {
        setState("ready");
        notice(answer.error);
        return;
      }
      history.replaceState(null, "", answer.room);
    }
    room.wanted = true;
    sessionStorage.setItem(IN_ROOM, "1");
    openControl();
  }

  function toggle(button, kind) {
    const on = button.getAttribute("aria-pressed") !== "true";
    const handle = room.publisher;
    if (handle) {
      if (kind === "audio") (on ? handle.unmuteAudio() : handle.muteAudio());
      else (on ? handle.unmuteVideo() : handle.muteVideo());
    }
    showButton(button, kind, on);
    if (kind === "audio") {
      room.micOn = on;
      showMic("me", on);
      tellMicrophone(handle, on);
    }
  }

  function showButton(button, kind, on) {
    button.setAttribute("aria-pressed", String(on));
    if (kind === "audio") button.textContent = on ? gettext("Microphone on") : gettext("Microphone off");
    else button.textContent = on ? gettext("Camera on") : gettext("Camera off");
  }

  // A new publication starts with the microphone and camera on.
  function resetButtons() {
    if ($("mic")) showButton($("mic"), "audio", true);
    if ($("camera")) showButton($("camera"), "video", true);
  }

  // Tell everyone's page whether this microphone is on, as a description of the audio stream:
  // Janus passes it to every page in the room, and to those that join later.
  function tellMicrophone(handle, on) {
    const pc = handle && handle.webrtcStuff && handle.webrtcStuff.pc;
    if (!pc || !room.published) return;
    const audio = pc.getTransceivers().find((t) => t.sender && t.sender.track && t.sender.track.kind === "audio");
    if (!audio || audio.mid === null) return;
    handle.send({
      message: { request: "configure", descriptions: [{ mid: audio.mid, description: on ? MIC_ON : MIC_OFF }] },
    });
  }

  window.addEventListener("offline", () => {
    if (room.wanted) setState("reconnecting", gettext("this device is offline"));
  });
  window.addEventListener("online", () => {
    if (room.wanted) { room.retry = 0; rejoin("reconnecting"); }
  });
  // A page opened before the room opens lets its person in at the opening time, without a reload.
  // (setTimeout fires at once past 2^31 ms, about 24 days: such a page waits for a reload.)
  const opensInMs = config.opensInSeconds * 1000;
  if (opensInMs > 0 && opensInMs < 2 ** 31 - 1000) {
    setTimeout(() => {
      if (room.state !== "ready" && room.state !== "closed") return;
      $("join").disabled = false;
      if ($("opening")) $("opening").textContent = gettext("The room is open: you can join now.");
    }, opensInMs + 1000);
  }
  $("join").addEventListener("click", join);
  if ($("mic")) $("mic").addEventListener("click", () => toggle($("mic"), "audio"));
  if ($("camera")) $("camera").addEventListener("click", () => toggle($("camera"), "video"));
  $("leave").addEventListener("click", () => stop("left"));
  if ($("end")) $("end").addEventListener("click", () => {
    if (confirm(gettext("End the meeting for everyone?"))) command("room.end");
  });
  document.addEventListener("click", () => document.querySelectorAll("video").forEach((v) => v.play().catch(() => {})));
  if (config.travelled || sessionStorage.getItem(IN_ROOM)) join();
})();
