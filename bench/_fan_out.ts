/**
 * Watch fan-out measurement for `api_load.ts`: N watch streams, each on its
 * own HTTP/1.1 TLS connection read with `Deno.connectTls`, and a writer that
 * triggers one event at a time; the latency of a delivery is from the
 * write's start to the read that carried it. Plus the baseline: a bare
 * `Deno.serve` in its own process that writes one pre-encoded line to every
 * open streaming response.
 *
 * Why not `fetch`: reading 1,000 `fetch` bodies cost the client ~50 ms of
 * CPU per event on this machine (web streams per chunk), more than the
 * server spent, so the figure measured the client. Raw reads cost ~10 ms.
 * The watch lines are found by pattern (one event per chunk, so the
 * chunked-encoding framing never splits a line's JSON).
 *
 * @module
 */

import { spawnReadyChild, within } from "./_processes.ts";

/** What is watched and how one event is caused. */
export interface FanOutTarget {
  port: number;
  caCert: string;
  /** Path and query of the watch request. */
  path: string;
  /** Extra request headers (e.g. authorization). */
  headers: Record<string, string>;
  /** Causes an ADDED event for an object named `name`. */
  write(name: string): Promise<void>;
  /** The name of the `i`th write (default `fan-<i>`; must match `fan-\d+`). */
  nameOf?: (i: number) => string;
}

/** Delivery latencies of one run. */
export interface FanOutResult {
  p50: number;
  p99: number;
  delivered: number;
  expected: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const READY = /initial-events-end"\s*:\s*"true"/;
const ADDED = /^\{"type":"ADDED".*?"name":"(fan-\d+)"/;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** One raw watch connection. */
class RawWatch {
  readonly ready = Promise.withResolvers<void>();
  readonly done: Promise<void>;
  #conn: Deno.TlsConn;

  constructor(
    conn: Deno.TlsConn,
    request: Uint8Array,
    onAdded: (name: string, at: number) => void,
  ) {
    this.#conn = conn;
    this.done = this.#run(request, onAdded);
    this.done.catch(() => {});
    // Awaited once every connection is open; a refusal before then must
    // not be an unhandled rejection.
    this.ready.promise.catch(() => {});
  }

  async #run(request: Uint8Array, onAdded: (n: string, at: number) => void) {
    const decoder = new TextDecoder();
    const buf = new Uint8Array(64 * 1024);
    let text = "";
    try {
      await this.#conn.write(request);
      for (;;) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        const at = performance.now();
        text += decoder.decode(buf.subarray(0, n), { stream: true });
        if (text.startsWith("HTTP/1.1 ") && !text.startsWith("HTTP/1.1 200")) {
          throw new Error(`watch: ${text.slice(0, 200)}`);
        }
        const lines = text.split("\n");
        text = lines.pop()!;
        for (const line of lines) {
          if (READY.test(line)) this.ready.resolve();
          const m = ADDED.exec(line);
          if (m) onAdded(m[1], at);
        }
      }
      this.ready.reject(new Error("watch ended before its initial events"));
    } catch (err) {
      this.ready.reject(err);
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Opens `watchers` watches on `target`, waits for every initial-events-end
 * bookmark, then makes `rounds` writes 50 ms apart and collects the
 * delivery latencies (waiting at most 10 s for stragglers).
 */
export async function measureFanOut(
  target: FanOutTarget,
  watchers: number,
  rounds: number,
): Promise<FanOutResult> {
  const headers = Object.entries({
    host: `127.0.0.1:${target.port}`,
    accept: "application/json",
    ...target.headers,
  }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const request = new TextEncoder().encode(
    `GET ${target.path} HTTP/1.1\r\n${headers}\r\n`,
  );
  const started = new Map<string, number>();
  const latencies: number[] = [];
  const onAdded = (name: string, at: number) => {
    const t0 = started.get(name);
    if (t0 !== undefined) latencies.push(at - t0);
  };
  const open: RawWatch[] = [];
  try {
    for (let i = 0; i < watchers; i += 100) {
      const batch = await within(
        Promise.all(
          Array.from({ length: Math.min(100, watchers - i) }, async () => {
            const conn = await Deno.connectTls({
              hostname: "127.0.0.1",
              port: target.port,
              caCerts: [target.caCert],
              alpnProtocols: ["http/1.1"],
            });
            return new RawWatch(conn, request, onAdded);
          }),
        ),
        30_000,
        "opening watch connections",
      );
      open.push(...batch);
    }
    await within(
      Promise.all(open.map((w) => w.ready.promise)),
      60_000,
      `${watchers} watchers' initial-events-end bookmarks`,
    );
    for (let i = 0; i < rounds; i++) {
      const name = target.nameOf?.(i) ?? `fan-${i}`;
      started.set(name, performance.now());
      await target.write(name);
      await sleep(50);
    }
    const expected = rounds * watchers;
    const deadline = performance.now() + 10_000;
    while (latencies.length < expected && performance.now() < deadline) {
      await sleep(20);
    }
    latencies.sort((a, b) => a - b);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      delivered: latencies.length,
      expected,
    };
  } finally {
    for (const w of open) w.close();
    await within(
      Promise.allSettled(open.map((w) => w.done)),
      10_000,
      "closing watch connections",
    ).catch(() => {});
  }
}

/** The baseline server: one pre-encoded line written to every open stream. */
const BARE_FAN_OUT_SERVER = `
const [port, certFile, keyFile] = Deno.args;
const streams = new Set();
const enc = new TextEncoder();
const line = (o) => enc.encode(JSON.stringify(o) + "\\n");
Deno.serve({
  hostname: "127.0.0.1", port: Number(port),
  cert: Deno.readTextFileSync(certFile), key: Deno.readTextFileSync(keyFile),
  onListen() { console.log("listening"); },
}, (req) => {
  if (req.method === "POST") {
    const name = new URL(req.url).searchParams.get("name");
    const bytes = line({ type: "ADDED", object: { metadata: { name } } });
    for (const c of streams) c.enqueue(bytes);
    return new Response("{}", { status: 201 });
  }
  let ctl;
  const body = new ReadableStream({
    start(c) {
      ctl = c;
      streams.add(c);
      c.enqueue(line({ type: "BOOKMARK", object: { metadata: {
        annotations: { "k8s.io/initial-events-end": "true" } } } }));
    },
    cancel() { streams.delete(ctl); },
  });
  return new Response(body, { headers: { "content-type": "application/json" } });
});
`;

/** A running baseline fan-out server (its own process). */
export interface BareFanOutServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts {@linkcode BARE_FAN_OUT_SERVER} on `port` with the PEM files. */
export async function startBareFanOutServer(
  port: number,
  certFile: string,
  keyFile: string,
): Promise<BareFanOutServer> {
  const child = await spawnReadyChild(
    ["eval", BARE_FAN_OUT_SERVER, String(port), certFile, keyFile],
    "bare fan-out server start",
  );
  return { port, stop: child.stop };
}
