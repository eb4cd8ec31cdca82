/**
 * Load generator for the API server (issue 5's figures), run with
 * `deno task bench:api`. Starts a real `hyperplane server` on SQLite and
 * measures, against baselines taken in the same run:
 *
 * - HTTP create/get/list throughput at 64 concurrent requests, against raw
 *   SQLite single-row commits, a `Deno.serve` hello-world in its own
 *   process (same TLS certificate, same client, same concurrency) and — the
 *   GET's ceiling (issue 21) — a plain-HTTP `Deno.serve` answering a body
 *   of the GET's size, in alternating rounds (medians and per-round
 *   ratios);
 * - watch fan-out latency: 1,000 watchers, p50/p99 from the write's start
 *   to delivery, against a bare `Deno.serve` fan-out;
 * - start to `/readyz` (first start and restarts) and idle RSS.
 *
 * Prints a Markdown table; no assertion (figures vary with the machine).
 * Always terminates: every request has a timeout, every wait a bound, a
 * failed phase is reported in the table and the next one runs, and a
 * watchdog (`BENCH_TIMEOUT_MS`, default 300 s) stops everything.
 *
 * Environment: `BENCH_DURATION_MS` (per throughput phase, default 3000),
 * `BENCH_ROUNDS` (default 3), `BENCH_WATCHERS` (default 1000),
 * `BENCH_TIMEOUT_MS`.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import {
  freePort,
  startServer,
  type TestServer,
} from "../tests/support/server.ts";
import {
  cpuMs,
  rssMiB,
  startHelloWorld,
  startPlainServer,
  startToReady,
} from "./_processes.ts";
import { haveWrk, wrkGet, wrkRate } from "./_wrk.ts";
import {
  type FanOutResult,
  measureFanOut,
  startBareFanOutServer,
} from "./_fan_out.ts";

const CONCURRENCY = 64;
const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 3000);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const WATCHERS = Number(Deno.env.get("BENCH_WATCHERS") ?? 1000);
const TIMEOUT_MS = Number(Deno.env.get("BENCH_TIMEOUT_MS") ?? 300_000);
const REQUEST_TIMEOUT_MS = 10_000;
const FAN_OUT_ROUNDS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

interface Series {
  raw: number[];
  hello: number[];
  /** Plain-HTTP `Deno.serve` with a body of the GET's size. */
  plain: number[];
  /** Server CPU per request (µs), with wrk only: plain and the GET. */
  plainCpu: number[];
  getCpu: number[];
  create: number[];
  get: number[];
  /** GET of a ConfigMap with a 1 KiB value: past the size where a response
   * takes two TLS records (see `apiserver/serving/tls_front.ts`). */
  getLarge: number[];
  list: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const spread = (xs: number[]) =>
  `${perSecond(median(xs))} (${perSecond(Math.min(...xs))}–${
    perSecond(Math.max(...xs))
  })`;
/** The median of per-round ratios, with their range. */
const ratio = (a: number[], b: number[]) => {
  const rs = a.map((x, i) => x / b[i]);
  const p = (x: number) => `${(x * 100).toFixed(0)}%`;
  return `${p(median(rs))} (${p(Math.min(...rs))}–${p(Math.max(...rs))})`;
};

function seriesRows(s: Series, wrk: boolean, getBytes: number): Row[] {
  const client = wrk ? "wrk, 64 connections" : "Deno fetch, 64 in flight";
  const rows: Row[] = [];
  const n = s.list.length;
  const cut = (xs: number[]) => xs.slice(0, n);
  if (n === 0) return rows;
  rows.push([
    "raw SQLite single-row commits (WAL, synchronous=NORMAL)",
    spread(cut(s.raw)),
    "baseline",
  ]);
  rows.push([
    `Deno.serve hello-world (own process, TLS; ${client})`,
    spread(cut(s.hello)),
    "baseline",
  ]);
  rows.push([
    `Deno.serve plain HTTP, a ${getBytes}-byte body (own process; ${client})`,
    spread(cut(s.plain)),
    "baseline: the GET's ceiling (issue 21)",
  ]);
  rows.push([
    `HTTP create configmap (${client})`,
    spread(cut(s.create)),
    `${ratio(cut(s.create), cut(s.raw))} of raw commits (target ≥ 10%); ${
      ratio(cut(s.create), cut(s.hello))
    } of hello-world`,
  ]);
  rows.push([
    `HTTP get configmap (${client})`,
    spread(cut(s.get)),
    `${
      ratio(cut(s.get), cut(s.plain))
    } of plain HTTP with the same body (target ≥ 40%); ${
      ratio(cut(s.get), cut(s.hello))
    } of hello-world`,
  ]);
  if (s.getCpu.length > 0) {
    const us = (xs: number[]) => `${median(xs).toFixed(0)} µs`;
    rows.push([
      "server CPU per request: get configmap / plain HTTP (median)",
      `${us(s.getCpu)} / ${us(s.plainCpu)}`,
      "what a GET costs the server next to the ceiling (wrk shares the cores)",
    ]);
  }
  rows.push([
    `HTTP get configmap with a 1 KiB value (${client})`,
    spread(cut(s.getLarge)),
    `${ratio(cut(s.getLarge), cut(s.hello))} of hello-world`,
  ]);
  rows.push([
    `HTTP list 100 configmaps (${client})`,
    spread(cut(s.list)),
    `${ratio(cut(s.list), cut(s.hello))} of hello-world`,
  ]);
  return rows;
}

/**
 * GETs `url` with wrk; returns the rate and adds the server's (`pid`) CPU
 * time per request, in µs, to `cpu` — the figure a busy machine disturbs
 * least.
 */
async function cpuMeasured(
  pid: number,
  url: string,
  headers: Record<string, string>,
  cpu: number[],
): Promise<number> {
  const before = cpuMs(pid);
  const r = await wrkGet(url, DURATION_MS, CONCURRENCY, headers);
  cpu.push((cpuMs(pid) - before) * 1000 / r.requests);
  return r.rate;
}

/**
 * Baselines and API calls in alternating rounds (the machine is shared, so
 * load shifts between phases; per-round ratios compare neighbours). Figures
 * are medians over the rounds with their range.
 */
async function throughputRounds(s: TestServer, ns: string): Promise<Row[]> {
  const series: Series = {
    raw: [],
    hello: [],
    plain: [],
    plainCpu: [],
    getCpu: [],
    create: [],
    get: [],
    getLarge: [],
    list: [],
  };
  const wrk = haveWrk();
  await call(
    s,
    `/api/v1/namespaces/${ns}/configmaps`,
    201,
    post({ metadata: { name: "get-target" }, data: { key: "value" } }),
  );
  await call(
    s,
    `/api/v1/namespaces/${ns}/configmaps`,
    201,
    post({ metadata: { name: "get-large" }, data: { key: "x".repeat(1024) } }),
  );
  const got = await s.fetch(`/api/v1/namespaces/${ns}/configmaps/get-target`, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const getBytes = (await got.arrayBuffer()).byteLength;
  if (!wrk) {
    console.error(
      "bench: wrk not installed (apt-get install wrk): GET figures and the " +
        "hello-world baseline use Deno fetch, which is itself the bottleneck",
    );
  }
  const hello = await startHelloWorld(
    `${s.dataDir}/tls/serving.crt`,
    `${s.dataDir}/tls/serving.key`,
  );
  let plain;
  try {
    plain = await startPlainServer(getBytes);
  } catch (err) {
    await hello.stop();
    throw err;
  }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const auth = { authorization: `Bearer ${s.token}` };
      series.raw.push(rawSqliteCommitsPerSecond(DURATION_MS));
      series.hello.push(
        wrk
          ? await wrkRate(hello.url, {}, DURATION_MS)
          : await throughput(CONCURRENCY, DURATION_MS, async () => {
            const r = await fetch(hello.url, {
              client: s.client,
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            await r.arrayBuffer();
          }),
      );
      series.plain.push(
        wrk
          ? await cpuMeasured(plain.pid, plain.url, {}, series.plainCpu)
          : await throughput(CONCURRENCY, DURATION_MS, async () => {
            const r = await fetch(plain.url, {
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            await r.arrayBuffer();
          }),
      );
      const createPath = `/api/v1/namespaces/${ns}/configmaps`;
      series.create.push(
        wrk
          ? await wrkRate(`${s.url}${createPath}`, auth, DURATION_MS, {
            createPrefix: `w${round}`,
          })
          : await throughput(CONCURRENCY, DURATION_MS, (w, i) =>
            call(
              s,
              createPath,
              201,
              post({
                metadata: { name: `c-${round}-${w}-${i}` },
                data: { key: "value" },
              }),
            )),
      );
      // GETs of one path, with wrk or (without it) Deno fetch.
      const reads = (path: string) =>
        wrk
          ? wrkRate(`${s.url}${path}`, auth, DURATION_MS)
          : throughput(CONCURRENCY, DURATION_MS, () => call(s, path, 200));
      const cms = `/api/v1/namespaces/${ns}/configmaps`;
      series.get.push(
        wrk
          ? await cpuMeasured(
            s.pid,
            `${s.url}${cms}/get-target`,
            auth,
            series.getCpu,
          )
          : await reads(`${cms}/get-target`),
      );
      series.getLarge.push(await reads(`${cms}/get-large`));
      series.list.push(await reads(`${cms}?limit=100`));
      console.error(`bench: throughput round ${round + 1}/${ROUNDS} done`);
    }
    return seriesRows(series, wrk, getBytes);
  } catch (err) {
    const done = seriesRows(series, wrk, getBytes);
    if (done.length === 0) throw err;
    return [...done, [
      "throughput rounds",
      "FAILED",
      err instanceof Error ? err.message : String(err),
    ]];
  } finally {
    await hello.stop();
    await plain.stop();
  }
}

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
        again.sort((a, b) => a.ms - b.ms);
        const { idleRssMiB } = await startToReady(dir, {
          idleRssAfterMs: 2000,
        });
        return [[
          "start to /readyz (process spawn to first 200)",
          `first start ${first.ms.toFixed(0)} ms (CPU ${
            first.cpuMs.toFixed(0)
          } ms); restart median ${again[1].ms.toFixed(0)} ms (CPU ${
            again[1].cpuMs.toFixed(0)
          } ms)`,
          "target ≤ 300 ms first start, ≤ 200 ms restart",
        ], [
          "idle RSS 2 s after a restart (certificates reused)",
          `${idleRssMiB!.toFixed(0)} MiB`,
          "target ≤ 100 MB",
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

    await phase(rows, "throughput rounds", () => throughputRounds(s, ns));
    await phase(rows, "watch fan-out", () => watchFanOut(s, "fanout"));
    rows.push([
      "idle RSS 2 s after a first start",
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
