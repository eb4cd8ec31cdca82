/**
 * The inner `Deno.serve` behind the TLS front (`tls_front.ts`): plain
 * HTTP on a Unix socket in a private directory (loopback TCP on Windows).
 *
 * It is restarted when it fails: when the process runs out of file
 * descriptors, `Deno.serve`'s accept loop ends with `Too many open files`
 * and never accepts again (measured here under `ulimit -n 256`). The
 * front's connection cap keeps that from happening in normal operation;
 * this is the backstop. Each start listens on a new socket path, which the
 * front picks up for the connections it relays from then on.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { InnerAddress } from "./tls_front.ts";

/** A running inner server. */
export interface InnerServer {
  /** Where new connections go (changes after a restart). */
  address(): InnerAddress;
  /** Stops it (every instance) and removes its directory. */
  close(): Promise<void>;
}

/** Options of {@linkcode startInnerServer}. */
export interface InnerServerOptions {
  handler: Deno.ServeHandler<Deno.NetAddr | Deno.UnixAddr>;
  onError: (err: unknown) => Response | Promise<Response>;
  logger: Logger;
  /** Called when it failed (and is being restarted). */
  onFailure?: () => void;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/** Starts the inner server and resolves once it listens. */
export async function startInnerServer(
  opts: InnerServerOptions,
): Promise<InnerServer> {
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-" });
  const unix = Deno.build.os !== "windows";
  const stop = new AbortController();
  const all = new Set<Promise<void>>();
  let generation = 0;

  const listen = async () => {
    const { promise, resolve } = Promise.withResolvers<Deno.Addr>();
    const serveOptions = {
      signal: stop.signal,
      onListen: resolve,
      onError: opts.onError,
    };
    const server = unix
      ? Deno.serve(
        { ...serveOptions, path: `${dir}/api-${generation++}.sock` },
        opts.handler,
      )
      : Deno.serve(
        { ...serveOptions, hostname: "127.0.0.1", port: 0 },
        opts.handler,
      );
    const addr = await promise;
    const finished = server.finished.then(
      () => {},
      (err) => void restart(err),
    );
    all.add(finished);
    return toInnerAddress(addr);
  };

  const restart = async (err: unknown) => {
    if (stop.signal.aborted) return;
    opts.onFailure?.();
    opts.logger.warn("the inner server failed; restarting it", {
      err: err instanceof Error ? err.message : String(err),
    });
    let backoff = FIRST_BACKOFF_MS;
    while (!stop.signal.aborted) {
      await sleep(backoff, stop.signal);
      if (stop.signal.aborted) return;
      try {
        current = await listen();
        opts.logger.info("the inner server listens again");
        return;
      } catch {
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS); // still out of descriptors
      }
    }
  };

  let current: InnerAddress;
  try {
    current = await listen();
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  return {
    address: () => current,
    async close() {
      stop.abort();
      await Promise.all(all);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

function toInnerAddress(addr: Deno.Addr): InnerAddress {
  return addr.transport === "unix" ? { transport: "unix", path: addr.path } : {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: (addr as Deno.NetAddr).port,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
