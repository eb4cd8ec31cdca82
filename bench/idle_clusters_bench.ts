/**
 * What an idle server costs per virtual cluster: requests and server CPU
 * in one idle minute, with no clusters and with `BENCH_CLUSTERS` (default
 * 300) `VirtualCluster`s `Ready`. Nothing but the in-process controllers
 * talks to the server in that minute, so the requests are theirs (the
 * garbage collector's discovery above all: its per-cluster rediscovery is
 * what this measures, see `bench/README.md`, "Virtual clusters").
 *
 * `deno run -A bench/idle_clusters_bench.ts`; `BENCH_CLUSTERS`,
 * `BENCH_SETTLE_MS` (40 s, the wait after the last cluster is `Ready`,
 * before the minute starts), `BENCH_WINDOW_MS` (60 s), `BENCH_ENTRY` runs
 * another tree's `main.ts` (A/B). Requests are `apiserver_request_total`
 * summed over every label from `/metrics`, minus the `/metrics` reads
 * themselves; CPU is user + system of the server process from `/proc`.
 * Prints a Markdown table; no assertion.
 *
 * @module
 */

import { startServer, type TestServer } from "../tests/support/server.ts";
import {
  createVirtualClusters,
  VIRTUAL_CLUSTERS,
} from "./_virtual_clusters.ts";

const CLUSTERS = Number(Deno.env.get("BENCH_CLUSTERS") ?? 300);
const SETTLE_MS = Number(Deno.env.get("BENCH_SETTLE_MS") ?? 40_000);
const WINDOW_MS = Number(Deno.env.get("BENCH_WINDOW_MS") ?? 60_000);
const ENTRY = Deno.env.get("BENCH_ENTRY") || undefined;
const CLOCK_TICKS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}

async function requestTotal(server: TestServer): Promise<number> {
  const res = await server.fetch("/metrics");
  let n = 0;
  for (const line of (await res.text()).split("\n")) {
    if (line.startsWith("apiserver_request_total{")) {
      n += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return n;
}

async function readyCount(server: TestServer): Promise<number> {
  const res = await server.fetch(VIRTUAL_CLUSTERS);
  const list = await res.json();
  return (list.items ?? []).filter((o: { status?: { phase?: string } }) =>
    o.status?.phase === "Ready"
  ).length;
}

/** Requests and CPU seconds of one idle window with `n` clusters. */
async function idleMinute(n: number) {
  await using server = await startServer({
    readyTimeoutMs: 300_000,
    entry: ENTRY,
  });
  await createVirtualClusters(server, 0, n);
  while (await readyCount(server) < n) await sleep(1000);
  await sleep(SETTLE_MS);
  const r0 = await requestTotal(server);
  const c0 = cpuSeconds(server.pid);
  await sleep(WINDOW_MS);
  const c1 = cpuSeconds(server.pid);
  const r1 = await requestTotal(server);
  // The second /metrics read is counted once its answer is complete.
  return { requests: r1 - r0 - 1, cpu: c1 - c0 };
}

const none = await idleMinute(0);
const some = await idleMinute(CLUSTERS);
const perMin = 60_000 / WINDOW_MS;
console.log(`| idle server, per minute | 0 clusters | ${CLUSTERS} clusters |`);
console.log(`| --- | --- | --- |`);
console.log(
  `| requests | ${Math.round(none.requests * perMin)} | ${
    Math.round(some.requests * perMin)
  } |`,
);
console.log(
  `| server CPU s | ${(none.cpu * perMin).toFixed(2)} | ${
    (some.cpu * perMin).toFixed(2)
  } |`,
);
