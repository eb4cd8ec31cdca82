import assert from "node:assert/strict";
import { lineReader } from "../../tests/support/watch_lines.ts";
import { isDeepFrozen } from "../../internal/json.ts";
import {
  ADMIN,
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { WatchObjectEvent } from "../request_context.ts";
import { CLUSTER_ANNOTATION } from "../routing/wildcard.ts";

const base = "/api/v1/namespaces/default/configmaps";

/** A watch of `path` taken as objects: the response, and its events. */
async function objectWatch(s: TestServer, path: string, accept?: string) {
  let events: ReadableStream<WatchObjectEvent> | undefined;
  const res = await s.api.handler(
    new Request(`http://hyperplane.test${path}`, {
      headers: accept ? { accept } : {},
    }),
    { user: ADMIN, watchEvents: (e) => events = e },
  );
  return { res, events, reader: events?.getReader() };
}

async function next(
  reader: ReadableStreamDefaultReader<WatchObjectEvent>,
): Promise<WatchObjectEvent> {
  const { value, done } = await reader.read();
  assert.ok(!done, "the watch ended");
  return value;
}

Deno.test("a watch taken as objects: the same events as its JSON lines, deep-frozen, an empty body", async () => {
  const s = await startTestServer();
  try {
    await s.request("POST", base, { body: configMap("w1", { a: "1" }) });
    const path = `${base}?watch=true`;
    const lines = lineReader(await s.raw("GET", path));
    const { res, reader } = await objectWatch(s, path);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.body, null);
    assert.ok(reader, "the handler handed its events over");

    await s.request("POST", base, { body: configMap("w2") });
    await s.request("PUT", `${base}/w1`, { body: configMap("w1", { a: "2" }) });
    await s.request("DELETE", `${base}/w2`);
    const types: string[] = [];
    for (let i = 0; i < 4; i++) {
      const line = await lines.next();
      const ev = await next(reader);
      types.push(ev.type);
      // What the line would have parsed to, exactly.
      assert.deepEqual(JSON.parse(JSON.stringify(ev)), line);
      assert.ok(isDeepFrozen(ev), `event ${i} is deep-frozen`);
    }
    assert.deepEqual(types, ["ADDED", "ADDED", "MODIFIED", "DELETED"]);
    await lines.cancel();
    await reader.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("a watch taken as objects: events the backend served (not frozen) come deep-frozen, the backend's unharmed", async () => {
  // The harness serves straight from the memory backend (no watch cache):
  // its events are not frozen, and stay so for their owner.
  const s = await startTestServer();
  try {
    const { reader } = await objectWatch(s, `${base}?watch=true`);
    await s.request("POST", base, { body: configMap("w1") });
    const ev = await next(reader!);
    assert.equal(ev.type, "ADDED");
    assert.ok(isDeepFrozen(ev));
    await reader!.cancel();
    // The backend's own object is still its to change: a second watcher
    // (as bytes) renders it unharmed.
    const lines = lineReader(await s.raw("GET", `${base}?watch=true`));
    assert.equal((await lines.next()).object.metadata.name, "w1");
    await lines.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("watches taken as objects of one view share each event's object (from the watch cache)", async () => {
  const memory = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const storage = cachedStoreFactory(memory, { eager: true });
  const s = await startTestServer({ storage });
  try {
    const path = `/clusters/*/api/v1/configmaps?watch=true`;
    const a = await objectWatch(s, path);
    const b = await objectWatch(s, path);
    await s.request("POST", base, { body: configMap("shared") });
    const [ea, eb] = [await next(a.reader!), await next(b.reader!)];
    assert.equal(ea.type, "ADDED");
    assert.equal(ea, eb, "one frozen event for both watchers");
    assert.ok(isDeepFrozen(ea));
    const meta = (ea.object as { metadata: Record<string, unknown> }).metadata;
    assert.deepEqual(meta.annotations, {
      [CLUSTER_ANNOTATION]: "root",
    });
    await a.reader!.cancel();
    await b.reader!.cancel();
  } finally {
    await s.close();
    await storage.close();
    await memory.close();
  }
});

Deno.test("a Table watch ignores the object taker and answers in bytes", async () => {
  const s = await startTestServer();
  try {
    await s.request("POST", base, { body: configMap("t1") });
    const { res, events } = await objectWatch(
      s,
      `${base}?watch=true`,
      "application/json;as=Table;v=v1;g=meta.k8s.io",
    );
    assert.equal(events, undefined);
    const lines = lineReader(res);
    assert.equal((await lines.next()).object.kind, "Table");
    await lines.cancel();
  } finally {
    await s.close();
  }
});
