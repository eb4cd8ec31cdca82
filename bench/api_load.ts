/**
 * Load generator for the API server (issue 5's figures), run with
 * `deno task bench:api`. Starts a real `hyperplane server` on SQLite and
 * measures, against baselines taken in the same run:
 *
 * - HTTP create/get/list throughput at 64 concurrent requests, against raw
 *   SQLite single-row commits and a `Deno.serve` hello-world (same TLS
 *   client, same concurrency);
 * - watch fan-out latency: 1,000 watchers, p50/p99 from the write's start
 *   to delivery;
 * - start to `/readyz` and idle RSS of the server process.
 *
 * Prints a Markdown table; no assertion (figures vary with the machine).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { startServer, type TestServer } from "../tests/support/server.ts";

const CONCURRENCY = 64;
const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 4000);
const WATCHERS = Number(Deno.env.get("BENCH_WATCHERS") ?? 1000);

/** Runs `op` from `concurrency` loops for `ms`; returns completed ops per second. */
async function throughput(
  concurrency: number,
  ms: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<number> {
  let done = 0;
  const deadline = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(w, i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

function rawSqliteCommitsPerSecond(ms: number): number {
  const dir = Deno.makeTempDirSync();
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
  Deno.removeSync(dir, { recursive: true });
  return rate;
}

async function helloWorldPerSecond(
  client: Deno.HttpClient,
  cert: string,
  key: string,
): Promise<number> {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert,
    key,
    onListen() {},
  }, () => new Response("ok"));
  const url = `https://localhost:${server.addr.port}/`;
  try {
    return await throughput(CONCURRENCY, DURATION_MS, async () => {
      const r = await fetch(url, { client });
      await r.arrayBuffer();
    });
  } finally {
    await server.shutdown();
  }
}

function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function watchFanOut(
  server: TestServer,
  ns: string,
): Promise<{ p50: number; p99: number; events: number }> {
  const writeStarted = new Map<string, number>();
  const latencies: number[] = [];
  const ready: Promise<void>[] = [];
  const controllers: AbortController[] = [];
  const readers: Promise<void>[] = [];
  const rounds = 20;
  for (let w = 0; w < WATCHERS; w++) {
    const ac = new AbortController();
    controllers.push(ac);
    const opened = Promise.withResolvers<void>();
    ready.push(opened.promise);
    readers.push((async () => {
      try {
        const res = await server.fetch(
          `/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
          { signal: ac.signal },
        );
        const reader = res.body!.pipeThrough(new TextDecoderStream())
          .getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let nl;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const ev = JSON.parse(line);
            if (ev.type === "BOOKMARK") opened.resolve();
            if (ev.type === "ADDED") {
              const t0 = writeStarted.get(ev.object.metadata.name);
              if (t0 !== undefined) latencies.push(performance.now() - t0);
            }
          }
        }
      } catch (err) {
        if (!ac.signal.aborted) throw err;
      } finally {
        opened.resolve();
      }
    })());
  }
  // Every watcher has sent its initial-events-end BOOKMARK (or ended); bound
  // the wait so a server without that feature cannot hang the benchmark.
  const readyTimeout = new Promise<"timeout">((res) => {
    const t = setTimeout(() => res("timeout"), 30_000);
    Promise.all(ready).then(() => clearTimeout(t));
  });
  if (await Promise.race([Promise.all(ready), readyTimeout]) === "timeout") {
    for (const ac of controllers) ac.abort();
    await Promise.allSettled(readers);
    throw new Error(
      "watchers did not receive their initial-events-end bookmark within 30 s",
    );
  }
  for (let i = 0; i < rounds; i++) {
    const name = `fan-${i}`;
    writeStarted.set(name, performance.now());
    const r = await server.fetch(`/api/v1/namespaces/${ns}/configmaps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: { name }, data: { i: String(i) } }),
    });
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 50));
  }
  const deadline = performance.now() + 10_000;
  while (latencies.length < rounds * WATCHERS && performance.now() < deadline) {
    await new Promise((res) => setTimeout(res, 50));
  }
  for (const ac of controllers) ac.abort();
  await Promise.allSettled(readers);
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    events: latencies.length,
  };
}

async function main() {
  const t0 = performance.now();
  const server = await startServer({ args: ["--storage-backend", "sqlite"] });
  const startToReady = performance.now() - t0;
  const rows: string[][] = [];
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss = rssMiB(server.pid);
    const ns = "bench";
    await (await server.fetch("/api/v1/namespaces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: { name: ns } }),
    })).arrayBuffer();

    const rawCommits = rawSqliteCommitsPerSecond(DURATION_MS);
    const tls = {
      cert: Deno.readTextFileSync(`${server.dataDir}/tls/serving.crt`),
      key: Deno.readTextFileSync(`${server.dataDir}/tls/serving.key`),
    };
    const hello = await helloWorldPerSecond(server.client, tls.cert, tls.key);

    const creates = await throughput(CONCURRENCY, DURATION_MS, async (w, i) => {
      const r = await server.fetch(`/api/v1/namespaces/${ns}/configmaps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          metadata: { name: `c-${w}-${i}` },
          data: { key: "value" },
        }),
      });
      if (r.status !== 201) {
        throw new Error(`create: ${r.status} ${await r.text()}`);
      }
      await r.arrayBuffer();
    });
    const gets = await throughput(CONCURRENCY, DURATION_MS, async (w) => {
      const r = await server.fetch(
        `/api/v1/namespaces/${ns}/configmaps/c-${w}-0`,
      );
      if (r.status !== 200) throw new Error(`get: ${r.status}`);
      await r.arrayBuffer();
    });
    const lists = await throughput(CONCURRENCY, DURATION_MS, async () => {
      const r = await server.fetch(
        `/api/v1/namespaces/${ns}/configmaps?limit=100`,
      );
      if (r.status !== 200) throw new Error(`list: ${r.status}`);
      await r.arrayBuffer();
    });
    const fan = await watchFanOut(server, "fanout");
    const rss = rssMiB(server.pid);

    const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
    rows.push([
      "raw SQLite single-row commits",
      `${rawCommits.toFixed(0)}/s`,
      "baseline",
    ]);
    rows.push([
      "Deno.serve hello-world (TLS, 64 in flight)",
      `${hello.toFixed(0)}/s`,
      "baseline",
    ]);
    rows.push([
      "HTTP create configmap (64 in flight)",
      `${creates.toFixed(0)}/s`,
      `${pct(creates, rawCommits)} of raw commits (target ≥ 10%); ${
        pct(creates, hello)
      } of hello`,
    ]);
    rows.push([
      "HTTP get configmap (64 in flight)",
      `${gets.toFixed(0)}/s`,
      `${pct(gets, hello)} of hello-world (target ≥ 40%)`,
    ]);
    rows.push([
      "HTTP list 100 configmaps (64 in flight)",
      `${lists.toFixed(0)}/s`,
      `${pct(lists, hello)} of hello-world`,
    ]);
    rows.push([
      `watch fan-out, ${WATCHERS} watchers`,
      `p50 ${fan.p50.toFixed(1)} ms, p99 ${fan.p99.toFixed(1)} ms`,
      `${fan.events} deliveries (target p99 ≤ 20 ms)`,
    ]);
    rows.push([
      "start to /readyz (incl. process start)",
      `${startToReady.toFixed(0)} ms`,
      "target ≤ 500 ms",
    ]);
    rows.push([
      "idle RSS after start",
      `${idleRss.toFixed(0)} MiB`,
      "target ≤ 100 MB",
    ]);
    rows.push(["RSS after the load", `${rss.toFixed(0)} MiB`, ""]);
  } finally {
    await server.stop();
  }
  console.log("| measurement | figure | ratio / target |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) await main();
