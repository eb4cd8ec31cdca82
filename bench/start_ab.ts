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
 * Without an argument only this checkout is measured. `BENCH_STARTS=restart`
 * (or `first`) measures one kind of start only; `BENCH_SERVER_ARGS` adds
 * server flags (e.g. `--controllers=-*`, to leave the controllers' first
 * lists out of the CPU figure). Each pair also measures the floors of
 * `_ready_floor.ts` the same way (an empty `deno run`; `Deno.serve` over
 * TLS; the same with the runtime modules the server needs), unless
 * `BENCH_FLOORS=0`.
 *
 * @module
 */

import { cpuMs, within } from "./_processes.ts";
import { freePort } from "../tests/support/server.ts";
import { projectRoot } from "../tests/support/kubectl.ts";

const PAIRS = Number(Deno.env.get("BENCH_PAIRS") ?? 6);
const STARTS = Deno.env.get("BENCH_STARTS") ?? "first,restart";
const SERVER_ARGS = (Deno.env.get("BENCH_SERVER_ARGS") ?? "").split(" ")
  .filter((a) => a !== "");
const WITH_FLOORS = Deno.env.get("BENCH_FLOORS") !== "0";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One start's figures (ms). */
interface Start {
  ready: number;
  cpu: number;
  toFirstLog: number;
  startWork: number;
}

/** Polls `/readyz` until a 200: ms since `t0` and the child's CPU then. */
async function pollReady(
  port: number,
  caFile: string,
  t0: number,
  pid: number,
): Promise<{ ready: number; cpu: number }> {
  let client: Deno.HttpClient | undefined;
  try {
    while (performance.now() - t0 < 30_000) {
      try {
        client ??= Deno.createHttpClient({
          caCerts: [Deno.readTextFileSync(caFile)],
        });
        const r = await fetch(`https://127.0.0.1:${port}/readyz`, {
          client,
          signal: AbortSignal.timeout(2_000),
        });
        await r.arrayBuffer();
        if (r.status === 200) {
          return { ready: performance.now() - t0, cpu: cpuMs(pid) };
        }
      } catch {
        // no CA yet, or not listening yet
      }
      await sleep(2);
    }
  } finally {
    client?.close();
  }
  return { ready: NaN, cpu: NaN };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await within(child.status, 15_000, "server stop").catch(() => {
    child.kill("SIGKILL");
  });
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
      ...SERVER_ARGS,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = new Response(child.stderr).text();
  let figures: { ready: number; cpu: number };
  try {
    figures = await pollReady(port, `${dataDir}/tls/ca.crt`, t0, child.pid);
  } finally {
    await stop(child);
  }
  if (Number.isNaN(figures.ready)) {
    throw new Error(`${root}: not ready within 30 s`);
  }
  const lines = (await log).split("\n");
  const at = (re: RegExp) => {
    const line = lines.find((l) => re.test(l));
    const time = line && /time=(\S+)/.exec(line)?.[1];
    return time ? Date.parse(time) - spawned : NaN;
  };
  const first = at(/time=/);
  return {
    ...figures,
    toFirstLog: first,
    startWork: at(/serving securely/) - first,
  };
}

/** The floors of `_ready_floor.ts` (`idle`: spawn → its first line). */
const FLOORS = ["idle", "serve", "node-tls"] as const;

/** One floor process: spawn → ready (`/readyz` 200, or `up` for `idle`). */
async function floor(
  mode: typeof FLOORS[number],
  tls: string,
): Promise<{ ready: number; cpu: number }> {
  const port = freePort();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${projectRoot()}/bench/_ready_floor.ts`,
      mode,
      `${tls}/serving.crt`,
      `${tls}/serving.key`,
      String(port),
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    if (mode !== "idle") {
      return await pollReady(port, `${tls}/ca.crt`, t0, child.pid);
    }
    const reader = child.stdout.getReader();
    await reader.read();
    reader.releaseLock();
    return { ready: performance.now() - t0, cpu: cpuMs(child.pid) };
  } finally {
    await child.stdout.cancel().catch(() => {});
    await stop(child);
  }
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
  const floors = new Map(
    FLOORS.map((m) => [m, [] as { ready: number; cpu: number }[]]),
  );
  try {
    for (const r of roots) {
      const dir = await Deno.makeTempDir({ prefix: "bench-start-ab-" });
      dirs.set(r, dir);
      await start(r, dir); // certificates and bootstrap for the restarts
    }
    for (let i = 0; i < PAIRS; i++) {
      for (const r of i % 2 === 0 ? roots : [...roots].reverse()) {
        if (STARTS.includes("first")) {
          const fresh = await Deno.makeTempDir({ prefix: "bench-start-ab-" });
          try {
            runs.get(r)!.first.push(await start(r, fresh));
          } finally {
            await Deno.remove(fresh, { recursive: true });
          }
        }
        if (STARTS.includes("restart")) {
          runs.get(r)!.again.push(await start(r, dirs.get(r)!));
        }
      }
      if (WITH_FLOORS) {
        for (const mode of FLOORS) {
          floors.get(mode)!.push(
            await floor(mode, `${dirs.get(roots[0])}/tls`),
          );
        }
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
      if (xs.length === 0) continue;
      console.log(
        `| ${r} | ${what === "first" ? "first start" : "restart"} | ${
          summary(xs.map((x) => x.ready))
        } | ${summary(xs.map((x) => x.cpu))} | ${
          summary(xs.map((x) => x.toFirstLog))
        } | ${summary(xs.map((x) => x.startWork))} |`,
      );
    }
  }
  const what = {
    idle: "an empty `deno run` (spawn → its first line)",
    serve: "`Deno.serve` over TLS answering `/readyz`",
    "node-tls": "the same after loading node:tls, node:net, node:sqlite",
  };
  for (const [mode, xs] of floors) {
    if (xs.length === 0) continue;
    console.log(
      `| floor | ${what[mode]} | ${summary(xs.map((x) => x.ready))} | ${
        summary(xs.map((x) => x.cpu))
      } | | |`,
    );
  }
}

if (import.meta.main) await main();
