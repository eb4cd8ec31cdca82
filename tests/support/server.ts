/**
 * Starts a real `hyperplane server` child process for end-to-end tests: on
 * 127.0.0.1 with a free port picked here, a temporary data directory, and
 * waits until `/readyz` answers 200 over TLS with the CA and token from the
 * kubeconfig the server writes. The child is always stopped by its PID
 * (SIGTERM, then SIGKILL after a grace period).
 *
 * @example
 * ```ts
 * await using server = await startServer({ args: ["--storage-backend", "memory"] });
 * const res = await server.fetch("/api/v1/namespaces");
 * ```
 *
 * @module
 */

import { parse } from "yaml";
import { projectRoot } from "./kubectl.ts";

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** Extra command-line flags, e.g. `["--storage-backend", "memory"]`. */
  args?: string[];
  /** The subcommand. Default `server`. */
  command?: string;
  /** The entry module to run. Default `<project>/main.ts`. */
  entry?: string;
  /** A compiled `hyperplane` binary to run instead of `deno run <entry>`. */
  binary?: string;
  /** Flags of `deno run` before the entry, e.g. `["--inspect=127.0.0.1:9229"]`. */
  denoFlags?: string[];
  /** The data directory. Default: a fresh temporary one, removed by `stop()`. */
  dataDir?: string;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** How long to wait for `/readyz`. Default 60 000 ms. */
  readyTimeoutMs?: number;
}

/** A running server child process. */
export interface TestServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The PID of the running child (changes on restart). */
  readonly pid: number;
  readonly dataDir: string;
  /** The kubeconfig the server wrote (`<dataDir>/admin.kubeconfig`). */
  readonly kubeconfigPath: string;
  /** The CA from the kubeconfig (PEM), if it has one. */
  readonly caCert: string | undefined;
  /** The admin bearer token from the kubeconfig. */
  readonly token: string;
  /** An HTTP client trusting {@linkcode TestServer.caCert}. */
  readonly client: Deno.HttpClient;
  /** `fetch` a path on the server as admin (token added unless given). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The last lines the child wrote to stderr. */
  stderrTail(): string;
  /** Stops the child (same port and data dir) and starts it again. */
  restart(): Promise<void>;
  /** Stops the child and removes a temporary data dir. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const TAIL_LINES = 80;
const STOP_GRACE_MS = 10_000;

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Keeps the last lines of a byte stream, reading it to its end. */
class Tail {
  #lines: string[] = [];
  #partial = "";
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      try {
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
          const parts = (this.#partial + chunk).split("\n");
          this.#partial = parts.pop()!;
          this.#lines.push(...parts);
          if (this.#lines.length > TAIL_LINES) {
            this.#lines.splice(0, this.#lines.length - TAIL_LINES);
          }
        }
      } catch {
        // the pipe broke with the child; what we have is the tail
      }
    })();
  }

  text(): string {
    return [...this.#lines, this.#partial].join("\n").trim();
  }
}

interface Running {
  child: Deno.ChildProcess;
  status: Promise<Deno.CommandStatus>;
  exited: () => Deno.CommandStatus | undefined;
  stdout: Tail;
  stderr: Tail;
}

interface Credentials {
  caCert: string | undefined;
  token: string;
  client: Deno.HttpClient;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `hyperplane <command>` and waits until it is ready. */
export async function startServer(
  opts: StartServerOptions = {},
): Promise<TestServer> {
  const root = projectRoot();
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ??
    await Deno.makeTempDir({ prefix: "hyperplane-e2e-" });
  const kubeconfigPath = `${dataDir}/admin.kubeconfig`;
  const port = freePort();
  const url = `https://127.0.0.1:${port}`;
  const args = [
    ...(opts.binary ? [] : [
      "run",
      "-A",
      ...opts.denoFlags ?? [],
      opts.entry ?? `${root}/main.ts`,
    ]),
    opts.command ?? "server",
    "--data-dir",
    dataDir,
    "--bind-address",
    "127.0.0.1",
    "--secure-port",
    String(port),
    "--write-kubeconfig",
    kubeconfigPath,
    ...(opts.args ?? []),
  ];

  let running: Running | undefined;
  let creds: Credentials | undefined;
  let stopped = false;

  const spawn = (): Running => {
    const child = new Deno.Command(opts.binary ?? Deno.execPath(), {
      args,
      cwd: root,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let exit: Deno.CommandStatus | undefined;
    const status = child.status.then((s) => (exit = s));
    return {
      child,
      status,
      exited: () => exit,
      stdout: new Tail(child.stdout),
      stderr: new Tail(child.stderr),
    };
  };

  const halt = async () => {
    creds?.client.close();
    creds = undefined;
    const r = running;
    running = undefined;
    if (!r) return;
    if (!r.exited()) {
      try {
        r.child.kill("SIGTERM");
      } catch {
        // already gone
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), STOP_GRACE_MS);
      });
      const outcome = await Promise.race([r.status, late]);
      clearTimeout(timer);
      if (outcome === "late") {
        try {
          r.child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    await r.status;
    await Promise.all([r.stdout.done, r.stderr.done]);
  };

  const failure = (r: Running, why: string) =>
    new Error(
      `hyperplane ${opts.command ?? "server"} on ${url} ${why}\n` +
        `--- stderr (tail) ---\n${r.stderr.text()}\n--- stdout (tail) ---\n${r.stdout.text()}`,
    );

  const boot = async () => {
    await Deno.remove(kubeconfigPath).catch(() => {});
    const r = running = spawn();
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    let last = "no kubeconfig yet";
    while (true) {
      const exit = r.exited();
      if (exit) {
        await Promise.all([r.stdout.done, r.stderr.done]);
        await halt();
        throw failure(r, `exited with code ${exit.code} before it was ready`);
      }
      if (Date.now() > deadline) {
        await halt();
        throw failure(r, `was not ready within the timeout (${last})`);
      }
      creds ??= await readCredentials(kubeconfigPath);
      if (creds) {
        const probe = new AbortController();
        const timer = setTimeout(() => probe.abort(), 5_000);
        try {
          const res = await fetch(`${url}/readyz?verbose`, {
            client: creds.client,
            signal: probe.signal,
          });
          const body = await res.text();
          if (res.status === 200) return;
          last = `/readyz ${res.status}: ${body.trim().replaceAll("\n", " ")}`;
        } catch (err) {
          last = `/readyz: ${err instanceof Error ? err.message : err}`;
        } finally {
          clearTimeout(timer);
        }
      }
      await sleep(100);
    }
  };

  try {
    await boot();
  } catch (err) {
    if (ownDataDir) await Deno.remove(dataDir, { recursive: true });
    throw err;
  }

  const current = () => {
    if (!creds) throw new Error("the test server is not running");
    return creds;
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await halt();
    if (ownDataDir) {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  };
  return {
    url,
    port,
    dataDir,
    kubeconfigPath,
    get pid() {
      if (!running) throw new Error("the test server is not running");
      return running.child.pid;
    },
    get caCert() {
      return current().caCert;
    },
    get token() {
      return current().token;
    },
    get client() {
      return current().client;
    },
    fetch(path, init = {}) {
      const c = current();
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) {
        headers.set("authorization", `Bearer ${c.token}`);
      }
      return fetch(`${url}${path}`, { ...init, headers, client: c.client });
    },
    stderrTail: () => running?.stderr.text() ?? "",
    async restart() {
      if (stopped) throw new Error("the test server was stopped");
      await halt();
      await boot();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Reads CA and token from the kubeconfig, or `undefined` if not there yet. */
async function readCredentials(
  path: string,
): Promise<Credentials | undefined> {
  let doc;
  try {
    doc = parse(await Deno.readTextFile(path));
  } catch {
    return undefined; // not written yet (or half written)
  }
  const caData = doc?.clusters?.[0]?.cluster?.["certificate-authority-data"];
  const token = doc?.users?.[0]?.user?.token;
  if (typeof token !== "string") return undefined;
  const caCert = typeof caData === "string" ? atob(caData) : undefined;
  const client = Deno.createHttpClient(caCert ? { caCerts: [caCert] } : {});
  return { caCert, token, client };
}
