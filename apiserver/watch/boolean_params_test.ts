import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";

Deno.test("watch=True and allowWatchBookmarks=True stream events, as the Python client sends them", async () => {
  const s = await startTestServer();
  try {
    const list = await s.request("POST", base, { body: configMap("b1") });
    assert.equal(list.status, 201);
    const rv = list.body.metadata.resourceVersion;
    const res = await s.raw(
      "GET",
      `${base}?watch=True&allowWatchBookmarks=True&resourceVersion=${rv}&timeoutSeconds=5`,
    );
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    await s.request("POST", base, { body: configMap("b2") });
    let buf = "";
    while (!buf.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    await reader.cancel();
    const ev = JSON.parse(buf.slice(0, buf.indexOf("\n")));
    assert.equal(ev.type, "ADDED");
    assert.equal(ev.object.metadata.name, "b2");

    // Any value but 0/false is true, also for sendInitialEvents.
    const init = await s.raw(
      "GET",
      `${base}?watch=yes&sendInitialEvents=TRUE&allowWatchBookmarks=1&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`,
    );
    assert.equal(init.status, 200);
    const all = await init.text();
    assert.match(all, /"k8s.io\/initial-events-end":"true"/);

    // watch=FALSE and watch=0 are lists.
    for (const v of ["FALSE", "0"]) {
      const r = await s.request("GET", `${base}?watch=${v}`);
      assert.equal(r.body.kind, "ConfigMapList", v);
    }
  } finally {
    await s.close();
  }
});
