/**
 * The runtime's own memory floor for issue 21's target 3 (RSS back within
 * 20% of idle after the load is deleted), next to `memory_load.ts`: the same
 * load against the least an HTTPS JSON store does on this runtime
 * (`_memory_floor_server.ts`: `Deno.serve` with TLS, `node:sqlite`, the same
 * malloc trimmer and idle collection; none of hyperplane's API, watch cache
 * or controllers). Run with `deno run -A bench/memory_floor.ts`.
 *
 * Phases as `memory_load.ts`: idle RSS 40 s after ready (`BENCH_IDLE_MS`),
 * `BENCH_ITEMS` (20,000) POSTs of 1 KiB ConfigMap-shaped JSON 32 in flight,
 * RSS 20 s later, one DELETE of every row, RSS 20 s and 90 s
 * (`BENCH_LATE_MS`) after it, each with its `/proc/<pid>/smaps` split. Needs
 * `openssl` for a throwaway certificate. Prints a Markdown table; no
 * assertion.
 *
 * @module
 */

import { freePort } from "../tests/support/server.ts";
import { describeRssSplit, rssMiB } from "./_processes.ts";

const ITEMS = Number(Deno.env.get("BENCH_ITEMS") ?? 20_000);
const IDLE_MS = Number(Deno.env.get("BENCH_IDLE_MS") ?? 40_000);
const LATE_MS = Number(Deno.env.get("BENCH_LATE_MS") ?? 90_000);
const CONCURRENCY = 32;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function medianRss(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssMiB(pid));
    if (i < 4) await sleep(500);
  }
  return xs.sort((a, b) => a - b)[2];
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bench-memfloor-" });
  const cert = `${dir}/tls.crt`;
  const key = `${dir}/tls.key`;
  const gen = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!gen.success) throw new Error(new TextDecoder().decode(gen.stderr));
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_memory_floor_server.ts", import.meta.url).pathname,
      String(port),
      cert,
      key,
      `${dir}/floor.db`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const client = Deno.createHttpClient({
    caCerts: [Deno.readTextFileSync(cert)],
  });
  const url = `https://127.0.0.1:${port}/`;
  const rows: [string, string][] = [];
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    while (!(await reader.read()).value?.includes("ready")) {
      // wait for the child's "ready"
    }
    await sleep(IDLE_MS);
    const idle = await medianRss(child.pid);
    rows.push([
      `idle RSS (${IDLE_MS / 1000} s after ready)`,
      `${idle.toFixed(0)} MiB (${describeRssSplit(child.pid)})`,
    ]);
    let next = 0;
    const value = "v".repeat(1024);
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < ITEMS) {
        const name = `cm-${next++}`;
        const res = await fetch(url, {
          client,
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name, namespace: "mem" },
            data: { value },
          }),
        });
        await res.body?.cancel();
        if (res.status !== 201) throw new Error(`POST ${res.status}`);
      }
    }));
    await sleep(20_000);
    const loaded = await medianRss(child.pid);
    rows.push([
      `RSS − idle, 20 s after ${ITEMS} POSTs`,
      `${(loaded - idle).toFixed(0)} MiB (${describeRssSplit(child.pid)})`,
    ]);
    const del = await fetch(url, { client, method: "DELETE" });
    await del.body?.cancel();
    await sleep(20_000);
    const after = await medianRss(child.pid);
    rows.push([
      "after the DELETE + 20 s",
      `${after.toFixed(0)} MiB = ${
        ((after / idle - 1) * 100).toFixed(0)
      }% above idle (${describeRssSplit(child.pid)})`,
    ]);
    await sleep(LATE_MS - 20_000);
    const late = await medianRss(child.pid);
    rows.push([
      `${LATE_MS / 1000} s after the DELETE`,
      `${late.toFixed(0)} MiB = ${
        ((late / idle - 1) * 100).toFixed(0)
      }% above idle (${describeRssSplit(child.pid)})`,
    ]);
  } finally {
    client.close();
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  console.log("| runtime floor (`_memory_floor_server.ts`) | |\n| --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) await main();
