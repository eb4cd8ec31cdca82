/**
 * Child processes for the benches (`spawnReadyChild`): the hello-world baseline
 * server of `api_load.ts`, the ready-line wait the other benches share, and the
 * start-to-ready measurement of `hyperplane server`.
 *
 * @module
 */

import { freePort } from "../tests/support/server.ts";
import { projectRoot } from "../tests/support/kubectl.ts";
import { within } from "../tests/support/within.ts";

export { within };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The hello-world server, run as its own process like the API server. */
const HELLO_SERVER = `
const [port, certFile, keyFile] = Deno.args;
Deno.serve({
  hostname: "127.0.0.1", port: Number(port),
  cert: Deno.readTextFileSync(certFile), key: Deno.readTextFileSync(keyFile),
  onListen() { console.log("listening"); },
}, () => new Response("ok"));
`;

/**
 * The plain-HTTP ceiling: `Deno.serve` without TLS answering a JSON body of
 * `bodyBytes`, in its own process.
 */
const PLAIN_SERVER = `
const [port, size] = Deno.args;
const body = JSON.stringify({ data: "x".repeat(Number(size) - 11) });
Deno.serve({
  hostname: "127.0.0.1", port: Number(port),
  onListen() { console.log("listening"); },
}, () => new Response(body, { headers: { "content-type": "application/json" } }));
`;

/** CPU time (user + system) process `pid` has used, in ms. */
export function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // utime, stime: 100 ticks/s
}

/** The resident set size of process `pid` in MiB (`VmRSS`). */
export function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** RSS of a process by kind of mapping (MiB), from `/proc/<pid>/smaps`. */
export interface RssSplit {
  /** `[heap]`: glibc's main arena (the JavaScript thread's native allocations). */
  heap: number;
  /** Other anonymous memory: the V8 heap, thread arenas, stacks. */
  anon: number;
  /** File-backed pages: the deno binary's code. */
  file: number;
}

/** {@linkcode RssSplit} of process `pid`. */
export function rssSplitMiB(pid: number): RssSplit {
  let path = "";
  const kb = { heap: 0, anon: 0, file: 0 };
  for (const line of Deno.readTextFileSync(`/proc/${pid}/smaps`).split("\n")) {
    const map = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (map) path = map[1];
    else if (line.startsWith("Rss:")) {
      const n = Number(/\d+/.exec(line)?.[0] ?? 0);
      if (path === "[heap]") kb.heap += n;
      else if (path === "" || path.startsWith("[")) kb.anon += n;
      else kb.file += n;
    }
  }
  return { heap: kb.heap / 1024, anon: kb.anon / 1024, file: kb.file / 1024 };
}

/** `heap H / anon A / file F` (MiB) of process `pid`. */
export function describeRssSplit(pid: number): string {
  const s = rssSplitMiB(pid);
  return `heap ${s.heap.toFixed(0)} / anon ${s.anon.toFixed(0)} / file ${
    s.file.toFixed(0)
  }`;
}

/** A running child server. */
export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a `Deno.serve` hello-world in its own process on a free port with
 * the PEM files (the API server's serving pair, so the same client trusts it).
 */
export function startHelloWorld(
  certFile: string,
  keyFile: string,
): Promise<ChildServer> {
  const port = freePort();
  return startChild(
    [HELLO_SERVER, String(port), certFile, keyFile],
    `https://127.0.0.1:${port}/`,
  );
}

/**
 * Starts the plain-HTTP `Deno.serve` answering a `bodyBytes` JSON body in
 * its own process on a free port.
 */
export function startPlainServer(bodyBytes: number): Promise<ChildServer> {
  const port = freePort();
  return startChild(
    [PLAIN_SERVER, String(port), String(bodyBytes)],
    `http://127.0.0.1:${port}/`,
  );
}

async function startChild(
  evalArgs: string[],
  url: string,
): Promise<ChildServer> {
  const child = await spawnReadyChild(
    ["eval", ...evalArgs],
    "baseline server start",
  );
  return { url, ...child };
}

/** A Deno child process that has announced it is ready. */
export interface ReadyChild {
  pid: number;
  /** Kills it and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `deno <args>` (stderr inherited) and waits up to 30 s for its first
 * output on stdout, its ready line; a child that does not get there is
 * killed and the error names `what`.
 */
export async function spawnReadyChild(
  args: string[],
  what: string,
): Promise<ReadyChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await reader.cancel().catch(() => {});
    await child.status;
  };
  try {
    await within(reader.read(), 30_000, what);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid, stop };
}

/**
 * Milliseconds from spawning `hyperplane server` to its first `/readyz` 200,
 * and the CPU time the server used until then (what a busy machine
 * disturbs less); with `idleRssAfterMs`, also its RSS that long after it
 * was ready.
 */
export async function startToReady(
  dataDir: string,
  opts: { idleRssAfterMs?: number } = {},
): Promise<{ ms: number; cpuMs: number; idleRssMiB?: number }> {
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
        if (r.status === 200) {
          const ms = performance.now() - t0;
          const cpu = cpuMs(child.pid);
          if (opts.idleRssAfterMs === undefined) return { ms, cpuMs: cpu };
          await sleep(opts.idleRssAfterMs);
          return { ms, cpuMs: cpu, idleRssMiB: rssMiB(child.pid) };
        }
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
    throw new Error("the server was not ready within 30 s");
  } finally {
    client?.close();
    child.kill("SIGTERM");
    await within(child.status, 15_000, "server stop").catch(() => {
      child.kill("SIGKILL");
    });
  }
}
