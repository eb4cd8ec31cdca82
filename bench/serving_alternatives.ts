/**
 * What terminating TLS costs on this runtime, per way of doing it (issue
 * 21, target 1): each variant of `_serving_variants.ts` runs in its own
 * process with the same handler (one JSON body of `BENCH_BODY_BYTES`,
 * default 400 — a small ConfigMap), and `wrk -t2 -c64` GETs it in
 * alternating rounds. Reports requests/s (median and range), the ratio to
 * plain-HTTP `Deno.serve` measured in the same round, and the server's CPU
 * time per request (user + system, from `/proc/<pid>/stat`), which the
 * other processes on a shared machine disturb far less than the rate.
 *
 * `deno run -A bench/serving_alternatives.ts [variant…]` (default: all);
 * needs `wrk`. Knobs: `BENCH_DURATION_MS` (per run, default 3000),
 * `BENCH_ROUNDS` (default 5), `BENCH_BODY_BYTES`.
 *
 * @module
 */

import { ensureCertificates } from "../apiserver/serving/mod.ts";
import { freePort } from "../tests/support/server.ts";
import { spawnReadyChild } from "./_processes.ts";
import { type Variant, VARIANTS } from "./_serving_variants.ts";
import { haveWrk, wrkGet } from "./_wrk.ts";

const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 3000);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 5);
const BODY_BYTES = Number(Deno.env.get("BENCH_BODY_BYTES") ?? 400);
/** Linux clock ticks per second (`getconf CLK_TCK`). */
const TICKS = 100;

interface Child {
  variant: Variant;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startVariant(
  variant: Variant,
  certFile: string,
  keyFile: string,
): Promise<Child> {
  const port = freePort();
  const child = await spawnReadyChild([
    "run",
    "-A",
    new URL("./_serving_variants.ts", import.meta.url).pathname,
    variant,
    String(port),
    certFile,
    keyFile,
    String(BODY_BYTES),
  ], `${variant} start`);
  const scheme = variant === "plain" ? "http" : "https";
  return {
    variant,
    url: `${scheme}://127.0.0.1:${port}/version`,
    pid: child.pid,
    stop: child.stop,
  };
}

/** User + system CPU seconds of `pid` so far. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<number> {
  if (!haveWrk()) {
    console.error("serving_alternatives: needs wrk (apt-get install wrk)");
    return 1;
  }
  const wanted = (Deno.args.length > 0 ? Deno.args : Object.keys(VARIANTS))
    .filter((v) => v !== "plain") as Variant[];
  for (const v of wanted) {
    if (!(v in VARIANTS)) throw new Error(`unknown variant ${v}`);
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-serving-" });
  const children: Child[] = [];
  try {
    await ensureCertificates({ dataDir: dir });
    const cert = `${dir}/tls/serving.crt`, key = `${dir}/tls/serving.key`;
    for (const v of ["plain", ...wanted] as Variant[]) {
      children.push(await startVariant(v, cert, key));
    }
    const rates = new Map<Variant, number[]>();
    const ratios = new Map<Variant, number[]>();
    const cpu = new Map<Variant, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      let plain = 0;
      for (const c of children) {
        const before = cpuSeconds(c.pid);
        const r = await wrkGet(c.url, DURATION_MS);
        const usPerRequest = (cpuSeconds(c.pid) - before) * 1e6 / r.requests;
        if (c.variant === "plain") plain = r.rate;
        rates.set(c.variant, [...rates.get(c.variant) ?? [], r.rate]);
        ratios.set(c.variant, [...ratios.get(c.variant) ?? [], r.rate / plain]);
        cpu.set(c.variant, [...cpu.get(c.variant) ?? [], usPerRequest]);
      }
      console.error(`serving_alternatives: round ${round + 1}/${ROUNDS}`);
    }
    console.log(
      `| variant (${BODY_BYTES}-byte body, wrk -t2 -c64) | requests/s | of plain HTTP | server CPU per request |`,
    );
    console.log("| --- | --- | --- | --- |");
    for (const c of children) {
      const r = rates.get(c.variant)!, q = ratios.get(c.variant)!;
      const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
      console.log(
        `| ${c.variant}: ${VARIANTS[c.variant]} | ${median(r).toFixed(0)} (${
          Math.min(...r).toFixed(0)
        }–${Math.max(...r).toFixed(0)}) | ${pct(median(q))} (${
          pct(Math.min(...q))
        }–${pct(Math.max(...q))}) | ${
          median(cpu.get(c.variant)!).toFixed(0)
        } µs |`,
      );
    }
    return 0;
  } finally {
    for (const c of children) await c.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main());
