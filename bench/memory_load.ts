/**
 * Memory of a real `hyperplane server` under stored objects (issue 21,
 * target 3): idle RSS, RSS with 20,000 ConfigMaps of 1 KiB stored against
 * the stored JSON bytes, and RSS after they are deleted and compacted,
 * against idle. Run with `deno run -A bench/memory_load.ts`.
 *
 * Method: a fresh server on SQLite (`--sqlite-compaction-interval 3s`, so
 * history of the deletes is compacted within the run); idle RSS is the
 * median of five samples `BENCH_IDLE_MS` after ready (default 40 s: V8's
 * memory reducer does not run in the first 30 s of a process, so at 3 s the
 * heap still holds the start's garbage — 36 to 82 MiB of anonymous memory
 * from run to run — and it is gone by 35 s; RSS 3 s after ready is printed
 * too). The creates run 32 in flight;
 * the stored JSON bytes are the sum of each object's JSON as a paged list
 * returns it. RSS is sampled right after the load and after `BENCH_SETTLE_MS`
 * (default 20 s: V8 returns memory only after some idle time). Then one
 * deletecollection removes the objects; after two compaction intervals and
 * the settle time RSS is sampled again, and `BENCH_LATE_MS` (default 90 s)
 * after the deletecollection, once the watch cache's 75 s of history (the
 * delete events hold the deleted objects' text) is gone.
 *
 * `BENCH_INSPECT=1` starts the server with `--inspect` and adds to each
 * sample the V8 heap used and glibc's bytes in use (`mallinfo2`), read
 * inside the server, and at the end the heap used after a forced full
 * collection: dead objects against live ones.
 *
 * `BENCH_ITEMS` (default 20000), `BENCH_IDLE_MS`, `BENCH_LATE_MS`; `BENCH_ARGS` adds server flags (e.g.
 * `--controllers=-*` to tell the controllers' share); `BENCH_ENTRY` runs another tree's
 * `main.ts` (an A/B against the code before a change). Prints a Markdown
 * table; no assertion.
 *
 * @module
 */

import {
  freePort,
  startServer,
  type TestServer,
} from "../tests/support/server.ts";
import { describeRssSplit, rssMiB } from "./_processes.ts";
import { evaluateInProcess } from "./_v8_inspector.ts";

const ITEMS = Number(Deno.env.get("BENCH_ITEMS") ?? 20_000);
const SETTLE_MS = Number(Deno.env.get("BENCH_SETTLE_MS") ?? 20_000);
const IDLE_MS = Number(Deno.env.get("BENCH_IDLE_MS") ?? 40_000);
const LATE_MS = Number(Deno.env.get("BENCH_LATE_MS") ?? 90_000);
const ENTRY = Deno.env.get("BENCH_ENTRY");
/** Extra server flags, space-separated (e.g. `--controllers=-*`). */
const EXTRA_ARGS = (Deno.env.get("BENCH_ARGS") ?? "").split(" ").filter((a) =>
  a
);
const INSPECT_PORT = Deno.env.get("BENCH_INSPECT") ? freePort() : undefined;
const CONCURRENCY = 32;
const NS = "mem";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(
  server: TestServer,
  path: string,
  want: number,
  init: RequestInit = {},
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The server's V8 heap used and glibc's bytes in use (MiB), read inside it. */
const INSIDE = `(() => {
  const lib = Deno.dlopen("libc.so.6", {
    mallinfo2: { parameters: [], result: { struct: Array(10).fill("usize") } },
  });
  const info = new DataView(lib.symbols.mallinfo2().buffer);
  lib.close();
  return JSON.stringify({
    heapUsed: Deno.memoryUsage().heapUsed / 1048576,
    mallocInUse: Number(info.getBigUint64(7 * 8, true)) / 1048576,
  });
})()`;

/** `; V8 heap used … / malloc in use …` under `BENCH_INSPECT`, else "". */
async function inside(collect = false): Promise<string> {
  if (INSPECT_PORT === undefined) return "";
  const { heapUsed, mallocInUse } = await evaluateInProcess(
    INSPECT_PORT,
    INSIDE,
    collect,
  ) as { heapUsed: number; mallocInUse: number };
  return `; V8 heap used ${heapUsed.toFixed(1)} MiB${
    collect ? " after a full collection" : ""
  }, malloc in use ${mallocInUse.toFixed(1)} MiB`;
}

async function sampleRss(pid: number, n = 5, gapMs = 500): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(rssMiB(pid));
    if (i < n - 1) await sleep(gapMs);
  }
  return median(xs);
}

/** Sum of the JSON lengths of every object in the namespace (paged). */
async function storedBytes(server: TestServer): Promise<number> {
  let total = 0;
  let cont = "";
  do {
    const page = JSON.parse(
      await call(
        server,
        `/api/v1/namespaces/${NS}/configmaps?limit=500` +
          (cont ? `&continue=${encodeURIComponent(cont)}` : ""),
        200,
      ),
    );
    for (const item of page.items) {
      total += JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", ...item })
        .length;
    }
    cont = page.metadata.continue ?? "";
  } while (cont);
  return total;
}

async function main(): Promise<void> {
  const server = await startServer({
    entry: ENTRY,
    denoFlags: INSPECT_PORT === undefined
      ? []
      : [`--inspect=127.0.0.1:${INSPECT_PORT}`],
    args: [
      "--storage-backend",
      "sqlite",
      "--sqlite-compaction-interval",
      "3s",
      ...EXTRA_ARGS,
    ],
  });
  const rows: [string, string][] = [];
  try {
    await sleep(3000);
    const early = await sampleRss(server.pid);
    rows.push([
      "RSS 3 s after ready",
      `${early.toFixed(0)} MiB (${
        describeRssSplit(server.pid)
      }${await inside()})`,
    ]);
    await sleep(Math.max(0, IDLE_MS - 5000));
    const idle = await sampleRss(server.pid);
    rows.push([
      `idle RSS (${IDLE_MS / 1000} s after ready)`,
      `${idle.toFixed(0)} MiB = ${
        (idle * 1.048576).toFixed(0)
      } MB (target ≤ 100 MB) (${
        describeRssSplit(server.pid)
      }${await inside()})`,
    ]);
    await call(
      server,
      "/api/v1/namespaces",
      201,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metadata: { name: NS } }),
      },
    );
    const value = "x".repeat(1024);
    let next = 0;
    let peak = 0;
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        peak = Math.max(peak, rssMiB(server.pid));
        await sleep(50);
      }
    })();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ITEMS) {
          const i = next++;
          await call(server, `/api/v1/namespaces/${NS}/configmaps`, 201, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              metadata: { name: `cm-${i}` },
              data: { value },
            }),
          });
        }
      }),
    );
    const createMs = performance.now() - t0;
    loading = false;
    await sampler;
    const loaded = await sampleRss(server.pid);
    const bytes = await storedBytes(server);
    const mib = bytes / 1048576;
    await sleep(SETTLE_MS);
    const settled = await sampleRss(server.pid);
    const settledSplit = describeRssSplit(server.pid) + await inside();
    rows.push([
      `create ${ITEMS} × 1 KiB ConfigMaps (${CONCURRENCY} in flight)`,
      `${(ITEMS / (createMs / 1000)).toFixed(0)}/s; peak RSS ${
        peak.toFixed(0)
      } MiB`,
    ]);
    rows.push(["stored JSON bytes", `${mib.toFixed(1)} MiB`]);
    rows.push([
      "RSS − idle, right after the creates",
      `${(loaded - idle).toFixed(0)} MiB = ${
        ((loaded - idle) / mib).toFixed(2)
      }× stored`,
    ]);
    rows.push([
      `RSS − idle, ${SETTLE_MS / 1000} s later`,
      `${(settled - idle).toFixed(0)} MiB = ${
        ((settled - idle) / mib).toFixed(2)
      }× stored (target ≤ 3×) (${settledSplit})`,
    ]);
    const d0 = performance.now();
    await call(server, `/api/v1/namespaces/${NS}/configmaps`, 200, {
      method: "DELETE",
    });
    const deleteMs = performance.now() - d0;
    await sleep(6000 + SETTLE_MS);
    const after = await sampleRss(server.pid);
    rows.push([
      `deletecollection, two compactions, ${SETTLE_MS / 1000} s`,
      `${deleteMs.toFixed(0)} ms; RSS ${after.toFixed(0)} MiB = ${
        ((after / idle - 1) * 100).toFixed(0)
      }% above idle (target ≤ 20%) (${
        describeRssSplit(server.pid)
      }${await inside()})`,
    ]);
    // The watch cache keeps the delete events (with the deleted objects'
    // text) for 75 s (`storage/cacher/README.md`): look again after that.
    await sleep(Math.max(0, LATE_MS - 6000 - SETTLE_MS - 2000));
    const late = await sampleRss(server.pid);
    rows.push([
      `the same, ${LATE_MS / 1000} s after the deletecollection`,
      `RSS ${late.toFixed(0)} MiB = ${
        ((late / idle - 1) * 100).toFixed(0)
      }% above idle (target ≤ 20%) (${
        describeRssSplit(server.pid)
      }${await inside()})`,
    ]);
    if (INSPECT_PORT !== undefined) {
      rows.push([
        "the same, forced full collection",
        (await inside(true)).slice(2),
      ]);
    }
  } catch (err) {
    rows.push(["FAILED", err instanceof Error ? err.message : String(err)]);
  } finally {
    await server.stop();
  }
  console.log(
    `| measurement | ${ENTRY ?? "this tree"} ${
      EXTRA_ARGS.join(" ")
    } |\n| --- | --- |`,
  );
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) await main();
