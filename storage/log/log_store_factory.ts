/**
 * {@linkcode LogStoreFactory}: the `StoreFactory` of every log-backed
 * backend. All stores share one {@linkcode Log} and one watch fan-out (a
 * single `Log.subscribe` subscription).
 *
 * @example
 * ```ts
 * const factory = new LogStoreFactory(new MemoryLog());
 * const configmaps = factory.storeFor({ resource: "configmaps" });
 * await factory.close();
 * ```
 *
 * @module
 */

import { invalidArgument } from "../errors.ts";
import { resourcePrefix, type ResourceRef } from "../keys.ts";
import type { Store, StoreFactory } from "../store.ts";
import type { Log } from "./log.ts";
import { LogStore } from "./log_store.ts";
import { WatchHub } from "./_watch_hub.ts";
import type { WatchDeps } from "./_watcher.ts";

/** Default period of BOOKMARK events for watches that allow them (ms). */
export const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;

/**
 * Default number of live events one watcher may buffer before a slow
 * consumer gets an `Expired` ERROR event and its watch ends.
 */
export const DEFAULT_WATCH_BUFFER_SIZE = 10_000;

/** Options for {@linkcode LogStoreFactory}. */
export interface LogStoreFactoryOptions {
  /** Period of BOOKMARK events (ms). Default {@linkcode DEFAULT_BOOKMARK_INTERVAL_MS}. */
  bookmarkIntervalMs?: number;
  /** Live events buffered per watcher. Default {@linkcode DEFAULT_WATCH_BUFFER_SIZE}. */
  watchBufferSize?: number;
}

function positiveInteger(name: string, value: number | undefined, def: number) {
  if (value === undefined) return def;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** A {@linkcode StoreFactory} over one {@linkcode Log}. */
export class LogStoreFactory implements StoreFactory {
  readonly #log: Log;
  readonly #deps: WatchDeps;
  readonly #stores = new Map<string, LogStore>();
  #closed = false;

  /** Wraps `log`; the factory owns it from now on (`close()` closes it). */
  constructor(log: Log, opts: LogStoreFactoryOptions = {}) {
    this.#log = log;
    const hub = new WatchHub(log, {
      bookmarkIntervalMs: positiveInteger(
        "bookmarkIntervalMs",
        opts.bookmarkIntervalMs,
        DEFAULT_BOOKMARK_INTERVAL_MS,
      ),
    });
    this.#deps = {
      log,
      hub,
      bufferSize: positiveInteger(
        "watchBufferSize",
        opts.watchBufferSize,
        DEFAULT_WATCH_BUFFER_SIZE,
      ),
    };
  }

  /** The store for `resource` (the same instance every time). */
  storeFor(resource: ResourceRef): Store {
    const prefix = resourcePrefix(resource);
    let store = this.#stores.get(prefix);
    if (!store) {
      store = new LogStore(resource, this.#log, this.#deps);
      this.#stores.set(prefix, store);
    }
    return store;
  }

  /** Resolves when the log can serve. */
  readiness(): Promise<void> {
    return this.#log.ready();
  }

  /** The log's current revision. */
  currentRevision(): Promise<number> {
    return this.#log.currentRevision();
  }

  /** Compacts the log up to `revision`. */
  compact(revision: number): Promise<void> {
    return this.#log.compact(revision);
  }

  /** Ends every watch, stops timers and closes the log. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#deps.hub.close();
    await this.#log.close();
  }
}
