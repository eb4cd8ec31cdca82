/**
 * Big requests against a real `hyperplane server` (issue 22, parts 3 and
 * 4): what one expensive request costs the others, and how much memory big
 * lists take. Run with `deno run -A bench/big_list_load.ts`.
 *
 * - a 2.9 MiB ConfigMap of ~280,000 tiny keys, and the largest one under
 *   the field cap (~95,000 keys): each one's answer and time, and how long
 *   small GETs sent while it is being handled wait (the figure:
 *   within 250 ms);
 * - a 100,000-deep JSON array: its answer and time;
 * - 16 concurrent 2.9 MiB SelfSubjectAccessReviews: how long `/readyz`
 *   sent meanwhile waits;
 * - 20,000 × 1 KiB ConfigMaps, then 20 concurrent full LISTs: peak RSS
 *   (sampled every 20 ms; target under 600 MB) and the lists' wall time.
 *
 * Prints a Markdown table; no assertion (figures vary with the machine).
 * Every request has a timeout and a watchdog (`BENCH_TIMEOUT_MS`, default
 * 600 s) stops everything. `BENCH_ITEMS` (default 20000) and
 * `BENCH_LISTS` (default 20) scale the list phase; `BENCH_BACKEND`
 * (default `sqlite`) picks the storage backend; `BENCH_PHASES` (default
 * `keys,deep,reviews,lists`) picks the phases (the list phase alone gives
 * its RSS without the other phases' garbage); `BENCH_ENTRY` runs another
 * tree's `main.ts` (A/B).
 *
 * @module
 */

import { startServer, type TestServer } from "../tests/support/server.ts";
import { rssMiB } from "./_processes.ts";

const ITEMS = Number(Deno.env.get("BENCH_ITEMS") ?? 20_000);
const LISTS = Number(Deno.env.get("BENCH_LISTS") ?? 20);
const BACKEND = Deno.env.get("BENCH_BACKEND") ?? "sqlite";
const PHASES = (Deno.env.get("BENCH_PHASES") ?? "keys,deep,reviews,lists")
  .split(",");
const TIMEOUT_MS = Number(Deno.env.get("BENCH_TIMEOUT_MS") ?? 600_000);
const REQUEST_TIMEOUT_MS = 120_000;
const CREATE_CONCURRENCY = 32;
/** `BENCH_ENTRY`: another tree's `main.ts` (an A/B against older code). */
const ENTRY = Deno.env.get("BENCH_ENTRY");
/** `BENCH_HTTP1=1`: each list on its own HTTP/1.1 connection (default: HTTP/2). */
const HTTP1 = Deno.env.get("BENCH_HTTP1") === "1";

/** A client of its own that speaks HTTP/1.1 only. */
function http1Client(server: TestServer): Deno.HttpClient {
  return Deno.createHttpClient({
    caCerts: server.caCert ? [server.caCert] : [],
    http2: false,
  });
}

type Row = [string, string, string];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a request; returns its status, body size and time. */
async function timed(
  server: TestServer,
  path: string,
  init: RequestInit & { client?: Deno.HttpClient } = {},
): Promise<{ status: number; bytes: number; ms: number; text: string }> {
  const start = performance.now();
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const res = init.client
    ? await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${server.token}` },
      signal,
    })
    : await server.fetch(path, { ...init, signal });
  const body = new Uint8Array(await res.arrayBuffer());
  const text = body.length < 4096 ? new TextDecoder().decode(body) : "";
  return {
    status: res.status,
    bytes: body.length,
    ms: performance.now() - start,
    text,
  };
}

const post = (body: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body,
});

/** A ConfigMap body of about `bytes` bytes made of tiny keys. */
export function manyKeysBody(name: string, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes - 100; i++) {
    const entry = `"k${i.toString(36)}":""`;
    parts.push(entry);
    size += entry.length + 1;
  }
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{${
    parts.join(",")
  }}}`;
}

/**
 * Sends `big` and, once it is on its way, small GETs one after another
 * until it is answered; returns the big request's result and the slowest
 * small GET.
 */
async function withProbe(
  server: TestServer,
  big: () => Promise<{ status: number; ms: number; text: string }>,
  probePath: string,
): Promise<{ status: number; ms: number; text: string; probeMs: number }> {
  let done = false;
  let probeMs = 0;
  const result = big().finally(() => (done = true));
  await sleep(20); // the body is on its way
  const probes = (async () => {
    while (!done) {
      const p = await timed(server, probePath);
      probeMs = Math.max(probeMs, p.ms);
    }
  })();
  const r = await result;
  await probes;
  return { ...r, probeMs };
}

async function bigKeys(server: TestServer): Promise<Row[]> {
  const rows: Row[] = [];
  // 2.9 MiB: past the field cap; 0.95 MiB: the largest body of tiny keys
  // under it (~95,000 keys), which is created.
  for (const [name, mib] of [["many-keys", 2.9], ["cap-keys", 0.95]] as const) {
    const body = manyKeysBody(name, mib * 1024 * 1024);
    const keys = body.split('":""').length - 1;
    const r = await withProbe(
      server,
      () => timed(server, "/api/v1/namespaces/default/configmaps", post(body)),
      "/api/v1/namespaces/default/configmaps/small",
    );
    rows.push([
      `POST ConfigMap of ${keys} keys (${
        (body.length / 1048576).toFixed(2)
      } MiB)`,
      `${r.status} in ${r.ms.toFixed(0)} ms; concurrent small GET waited ≤ ${
        r.probeMs.toFixed(0)
      } ms`,
      "small GET within 250 ms",
    ]);
  }
  return rows;
}

async function deepArray(server: TestServer): Promise<Row[]> {
  const depth = 100_000;
  const body =
    `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"a":${
      "[".repeat(depth)
    }${"]".repeat(depth)}}}`;
  const r = await timed(
    server,
    "/api/v1/namespaces/default/configmaps",
    post(body),
  );
  return [[
    `POST ConfigMap with a ${depth}-deep array`,
    `${r.status} in ${r.ms.toFixed(0)} ms`,
    "4xx, not 500",
  ]];
}

async function reviews(server: TestServer): Promise<Row[]> {
  const body = JSON.stringify({
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: { resourceAttributes: { verb: "get", resource: "configmaps" } },
    padding: JSON.parse(manyKeysBody("x", 2.9 * 1024 * 1024)).data,
  });
  const path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  let status = "";
  const r = await withProbe(server, async () => {
    const start = performance.now();
    const all = await Promise.all(
      Array.from({ length: 16 }, () => timed(server, path, post(body))),
    );
    status = [...new Set(all.map((a) => a.status))].join(",");
    return { status: all[0].status, ms: performance.now() - start, text: "" };
  }, "/readyz");
  return [[
    "16 concurrent 2.9 MiB SelfSubjectAccessReviews",
    `${status} in ${r.ms.toFixed(0)} ms; concurrent /readyz waited ≤ ${
      r.probeMs.toFixed(0)
    } ms`,
    "",
  ]];
}

async function bigLists(server: TestServer): Promise<Row[]> {
  const ns = "biglist";
  await timed(
    server,
    "/api/v1/namespaces",
    post(`{"metadata":{"name":"${ns}"}}`),
  );
  const value = "x".repeat(1024);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < ITEMS) {
        const i = next++;
        const r = await timed(
          server,
          `/api/v1/namespaces/${ns}/configmaps`,
          post(
            JSON.stringify({ metadata: { name: `cm-${i}` }, data: { value } }),
          ),
        );
        if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
      }
    }),
  );
  const createMs = performance.now() - start;
  // A first list warms the watch cache, as any informer would.
  await timed(server, `/api/v1/namespaces/${ns}/configmaps`);
  const settle: string[] = [];
  for (const ms of [1000, 4000, 10_000]) {
    await sleep(ms);
    settle.push(rssMiB(server.pid).toFixed(0));
  }
  const before = rssMiB(server.pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, rssMiB(server.pid));
      await sleep(20);
    }
  })();
  const clients = Array.from(
    { length: LISTS },
    () => HTTP1 ? http1Client(server) : undefined,
  );
  const listStart = performance.now();
  const all = await Promise.all(
    clients.map((client) =>
      timed(server, `/api/v1/namespaces/${ns}/configmaps`, { client })
    ),
  );
  for (const c of clients) c?.close();
  const listMs = performance.now() - listStart;
  sampling = false;
  await sampler;
  const bytes = all[0].bytes;
  return [[
    `create ${ITEMS} × 1 KiB ConfigMaps (${CREATE_CONCURRENCY} in flight)`,
    `${(ITEMS / (createMs / 1000)).toFixed(0)}/s`,
    "",
  ], [
    `${LISTS} concurrent full LISTs (${(bytes / 1048576).toFixed(1)} MiB each)`,
    `peak RSS ${peak.toFixed(0)} MiB (before ${before.toFixed(0)} MiB); ${
      listMs.toFixed(0)
    } ms; statuses ${[...new Set(all.map((a) => a.status))].join(",")}`,
    "peak RSS < 600 MB",
  ], [
    "RSS after the creates and one list, 1 s / 5 s / 15 s later",
    `${settle.join(" / ")} MiB`,
    "",
  ]];
}

async function phase(rows: Row[], name: string, run: () => Promise<Row[]>) {
  if (!PHASES.includes(name)) return;
  try {
    rows.push(...await run());
  } catch (err) {
    rows.push([
      name,
      "FAILED",
      err instanceof Error ? err.message : String(err),
    ]);
  }
}

function printTable(rows: Row[]) {
  console.log("| measurement | result | target |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

async function main(): Promise<number> {
  const rows: Row[] = [];
  const watchdog = setTimeout(() => {
    rows.push(["(run)", "FAILED", `watchdog after ${TIMEOUT_MS} ms`]);
    printTable(rows);
    Deno.exit(2); // the server child dies with its stdio pipes
  }, TIMEOUT_MS);
  let server: TestServer | undefined;
  try {
    server = await startServer({
      entry: ENTRY,
      args: ["--storage-backend", BACKEND],
    });
    const s = server;
    await timed(
      s,
      "/api/v1/namespaces/default/configmaps",
      post('{"metadata":{"name":"small"},"data":{"a":"b"}}'),
    );
    await phase(rows, "keys", () => bigKeys(s));
    await phase(rows, "deep", () => deepArray(s));
    await phase(rows, "reviews", () => reviews(s));
    await phase(rows, "lists", () => bigLists(s));
    rows.push(["RSS after the load", `${rssMiB(s.pid).toFixed(0)} MiB`, ""]);
  } catch (err) {
    rows.push([
      "(run)",
      "FAILED",
      err instanceof Error ? err.message : String(err),
    ]);
  } finally {
    await server?.stop();
    clearTimeout(watchdog);
  }
  printTable(rows);
  return rows.some((r) => r[1] === "FAILED") ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
