/**
 * Graceful shutdown of the real server (`main.ts server` on SQLite):
 * eight keep-alive HTTP/1.1 writers and one slow upload are in progress
 * when the server gets SIGTERM. Every request must either get its reply
 * (201, and the object exists after a restart on the same data) or be
 * refused before it was read (connection refused or reset, or 503 with
 * `Retry-After`) — and then the object must not exist. A write committed
 * without its reply is the failure this guards against.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startServer } from "./support/server.ts";

const WRITERS = 8;
const NS = "default";
const PATH = `/api/v1/namespaces/${NS}/configmaps`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome =
  | { name: string; kind: "created" }
  | { name: string; kind: "refused"; why: string }
  | { name: string; kind: "failed"; why: string };

function configMap(name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name },
    data: { k: "v" },
  });
}

Deno.test("SIGTERM answers every request it read and reads none it cannot answer", async () => {
  await using server = await startServer({
    args: ["--storage-backend", "sqlite", "--controllers", "-*"],
  });
  const caCerts = server.caCert ? [server.caCert] : [];
  const auth = `Bearer ${server.token}`;
  const outcomes: Outcome[] = [];
  let stop = false;

  const post = async (
    client: Deno.HttpClient,
    name: string,
    body: BodyInit = configMap(name),
  ): Promise<Outcome> => {
    try {
      // `duplex` is what Deno needs for a streamed body.
      const init: RequestInit & { client: Deno.HttpClient; duplex: "half" } = {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body,
        client,
        signal: AbortSignal.timeout(20_000),
        duplex: "half",
      };
      const res = await fetch(`${server.url}${PATH}`, init);
      const text = await res.text();
      if (res.status === 201) return { name, kind: "created" };
      if (res.status === 503 && res.headers.get("retry-after")) {
        return { name, kind: "refused", why: `503: ${text.trim()}` };
      }
      return { name, kind: "failed", why: `${res.status}: ${text.trim()}` };
    } catch (err) {
      // No reply at all: refused or cut. The object must then be absent.
      const why = err instanceof Error
        ? `${err.message} ${(err.cause as Error)?.message ?? ""}`
        : String(err);
      return { name, kind: "refused", why };
    }
  };

  const writer = async (w: number) => {
    const client = Deno.createHttpClient({
      caCerts,
      http1: true,
      http2: false,
      poolMaxIdlePerHost: 1,
    });
    try {
      const deadline = Date.now() + 20_000;
      let refusedInARow = 0;
      for (let n = 0; !stop && Date.now() < deadline; n++) {
        const o = await post(client, `w${w}-${n}`);
        outcomes.push(o);
        // The server is gone once connections are refused for a while.
        refusedInARow = o.kind === "refused" ? refusedInARow + 1 : 0;
        if (refusedInARow >= 3) break;
        if (o.kind === "refused") await sleep(50);
      }
    } finally {
      client.close();
    }
  };

  const slowUpload = async (): Promise<Outcome> => {
    const client = Deno.createHttpClient({
      caCerts,
      http1: true,
      http2: false,
    });
    try {
      const bytes = new TextEncoder().encode(configMap("slow-upload"));
      let i = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const body = new ReadableStream<Uint8Array>({
        pull: (c) =>
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              const end = Math.min(bytes.length, i + 8);
              c.enqueue(bytes.slice(i, end));
              i = end;
              if (i >= bytes.length) c.close();
              resolve();
            }, 100); // about 1.5 s in all
          }),
        cancel: () => clearTimeout(timer),
      });
      return await post(client, "slow-upload", body);
    } finally {
      client.close();
    }
  };

  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await sleep(700);
  const slow = slowUpload();
  await sleep(400); // the upload is under way
  Deno.kill(server.pid, "SIGTERM");
  const slowOutcome = await slow;
  await Promise.all(writers);
  stop = true;
  outcomes.push(slowOutcome);

  // Same data dir, same port: what was committed?
  await server.restart();
  const res = await server.fetch(`${PATH}?limit=100000`);
  assert.equal(res.status, 200);
  const stored = new Set<string>(
    (await res.json()).items.map((i: { metadata: { name: string } }) =>
      i.metadata.name
    ),
  );

  const created = outcomes.filter((o) => o.kind === "created");
  const noReply = outcomes.filter((o) => o.kind !== "created");
  const summary = `${outcomes.length} requests: ${created.length} created, ` +
    `${noReply.length} not (${
      [...new Set(noReply.map((o) => "why" in o ? o.why : ""))].slice(0, 5)
        .join(" | ")
    })`;
  console.log(summary);
  assert.ok(created.length > WRITERS, summary); // the writers did run
  assert.ok(noReply.length > 0, summary); // and ran into the shutdown
  // Every acknowledged write is stored…
  for (const o of created) assert.ok(stored.has(o.name), `lost: ${o.name}`);
  // …and nothing is stored that was not acknowledged.
  const unacknowledged = noReply.filter((o) => stored.has(o.name));
  assert.deepEqual(
    unacknowledged.map((o) => `${o.name}: ${"why" in o ? o.why : ""}`),
    [],
    "committed without a reply",
  );
  assert.deepEqual(
    noReply.filter((o) => o.kind === "failed"),
    [],
    "unexpected answers",
  );
  // The upload in progress at SIGTERM completed.
  assert.equal(slowOutcome.kind, "created", JSON.stringify(slowOutcome));
});
