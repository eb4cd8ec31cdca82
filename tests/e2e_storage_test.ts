/**
 * End-to-end: the default storage stack of `hyperplane server` (SQLite behind
 * the watch cache) survives SIGKILL with every acknowledged write, and with
 * periodic compaction its file stays bounded under churn while continue
 * tokens from before a compaction expire (410).
 */

import assert from "node:assert/strict";
import { startServer, type TestServer } from "./support/server.ts";

const CM = "/api/v1/namespaces/default/configmaps";

interface ConfigMap {
  metadata: { name: string; resourceVersion: string };
  data?: Record<string, string>;
}

async function createConfigMap(
  server: TestServer,
  name: string,
  data: Record<string, string>,
): Promise<Response> {
  return await server.fetch(CM, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name },
      data,
    }),
  });
}

async function json<T>(res: Response, expected = 200): Promise<T> {
  const body = await res.text();
  assert.equal(res.status, expected, body);
  return JSON.parse(body) as T;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
}

/** Polls `check` every 200 ms until it returns true; fails after `ms`. */
async function eventually(
  what: string | (() => string),
  check: () => Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const name = typeof what === "string" ? what : what();
      throw new Error(`${name}: not within ${ms} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("every acknowledged write survives a SIGKILL of the server", async () => {
  await using server = await startServer();
  const acknowledged = new Map<string, string>();
  // Sequential writes first, then a burst in flight when the kill lands.
  for (let i = 0; i < 50; i++) {
    const cm = await json<ConfigMap>(
      await createConfigMap(server, `seq-${i}`, { i: String(i) }),
      201,
    );
    acknowledged.set(cm.metadata.name, cm.metadata.resourceVersion);
  }
  const burst = Array.from(
    { length: 100 },
    (_, i) =>
      createConfigMap(server, `burst-${i}`, { i: String(i) }).then(
        async (res) => {
          if (res.status !== 201) {
            await res.body?.cancel();
            return;
          }
          const cm = await res.json() as ConfigMap;
          acknowledged.set(cm.metadata.name, cm.metadata.resourceVersion);
        },
        () => {/* cut off by the kill: not acknowledged */},
      ),
  );
  // Kill once part of the burst is acknowledged.
  await eventually(
    "burst progress",
    () => Promise.resolve(acknowledged.size >= 80),
  );
  Deno.kill(server.pid, "SIGKILL");
  await Promise.all(burst);

  await server.restart();
  const list = await json<
    { items: ConfigMap[]; metadata: { resourceVersion: string } }
  >(
    await server.fetch(CM),
  );
  const found = new Map(
    list.items.map((cm) => [cm.metadata.name, cm.metadata.resourceVersion]),
  );
  for (const [name, rv] of acknowledged) {
    assert.equal(found.get(name), rv, `${name} lost or changed`);
  }
  const maxRv = Math.max(...[...acknowledged.values()].map(Number));
  const after = await json<ConfigMap>(
    await createConfigMap(server, "after-restart", {}),
    201,
  );
  assert.ok(
    Number(after.metadata.resourceVersion) > maxRv,
    "revisions keep growing after the crash",
  );
});

Deno.test("with periodic compaction the database stays bounded and old continue tokens expire", async () => {
  await using server = await startServer({
    args: ["--sqlite-compaction-interval", "1s"],
  });
  const db = `${server.dataDir}/state.db`;
  const KEYS = 20;
  const UPDATES = 3_000;
  // Small enough that no request or response passes ~700 bytes: larger
  // bodies stall ~40 ms per request between Deno's fetch and the server
  // (delayed ACK against Nagle), which kubectl does not see.
  const filler = "x".repeat(300);
  for (let k = 0; k < KEYS; k++) {
    await json(await createConfigMap(server, `churn-${k}`, { filler }), 201);
  }
  const page = await json<{ metadata: { continue?: string } }>(
    await server.fetch(`${CM}?limit=5`),
  );
  const token = page.metadata.continue;
  assert.ok(token, "a paged list has a continue token");

  for (let i = 0; i < UPDATES; i++) {
    const res = await server.fetch(`${CM}/churn-${i % KEYS}`, {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ data: { i: String(i), filler } }),
    });
    await json(res);
  }
  const written = UPDATES * filler.length;

  // The compactor runs every second and keeps one interval of history.
  await eventually("the continue token expires", async () => {
    const res = await server.fetch(
      `${CM}?limit=5&continue=${encodeURIComponent(token)}`,
    );
    const status = await res.json() as { reason?: string };
    if (res.status !== 410) return false;
    assert.equal(status.reason, "Expired");
    return true;
  });
  // Idle now: the next ticks drop the rest of the history and shrink the file.
  const bound = 512 * 1024;
  let size = 0;
  await eventually(
    () => `the database shrinks after compaction (${size} B)`,
    async () => {
      size = await fileSize(db) + await fileSize(`${db}-wal`);
      return size <= bound;
    },
  );
  console.log(
    `sqlite under churn: filler written=${written}B final=${size}B bound=${bound}B`,
  );
  const live = await json<{ items: ConfigMap[] }>(await server.fetch(CM));
  const churned = live.items.filter((cm) =>
    cm.metadata.name.startsWith("churn-")
  );
  assert.equal(churned.length, KEYS);
  for (const cm of churned) assert.equal(cm.data?.filler, filler);
});
