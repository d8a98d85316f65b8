// Janus API round trips from a page, timed; benchmarks/join.py runs it with page.evaluate.
(async ({url, extra, joinBody, rounds}) => {
  const open = async () => {
    const ws = new WebSocket(url, "janus-protocol");
    await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error("no socket")); });
    const waiting = new Map();
    let number = 0;
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      const entry = waiting.get(message.transaction);
      if (entry && (message.janus !== "ack" || entry.ackDone)) {
        waiting.delete(message.transaction);
        entry.ok(message);
      }
    };
    const send = (body, ackDone = true) => new Promise((ok, fail) => {
      const transaction = "b" + number++;
      waiting.set(transaction, {ok, ackDone});
      ws.send(JSON.stringify({...body, ...extra, transaction}));
      setTimeout(() => fail(new Error("no answer to " + JSON.stringify(body))), 10000);
    });
    const created = await send({janus: "create"});
    if (created.janus !== "success") throw new Error(JSON.stringify(created));
    return {ws, send, session: created.data.id};
  };
  const times = {connect: [], keepalive: [], attach: [], join: []};
  const timed = async (list, work) => {
    const start = performance.now();
    await work();
    list.push(performance.now() - start);
  };
  for (let i = 0; i < Math.ceil(rounds / 5); i++) {
    await timed(times.connect, async () => {
      const opened = await open();
      await opened.send({janus: "destroy", session_id: opened.session});
      opened.ws.close();
    });
  }
  const {ws, send, session} = await open();
  for (let i = 0; i < rounds; i++) {
    await timed(times.keepalive, () => send({janus: "keepalive", session_id: session}));
  }
  for (let i = 0; i < rounds; i++) {
    await timed(times.attach, async () => {
      const handle = await send({janus: "attach", plugin: "janus.plugin.videoroom", session_id: session});
      await send({janus: "detach", session_id: session, handle_id: handle.data.id});
    });
  }
  for (let i = 0; i < rounds; i++) {
    // The proxy lets a handle join once, as janus.js does: a fresh handle for each round.
    const handle = (await send({janus: "attach", plugin: "janus.plugin.videoroom", session_id: session})).data.id;
    const message = (body) => send({janus: "message", session_id: session, handle_id: handle, body}, false);
    await timed(times.join, async () => {
      const joined = await message(joinBody);
      if (!joined.plugindata || joined.plugindata.data.videoroom !== "joined") throw new Error(JSON.stringify(joined));
      await message({request: "leave"});
    });
    await send({janus: "detach", session_id: session, handle_id: handle});
  }
  ws.close();
  return times;
})
