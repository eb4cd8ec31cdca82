/**
 * What cross-cluster watchers cost the API server per event: N ConfigMaps
 * (data of `BENCH_BLOB` bytes, default 1024) created across
 * 8 clusters, with 0 and with `BENCH_WATCHERS` (default 4)
 * watches of `/clusters/*\/api/v1/configmaps` open — the way every in-process
 * controller informer watches — read in the same process. Reported: this
 * process's CPU per event (creates, fan-out and reading), and the watchers'
 * share (with minus without). For an A/B, `BENCH_TREES` names other trees
 * (comma-separated directories, `.` is this one) whose API server and
 * harness are loaded side by side; rounds alternate between them so load
 * drifts land on each. `BENCH_EVENTS` (default 2000), `BENCH_ROUNDS`
 * (default 3). Run with `deno run -A bench/wildcard_watch_bench.ts`.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { ownCpuMicros } from "./_cpu.ts";

const EVENTS = Number(Deno.env.get("BENCH_EVENTS") ?? 2000);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const WATCHERS = Number(Deno.env.get("BENCH_WATCHERS") ?? 4);
const BLOB = Number(Deno.env.get("BENCH_BLOB") ?? 1024);
const TREES = (Deno.env.get("BENCH_TREES") ?? ".").split(",");
const ROOT = resolve(new URL("..", import.meta.url).pathname);

// deno-lint-ignore no-explicit-any
type Mod = any;

interface Tree {
  dir: string;
  harness: Mod;
  memory: Mod;
  cacher: Mod;
  log: Mod;
}

async function load(dir: string): Promise<Tree> {
  const abs = dir === "." ? ROOT : resolve(dir);
  const at = (p: string) => import(pathToFileURL(`${abs}/${p}`).href);
  return {
    dir,
    harness: await at("tests/support/apiserver_harness.ts"),
    memory: await at("backends/memory/mod.ts"),
    cacher: await at("storage/cacher/mod.ts"),
    log: await at("log/mod.ts"),
  };
}

/** CPU µs per event of one run with `watchers` cross-cluster watches. */
async function run(tree: Tree, watchers: number): Promise<number> {
  const logger = tree.log.silentLogger;
  const backend = await tree.memory.memoryBackend().open({}, {
    dataDir: "/tmp",
    logger,
  });
  const storage = tree.cacher.cachedStoreFactory(backend, { logger });
  const s = await tree.harness.startTestServer({ storage });
  const readers: Promise<void>[] = [];
  const cancels: (() => Promise<void>)[] = [];
  try {
    const rv = (await s.request("GET", "/clusters/*/api/v1/configmaps"))
      .body.metadata.resourceVersion;
    const data = { blob: "x".repeat(BLOB), small: "y" };
    for (let w = 0; w < watchers; w++) {
      const res: Response = await s.raw(
        "GET",
        `/clusters/*/api/v1/configmaps?watch=true&resourceVersion=${rv}`,
      );
      const reader = res.body!.getReader();
      cancels.push(() => reader.cancel());
      readers.push((async () => {
        let lines = 0;
        let last: Uint8Array | undefined;
        while (lines < EVENTS) {
          const { done, value } = await reader.read();
          if (done) {
            const tail = new TextDecoder().decode(last?.slice(-300));
            throw new Error(`watch ended after ${lines} events: ${tail}`);
          }
          for (
            let at = value.indexOf(10);
            at >= 0;
            at = value.indexOf(10, at + 1)
          ) {
            lines++;
          }
          last = value;
        }
      })());
    }
    const start = ownCpuMicros();
    for (let i = 0; i < EVENTS; i++) {
      const r = await s.request(
        "POST",
        `/clusters/c${i % 8}/api/v1/namespaces/default/configmaps`,
        {
          body: {
            metadata: { name: `cm-${i}`, labels: { app: "bench" } },
            data,
          },
        },
      );
      if (r.status !== 201) throw new Error(`create: ${r.status}`);
      // The memory backend answers in microtasks: give the watchers'
      // loops (which yield to timers) their turns, as real I/O would.
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(readers);
    return (ownCpuMicros() - start) / EVENTS;
  } finally {
    await Promise.all(cancels.map((c) => c()));
    await s.close();
    await storage.close();
  }
}

async function main(): Promise<void> {
  const trees = await Promise.all(TREES.map(load));
  const results = new Map<string, { none: number[]; some: number[] }>();
  for (const t of trees) results.set(t.dir, { none: [], some: [] });
  // one warm-up run per tree
  for (const t of trees) await run(t, WATCHERS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of trees) {
      const res = results.get(t.dir)!;
      res.none.push(await run(t, 0));
      res.some.push(await run(t, WATCHERS));
    }
  }
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `| tree | CPU/event, 0 watchers (µs) | CPU/event, ${WATCHERS} watchers (µs) | median, ${WATCHERS} watchers | watchers' share (µs/event, median) |`,
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const t of trees) {
    const { none, some } = results.get(t.dir)!;
    const share = some.map((v, i) => v - none[i]);
    const f = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" / ");
    console.log(
      `| ${t.dir} | ${f(none)} | ${f(some)} | ${median(some).toFixed(0)} | ${
        median(share).toFixed(0)
      } |`,
    );
  }
}

if (import.meta.main) await main();
