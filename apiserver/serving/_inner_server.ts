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
 * Tagged listeners carry what the front learnt about a connection (its
 * verified client certificate) to the requests on it: `Deno.serve` tells a
 * handler nothing about the connection but, on a Unix socket, the path of
 * the socket it was accepted on (`info.remoteAddr.path`). So connections
 * with the same tag (the same certificate) are relayed to a listener of
 * their own, started on first use and stopped when its last connection
 * ends; {@linkcode InnerServer.tagOf} maps the path back to the tag. The
 * sockets live in the private directory, so nobody else can connect to
 * one and borrow its tag.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { InnerAddress } from "./tls_front.ts";
import { sleep } from "../../internal/sleep.ts";

/** A tagged listener held by one connection. */
export interface InnerRoute {
  address: InnerAddress;
  /** The connection is over (idempotent). */
  release(): void;
}

/** A running inner server. */
export interface InnerServer<T = unknown> {
  /** Where new connections go (changes after a restart). */
  address(): InnerAddress;
  /**
   * A listener whose requests carry `tag` (one per `key`, shared by the
   * connections holding it). Unix sockets only: elsewhere it throws.
   */
  acquire(key: string, tag: T): Promise<InnerRoute>;
  /**
   * The tag of the listener a request was accepted on, if any. Reads
   * `info.remoteAddr` (a call into the runtime) only while some tagged
   * listener exists, so untagged requests skip it.
   */
  tagOf(info: { readonly remoteAddr: Deno.Addr }): T | undefined;
  /** How many tagged listeners are open. */
  readonly tagged: number;
  /** Stops it (every instance) and removes its directory. */
  close(): Promise<void>;
}

interface TaggedListener<T> {
  path: string;
  tag: T;
  refs: number;
  ready: Promise<void>;
  stop: AbortController;
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
export async function startInnerServer<T = unknown>(
  opts: InnerServerOptions,
): Promise<InnerServer<T>> {
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

  const byKey = new Map<string, TaggedListener<T>>();
  const byPath = new Map<string, T>();
  let taggedSeq = 0;
  const startTagged = (key: string, tag: T): TaggedListener<T> => {
    const path = `${dir}/tag-${taggedSeq++}.sock`;
    const own = new AbortController();
    const onStop = () => own.abort();
    stop.signal.addEventListener("abort", onStop, { once: true });
    const { promise: ready, resolve, reject } = Promise.withResolvers<void>();
    const entry: TaggedListener<T> = { path, tag, refs: 0, ready, stop: own };
    byPath.set(path, tag);
    const forget = () => {
      stop.signal.removeEventListener("abort", onStop);
      byPath.delete(path);
      if (byKey.get(key) === entry) byKey.delete(key);
    };
    try {
      const server = Deno.serve({
        path,
        signal: own.signal,
        onListen: () => resolve(),
        onError: opts.onError,
      }, opts.handler);
      // Requests still running when it stops keep their tag until done.
      const finished = server.finished.then(forget, (err) => {
        forget();
        reject(err);
      });
      all.add(finished);
    } catch (err) {
      forget();
      reject(err);
    }
    ready.catch(() => {});
    return entry;
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
    async acquire(key, tag) {
      if (!unix) throw new Error("tagged listeners need Unix sockets");
      if (stop.signal.aborted) throw new Error("the inner server is closed");
      let entry = byKey.get(key);
      if (!entry) {
        entry = startTagged(key, tag);
        byKey.set(key, entry);
      }
      const held = entry;
      held.refs++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (--held.refs > 0) return;
        if (byKey.get(key) === held) byKey.delete(key);
        held.stop.abort();
      };
      try {
        await held.ready;
      } catch (err) {
        release();
        throw err;
      }
      return { address: { transport: "unix", path: held.path }, release };
    },
    tagOf(info) {
      if (byPath.size === 0) return undefined;
      const addr = info.remoteAddr;
      return addr.transport === "unix" ? byPath.get(addr.path) : undefined;
    },
    get tagged() {
      return byKey.size;
    },
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
