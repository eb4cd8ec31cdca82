import assert from "node:assert/strict";
import { lineReader } from "../../tests/support/watch_lines.ts";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import {
  memory,
  overridingStores,
} from "../../tests/support/cacher_fixtures.ts";
import { within } from "../../tests/support/within.ts";
import type { Watcher, WatchOptions } from "../../storage/mod.ts";

const base = "/api/v1/namespaces/default/configmaps";

Deno.test("watch", async (t) => {
  const s = await startTestServer();
  try {
    const created = await s.request("POST", base, { body: configMap("w1") });
    const rv = created.body.metadata.resourceVersion;

    await t.step(
      "streams current state then changes as JSON lines",
      async () => {
        const res = await s.raw("GET", `${base}?watch=true`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const lines = lineReader(res);
        const first = await lines.next();
        assert.equal(first.type, "ADDED");
        assert.equal(first.object.kind, "ConfigMap");
        assert.equal(first.object.apiVersion, "v1");
        assert.equal(first.object.metadata.name, "w1");
        await s.request("POST", base, { body: configMap("w2") });
        const second = await lines.next();
        assert.equal(second.type, "ADDED");
        assert.equal(second.object.metadata.name, "w2");
        await s.request("DELETE", `${base}/w2`);
        const third = await lines.next();
        assert.equal(third.type, "DELETED");
        await lines.cancel();
      },
    );

    await t.step(
      "from a resourceVersion sends only later changes; legacy /watch/ paths work",
      async () => {
        const now = (await s.request("GET", base)).body.metadata
          .resourceVersion;
        assert.ok(Number(now) > Number(rv));
        const res = await s.raw(
          "GET",
          `/api/v1/watch/namespaces/default/configmaps?resourceVersion=${now}`,
        );
        const lines = lineReader(res);
        await s.request("PUT", `${base}/w1`, {
          body: configMap("w1", { x: "1" }),
        });
        const ev = await lines.next();
        assert.equal(ev.type, "MODIFIED");
        assert.deepEqual(ev.object.data, { x: "1" });
        await lines.cancel();
      },
    );

    await t.step(
      "sendInitialEvents ends the initial burst with an annotated BOOKMARK",
      async () => {
        const res = await s.raw(
          "GET",
          `${base}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
        );
        const lines = lineReader(res);
        const ev = await lines.next();
        assert.equal(ev.type, "ADDED");
        const bm = await lines.next();
        assert.equal(bm.type, "BOOKMARK");
        assert.equal(bm.object.kind, "ConfigMap");
        assert.equal(bm.object.apiVersion, "v1");
        assert.equal(
          bm.object.metadata.annotations["k8s.io/initial-events-end"],
          "true",
        );
        assert.match(bm.object.metadata.resourceVersion, /^\d+$/);
        await lines.cancel();
      },
    );

    await t.step("sendInitialEvents without NotOlderThan is 422", async () => {
      const r = await s.request(
        "GET",
        `${base}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true`,
      );
      assert.equal(r.status, 422);
    });

    await t.step(
      "a too-old resourceVersion arrives as an ERROR event with 410 Expired",
      async () => {
        const cur = await s.storage.currentRevision();
        await s.request("POST", base, { body: configMap("w3") });
        await s.request("POST", base, { body: configMap("w4") });
        await s.storage.compact(await s.storage.currentRevision());
        const res = await s.raw(
          "GET",
          `${base}?watch=true&resourceVersion=${cur}`,
        );
        assert.equal(res.status, 200);
        const lines = lineReader(res);
        const ev = await lines.next();
        assert.equal(ev.type, "ERROR");
        assert.equal(ev.object.kind, "Status");
        assert.equal(ev.object.code, 410);
        assert.equal(ev.object.reason, "Expired");
        assert.equal(await lines.next(), undefined);
      },
    );

    await t.step("timeoutSeconds ends the stream", async () => {
      const res = await s.raw("GET", `${base}?watch=true&timeoutSeconds=1`);
      const lines = lineReader(res);
      let ev;
      do ev = await lines.next(); while (ev !== undefined);
      assert.equal(s.api !== undefined, true);
    });

    await t.step("a Table watch sends rows", async () => {
      const res = await s.raw(
        "GET",
        `${base}?watch=true&fieldSelector=metadata.name%3Dw1`,
        {
          headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
        },
      );
      const lines = lineReader(res);
      const ev = await lines.next();
      assert.equal(ev.object.kind, "Table");
      assert.equal(ev.object.rows[0].cells[0], "w1");
      assert.equal(ev.object.columnDefinitions[0].name, "Name");
      await lines.cancel();
    });

    await t.step("closing the server ends open watches", async () => {
      const res = await s.raw("GET", `${base}?watch=true`);
      const lines = lineReader(res);
      await lines.next();
      await s.api.close();
      let ev;
      do ev = await lines.next(); while (ev !== undefined);
    });
  } finally {
    await s.close();
  }
});

Deno.test("a watch stops when the client's signal aborts", async () => {
  const s = await startTestServer();
  try {
    const ac = new AbortController();
    const res = await s.api.handler(
      new Request(`http://x${base}?watch=true`),
      {
        user: { username: "admin", groups: ["system:masters"] },
        signal: ac.signal,
      },
    );
    const lines = lineReader(res);
    ac.abort();
    let ev;
    do ev = await lines.next(); while (ev !== undefined);
  } finally {
    await s.close();
  }
});

Deno.test("a client that leaves while its watch is still starting ends the start (a watch waiting for the cache's fill)", async () => {
  const inner = await memory();
  // Once `stalled`, a configmap watch starts only when its signal aborts:
  // a watch cache whose fill takes longer than the caller stays.
  let stalled = false;
  let sawAbort = false;
  const storage = overridingStores(inner, (store) => ({
    watch: (key: string, opts: WatchOptions) => {
      if (!stalled || !key.includes("/configmaps/")) {
        return store.watch(key, opts);
      }
      return new Promise<Watcher>((resolve) =>
        opts.signal?.addEventListener("abort", () => {
          sawAbort = true;
          resolve(store.watch(key, opts));
        }, { once: true })
      );
    },
  }));
  const s = await startTestServer({ storage });
  try {
    stalled = true;
    const ac = new AbortController();
    const answered = s.api.handler(
      new Request(`http://x${base}?watch=true`),
      {
        user: { username: "admin", groups: ["system:masters"] },
        signal: ac.signal,
      },
    );
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const res = await within(answered, 10_000, "the aborted watch's answer");
    assert.ok(sawAbort);
    const lines = lineReader(res);
    assert.equal(await lines.next(), undefined, "the watch is over");
  } finally {
    await s.close();
    await inner.close();
  }
});
