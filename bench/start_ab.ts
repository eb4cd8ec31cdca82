/**
 * Start to `/readyz`, this checkout against another one, alternating runs
 * (issue 21, target 5). `api_load.ts` measures one tree; on a shared
 * machine whose load moves by the minute only alternating runs compare two
 * trees fairly. For each tree: first starts (fresh data dir: certificates
 * generated) and restarts (same data dir), each as spawn of
 * `deno run -A main.ts server` → first `/readyz` 200 (polled every 2 ms),
 * the server's CPU time until then, and from its own log the time to its
 * first log line (loading the modules, parsing flags) and from there to
 * "serving securely" (the start's own work).
 *
 * ```sh
 * git worktree add /tmp/before HEAD~5 && ln -s "$PWD/node_modules" /tmp/before/
 * deno run -A bench/start_ab.ts /tmp/before   # BENCH_PAIRS=6 by default
 * ```
 *
 * Without an argument only this checkout is measured.
 *
 * @module
 */

import { cpuMs, within } from "./_processes.ts";
import { freePort } from "../tests/support/server.ts";
import { projectRoot } from "../tests/support/kubectl.ts";

const PAIRS = Number(Deno.env.get("BENCH_PAIRS") ?? 6);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One start's figures (ms). */
interface Start {
  ready: number;
  cpu: number;
  toFirstLog: number;
  startWork: number;
}

async function start(root: string, dataDir: string): Promise<Start> {
  const port = freePort();
  const spawned = Date.now();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${root}/main.ts`,
      "server",
      "--data-dir",
      dataDir,
      "--bind-address",
      "127.0.0.1",
      "--secure-port",
      String(port),
      "--log-level",
      "info",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = new Response(child.stderr).text();
  let client: Deno.HttpClient | undefined;
  let ready = NaN;
  let cpu = NaN;
  try {
    while (Number.isNaN(ready) && performance.now() - t0 < 30_000) {
      try {
        client ??= Deno.createHttpClient({
          caCerts: [Deno.readTextFileSync(`${dataDir}/tls/ca.crt`)],
        });
        const r = await fetch(`https://127.0.0.1:${port}/readyz`, {
          client,
          signal: AbortSignal.timeout(2_000),
        });
        await r.arrayBuffer();
        if (r.status === 200) {
          ready = performance.now() - t0;
          cpu = cpuMs(child.pid);
        }
      } catch {
        // no CA yet, or not listening yet
      }
      if (Number.isNaN(ready)) await sleep(2);
    }
  } finally {
    client?.close();
    child.kill("SIGTERM");
    await within(child.status, 15_000, "server stop").catch(() => {
      child.kill("SIGKILL");
    });
  }
  if (Number.isNaN(ready)) throw new Error(`${root}: not ready within 30 s`);
  const lines = (await log).split("\n");
  const at = (re: RegExp) => {
    const line = lines.find((l) => re.test(l));
    const time = line && /time=(\S+)/.exec(line)?.[1];
    return time ? Date.parse(time) - spawned : NaN;
  };
  const first = at(/time=/);
  return {
    ready,
    cpu,
    toFirstLog: first,
    startWork: at(/serving securely/) - first,
  };
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (xs: number[]) =>
  `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${
    Math.max(...xs).toFixed(0)
  })`;

async function main() {
  const roots = [projectRoot(), ...Deno.args];
  const runs = new Map(
    roots.map((r) => [r, { first: [] as Start[], again: [] as Start[] }]),
  );
  const dirs = new Map<string, string>();
  try {
    for (const r of roots) {
      const dir = await Deno.makeTempDir({ prefix: "bench-start-ab-" });
      dirs.set(r, dir);
      await start(r, dir); // certificates and bootstrap for the restarts
    }
    for (let i = 0; i < PAIRS; i++) {
      for (const r of i % 2 === 0 ? roots : [...roots].reverse()) {
        const fresh = await Deno.makeTempDir({ prefix: "bench-start-ab-" });
        try {
          runs.get(r)!.first.push(await start(r, fresh));
        } finally {
          await Deno.remove(fresh, { recursive: true });
        }
        runs.get(r)!.again.push(await start(r, dirs.get(r)!));
      }
    }
  } finally {
    for (const d of dirs.values()) await Deno.remove(d, { recursive: true });
  }
  console.log(
    `${PAIRS} alternating runs each, median (range), ms; load average ${
      Deno.loadavg().map((l) => l.toFixed(1)).join(" ")
    }\n`,
  );
  console.log(
    "| tree | start | spawn → /readyz | CPU until then | spawn → first log line | first log line → serving |\n| --- | --- | --- | --- | --- | --- |",
  );
  for (const r of roots) {
    for (const [what, xs] of Object.entries(runs.get(r)!)) {
      console.log(
        `| ${r} | ${what === "first" ? "first start" : "restart"} | ${
          summary(xs.map((x) => x.ready))
        } | ${summary(xs.map((x) => x.cpu))} | ${
          summary(xs.map((x) => x.toFirstLog))
        } | ${summary(xs.map((x) => x.startWork))} |`,
      );
    }
  }
}

if (import.meta.main) await main();
