import assert from "node:assert/strict";
import type { WatchEvent } from "../../storage/mod.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import {
  ADMIN,
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { SharedLines } from "./shared_lines.ts";
import { CLUSTER_ANNOTATION } from "../routing/wildcard.ts";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { silentLogger } from "../../log/mod.ts";

Deno.test("SharedLines encodes an event once per kind and view", () => {
  const lines = new SharedLines();
  const ev = {
    type: "ADDED",
    key: "/registry/configmaps/clusters/root/default/a",
    object: { metadata: { name: "a" } },
  } as WatchEvent;
  const a = {} as ResourceDefinition;
  const b = {} as ResourceDefinition;
  let calls = 0;
  const enc = (s: string) => () => {
    calls++;
    return new TextEncoder().encode(s);
  };
  const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
  const first = lines.get(ev, a, "", enc("a"));
  assert.equal(lines.get(ev, a, "", enc("other")), first);
  assert.equal(calls, 1);
  // another kind (another version of the same objects) is encoded anew
  assert.equal(text(lines.get(ev, b, "", enc("b"))), "b");
  assert.equal(calls, 2);
  // so is another view of the same kind (across clusters), once
  assert.equal(text(lines.get(ev, a, "*", enc("a*"))), "a*");
  assert.equal(text(lines.get(ev, a, "*", enc("other"))), "a*");
  assert.equal(lines.get(ev, a, "", enc("other")), first);
  assert.equal(text(lines.get(ev, b, "", enc("other"))), "b");
  assert.equal(calls, 3);
  // a view that names all it depends on needs no definition
  assert.equal(text(lines.get(ev, undefined, "*:v1/X", enc("x"))), "x");
  assert.equal(text(lines.get(ev, undefined, "*:v1/X", enc("other"))), "x");
  assert.equal(calls, 4);
  // nothing to send is not remembered
  const ev2 = { ...ev } as WatchEvent;
  assert.equal(lines.get(ev2, a, "", () => undefined), undefined);
  assert.equal(text(lines.get(ev2, a, "", enc("c"))), "c");
});

Deno.test("over HTTP, many watchers of one kind each get every event whole", async () => {
  const s = await startTestServer();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => s.api.handler(req, { user: ADMIN }),
  );
  const url =
    `http://127.0.0.1:${server.addr.port}/api/v1/namespaces/default/configmaps`;
  const readers: ReadableStreamDefaultReader<string>[] = [];
  try {
    const rv = (await s.request("GET", "/api/v1/namespaces/default/configmaps"))
      .body.metadata.resourceVersion;
    const opened = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          fetch(`${url}?watch=true&resourceVersion=${rv}`, {
            headers: i % 4 === 3
              ? { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" }
              : {},
          }),
      ),
    );
    for (const res of opened) {
      assert.equal(res.status, 200);
      readers.push(res.body!.pipeThrough(new TextDecoderStream()).getReader());
    }
    const names = Array.from({ length: 20 }, (_, i) => `fan-${i}`);
    for (const n of names) {
      const r = await s.request(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        {
          body: configMap(n, { i: n }),
        },
      );
      assert.equal(r.status, 201);
    }
    await Promise.all(readers.map(async (reader, i) => {
      let buf = "";
      const seen: string[] = [];
      while (seen.length < names.length) {
        const { done, value } = await reader.read();
        assert.equal(done, false);
        buf += value;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          assert.equal(ev.type, "ADDED");
          if (i % 4 === 3) {
            assert.equal(ev.object.kind, "Table");
            seen.push(ev.object.rows[0].cells[0]);
          } else {
            assert.equal(ev.object.kind, "ConfigMap");
            assert.equal(ev.object.data.i, ev.object.metadata.name);
            seen.push(ev.object.metadata.name);
          }
        }
      }
      assert.deepEqual(seen, names);
    }));
  } finally {
    await Promise.all(readers.map((r) => r.cancel()));
    await s.close();
    await server.shutdown();
  }
});

Deno.test("watchers across clusters share one encoded line per event", async () => {
  // Over the watch cache, as the server runs: it hands every watcher the
  // same event.
  const backend = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const storage = cachedStoreFactory(backend, { logger: silentLogger });
  const s = await startTestServer({ storage });
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  try {
    const rv = (await s.request("GET", "/clusters/*/api/v1/configmaps"))
      .body.metadata.resourceVersion;
    const watch = (path: string) =>
      s.raw("GET", `${path}?watch=true&resourceVersion=${rv}`);
    const opened = [
      await watch("/clusters/*/api/v1/configmaps"),
      await watch("/clusters/*/api/v1/configmaps"),
      await watch("/clusters/a/api/v1/namespaces/default/configmaps"),
    ];
    for (const res of opened) {
      assert.equal(res.status, 200);
      readers.push(res.body!.getReader());
    }
    const created = await s.request(
      "POST",
      "/clusters/a/api/v1/namespaces/default/configmaps",
      { body: configMap("shared") },
    );
    assert.equal(created.status, 201);
    const [across1, across2, plain] = await Promise.all(
      readers.map(async (r) => (await r.read()).value!),
    );
    // The same bytes, encoded once: the very same chunk reaches both
    // in-process readers across clusters.
    assert.equal(across1, across2);
    const ev = JSON.parse(new TextDecoder().decode(across1));
    assert.equal(ev.type, "ADDED");
    assert.equal(ev.object.metadata.name, "shared");
    assert.equal(ev.object.metadata.annotations[CLUSTER_ANNOTATION], "a");
    // A watch of the cluster itself gets its own line, without the
    // annotation, though it is the same event.
    assert.notEqual(plain, across1);
    const own = JSON.parse(new TextDecoder().decode(plain));
    assert.equal(own.object.metadata.name, "shared");
    assert.equal(own.object.metadata.annotations, undefined);
  } finally {
    await Promise.all(readers.map((r) => r.cancel()));
    await s.close();
    await storage.close();
  }
});
