/**
 * Load generator for the API server (issue 5's figures), run with
 * `deno task bench:api`. Starts a real `hyperplane server` on SQLite and
 * measures, against baselines taken in the same run:
 *
 * - HTTP create/get/list throughput at 64 concurrent requests, against raw
 *   SQLite single-row commits and a `Deno.serve` hello-world in its own
 *   process (same TLS certificate, same client, same concurrency);
 * - watch fan-out latency: 1,000 watchers, p50/p99 from the write's start
 *   to delivery;
 * - start to `/readyz` (first start and restarts) and idle RSS.
 *
 * Prints a Markdown table; no assertion (figures vary with the machine).
 * Always terminates: every request has a timeout, every wait a bound, a
 * failed phase is reported in the table and the next one runs, and a
 * watchdog (`BENCH_TIMEOUT_MS`, default 300 s) stops everything.
 *
 * Environment: `BENCH_DURATION_MS` (per throughput phase, default 4000),
 * `BENCH_WATCHERS` (default 1000), `BENCH_TIMEOUT_MS`.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import {
  freePort,
  startServer,
  type TestServer,
} from "../tests/support/server.ts";
import { projectRoot } from "../tests/support/kubectl.ts";
import {
  type FanOutResult,
  measureFanOut,
  startBareFanOutServer,
} from "./_fan_out.ts";

const CONCURRENCY = 64;
const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 4000);
const WATCHERS = Number(Deno.env.get("BENCH_WATCHERS") ?? 1000);
const TIMEOUT_MS = Number(Deno.env.get("BENCH_TIMEOUT_MS") ?? 300_000);
const REQUEST_TIMEOUT_MS = 10_000;
const FAN_OUT_ROUNDS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves `p`, or rejects with `what` after `ms`. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: no answer within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request to the server as admin; throws unless the status is `want`. */
async function call(
  server: TestServer,
  path: string,
  want: number,
  init: RequestInit = {},
): Promise<void> {
  const res = await server.fetch(path, {
    ...init,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await res.arrayBuffer();
  if (res.status !== want) {
    throw new Error(
      `${init.method ?? "GET"} ${path}: ${res.status} ${
        new TextDecoder().decode(body).slice(0, 300)
      }`,
    );
  }
}

const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * Runs `op` from `concurrency` loops for `ms`; returns completed ops per
 * second. The first failure stops every loop and is rethrown.
 */
async function throughput(
  concurrency: number,
  ms: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<number> {
  let done = 0;
  let failure: unknown;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < deadline && !failure; i++) {
        try {
          await op(w, i);
          done++;
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure) throw failure;
  return done / ((performance.now() - start) / 1000);
}

function rawSqliteCommitsPerSecond(ms: number): number {
  const dir = Deno.makeTempDirSync({ prefix: "bench-sqlite-" });
  try {
    const db = new DatabaseSync(`${dir}/raw.db`);
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    db.exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)");
    const ins = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?)");
    const value = JSON.stringify({
      data: { key: "value" },
      metadata: { name: "x" },
    });
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      db.exec("BEGIN");
      ins.run(`k${n}`, value);
      db.exec("COMMIT");
      n++;
    }
    const rate = n / ((performance.now() - start) / 1000);
    db.close();
    return rate;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** The hello-world server, run as its own process like the API server. */
const HELLO_SERVER = `
const [port, certFile, keyFile] = Deno.args;
Deno.serve({
  hostname: "127.0.0.1", port: Number(port),
  cert: Deno.readTextFileSync(certFile), key: Deno.readTextFileSync(keyFile),
  onListen() { console.log("listening"); },
}, () => new Response("ok"));
`;

async function helloWorldPerSecond(server: TestServer): Promise<number> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      HELLO_SERVER,
      String(port),
      `${server.dataDir}/tls/serving.crt`,
      `${server.dataDir}/tls/serving.key`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    await bounded(reader.read(), 30_000, "hello-world server start");
    const url = `https://localhost:${port}/`;
    return await throughput(CONCURRENCY, DURATION_MS, async () => {
      const r = await fetch(url, {
        client: server.client,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await r.arrayBuffer();
    });
  } finally {
    child.kill("SIGKILL");
    await reader.cancel().catch(() => {});
    await child.status;
  }
}

function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Milliseconds from spawning `hyperplane server` to its first `/readyz` 200. */
async function startToReady(dataDir: string): Promise<number> {
  const port = freePort();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${projectRoot()}/main.ts`,
      "server",
      "--data-dir",
      dataDir,
      "--bind-address",
      "127.0.0.1",
      "--secure-port",
      String(port),
      "--log-level",
      "warn",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let client: Deno.HttpClient | undefined;
  try {
    while (performance.now() - t0 < 30_000) {
      if (!client) {
        try {
          const ca = Deno.readTextFileSync(`${dataDir}/tls/ca.crt`);
          client = Deno.createHttpClient({ caCerts: [ca] });
        } catch {
          await sleep(5);
          continue;
        }
      }
      try {
        const r = await fetch(`https://127.0.0.1:${port}/readyz`, {
          client,
          signal: AbortSignal.timeout(2_000),
        });
        await r.arrayBuffer();
        if (r.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
    throw new Error("the server was not ready within 30 s");
  } finally {
    client?.close();
    child.kill("SIGTERM");
    await bounded(child.status, 15_000, "server stop").catch(() => {
      child.kill("SIGKILL");
    });
  }
}

async function watchFanOut(server: TestServer, ns: string): Promise<Row[]> {
  await call(
    server,
    "/api/v1/namespaces",
    201,
    post({ metadata: { name: ns } }),
  );
  const api = await measureFanOut(
    {
      port: server.port,
      caCert: server.caCert!,
      path: `/api/v1/namespaces/${ns}/configmaps?watch=true` +
        "&allowWatchBookmarks=true&sendInitialEvents=true" +
        "&resourceVersionMatch=NotOlderThan",
      headers: { authorization: `Bearer ${server.token}` },
      write: (name) =>
        call(
          server,
          `/api/v1/namespaces/${ns}/configmaps`,
          201,
          post({ metadata: { name }, data: { key: "value" } }),
        ),
    },
    WATCHERS,
    FAN_OUT_ROUNDS,
  );
  const bare = await startBareFanOutServer(
    freePort(),
    `${server.dataDir}/tls/serving.crt`,
    `${server.dataDir}/tls/serving.key`,
  );
  let base;
  try {
    base = await measureFanOut(
      {
        port: bare.port,
        caCert: server.caCert!,
        path: "/watch",
        headers: {},
        write: async (name) => {
          const r = await fetch(
            `https://127.0.0.1:${bare.port}/?name=${name}`,
            {
              method: "POST",
              client: server.client,
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            },
          );
          await r.arrayBuffer();
        },
      },
      WATCHERS,
      FAN_OUT_ROUNDS,
    );
  } finally {
    await bare.stop();
  }
  const ms = (r: FanOutResult) =>
    `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
  return [
    [
      `bare Deno.serve fan-out, ${WATCHERS} streams × ${FAN_OUT_ROUNDS} writes`,
      ms(base),
      `baseline (${base.delivered}/${base.expected} deliveries)`,
    ],
    [
      `watch fan-out, ${WATCHERS} watchers × ${FAN_OUT_ROUNDS} creates`,
      ms(api),
      `${api.delivered}/${api.expected} deliveries; p99 ${
        (api.p99 / base.p99).toFixed(1)
      }× baseline (target p99 ≤ 20 ms)`,
    ],
  ];
}

type Row = [string, string, string];

/** Runs one measurement; a failure becomes a row instead of ending the run. */
async function phase(
  rows: Row[],
  name: string,
  run: () => Promise<Row[]>,
): Promise<void> {
  const t0 = performance.now();
  try {
    rows.push(...await run());
  } catch (err) {
    rows.push([
      name,
      "FAILED",
      err instanceof Error ? err.message : String(err),
    ]);
  }
  console.error(
    `bench: ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

function printTable(rows: Row[]): void {
  console.log("| measurement | figure | ratio / target |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
const perSecond = (n: number) => `${n.toFixed(0)}/s`;

async function main(): Promise<number> {
  const rows: Row[] = [];
  const watchdog = setTimeout(() => {
    rows.push(["(watchdog)", "FAILED", `the run exceeded ${TIMEOUT_MS} ms`]);
    printTable(rows);
    Deno.exit(2); // the server child dies with its stdio pipes
  }, TIMEOUT_MS);
  let server: TestServer | undefined;
  try {
    await phase(rows, "start to /readyz", async () => {
      const dir = await Deno.makeTempDir({ prefix: "bench-start-" });
      try {
        const first = await startToReady(dir);
        const again = [];
        for (let i = 0; i < 3; i++) again.push(await startToReady(dir));
        again.sort((a, b) => a - b);
        return [[
          "start to /readyz (process spawn to first 200)",
          `first start ${first.toFixed(0)} ms; restart median ${
            again[1].toFixed(0)
          } ms`,
          "target ≤ 500 ms",
        ]];
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
    server = await startServer({ args: ["--storage-backend", "sqlite"] });
    const s = server;
    await sleep(2000);
    const idleRss = rssMiB(s.pid);
    const ns = "bench";
    await call(s, "/api/v1/namespaces", 201, post({ metadata: { name: ns } }));

    let rawCommits = NaN;
    let hello = NaN;
    await phase(rows, "raw SQLite commits", () => {
      rawCommits = rawSqliteCommitsPerSecond(DURATION_MS);
      return Promise.resolve([[
        "raw SQLite single-row commits (WAL, synchronous=NORMAL)",
        perSecond(rawCommits),
        "baseline",
      ]]);
    });
    await phase(rows, "hello-world", async () => {
      hello = await helloWorldPerSecond(s);
      return [[
        "Deno.serve hello-world (own process, TLS, 64 in flight)",
        perSecond(hello),
        "baseline",
      ]];
    });
    await phase(rows, "create", async () => {
      const creates = await throughput(CONCURRENCY, DURATION_MS, (w, i) =>
        call(
          s,
          `/api/v1/namespaces/${ns}/configmaps`,
          201,
          post({ metadata: { name: `c-${w}-${i}` }, data: { key: "value" } }),
        ));
      return [[
        "HTTP create configmap (64 in flight)",
        perSecond(creates),
        `${pct(creates, rawCommits)} of raw commits (target ≥ 10%); ${
          pct(creates, hello)
        } of hello-world`,
      ]];
    });
    await phase(rows, "get", async () => {
      const gets = await throughput(
        CONCURRENCY,
        DURATION_MS,
        (w) => call(s, `/api/v1/namespaces/${ns}/configmaps/c-${w}-0`, 200),
      );
      return [[
        "HTTP get configmap (64 in flight)",
        perSecond(gets),
        `${pct(gets, hello)} of hello-world (target ≥ 40%)`,
      ]];
    });
    await phase(rows, "list", async () => {
      const lists = await throughput(
        CONCURRENCY,
        DURATION_MS,
        () => call(s, `/api/v1/namespaces/${ns}/configmaps?limit=100`, 200),
      );
      return [[
        "HTTP list 100 configmaps (64 in flight)",
        perSecond(lists),
        `${pct(lists, hello)} of hello-world`,
      ]];
    });
    await phase(rows, "watch fan-out", () => watchFanOut(s, "fanout"));
    rows.push([
      "idle RSS 2 s after start",
      `${idleRss.toFixed(0)} MiB`,
      "target ≤ 100 MB",
    ]);
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
