/**
 * Tuning knobs of the watch cache, with their defaults.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { WatchEvent } from "../store.ts";

/**
 * The default {@linkcode CacherOptions.keyOf}: the `key` backends set on
 * ADDED/MODIFIED/DELETED watch events.
 */
export function keyFromEvent(event: WatchEvent): string | undefined {
  return event.type === "ERROR" ? undefined : event.key;
}

/** Options for `cachedStoreFactory` / `CachedStore`. */
export interface CacherOptions {
  /**
   * Events kept per cache for watch resumption (default 10,000). A watch
   * from a revision older than the oldest kept event gets `Expired`. Counted
   * in events rather than time (upstream keeps ~75 s) so memory is bounded
   * under write bursts; at 100 writes/s per cluster and resource this is
   * still ~100 s of history.
   */
  historySize?: number;
  /**
   * History older than this is dropped (checked every tenth of it; default
   * 75,000 ms, upstream's `eventFreshDuration`): a watch from an older
   * revision is served by the backend, which has the history until it
   * compacts. Keeps a write burst's events from holding memory for good.
   */
  historyMaxAgeMs?: number;
  /** Live events buffered per watcher before it is ended as too slow (default 1,000). */
  watcherBufferSize?: number;
  /**
   * How long a read waits for the cache to catch up (consistent reads, RV
   * not-older-than) before it is served by the backend (default 3,000 ms,
   * as upstream).
   */
  freshnessTimeoutMs?: number;
  /**
   * How long a watch waits for a cache that is still initialising before it
   * is served by the backend instead (default 10,000 ms).
   */
  initTimeoutMs?: number;
  /** Period of BOOKMARK events to watchers that allow them (default 60,000 ms, ±10 % jitter). */
  bookmarkIntervalMs?: number;
  /**
   * While a read waits, a progress request goes out whenever the previous
   * one was answered; this is the retry period for an answer that does not
   * come (default 100 ms).
   */
  progressIntervalMs?: number;
  /**
   * Start the cache (its backend watch) when the store is created instead of
   * on first use (default false).
   */
  eager?: boolean;
  /**
   * The storage key of an object delivered by the backend's watch. Default:
   * the event's `key` field; when it returns undefined (a backend that does
   * not set it) the store stops caching and serves everything from the
   * backend.
   */
  keyOf?: (event: WatchEvent) => string | undefined;
  logger?: Logger;
}

/** {@linkcode CacherOptions} with every default applied. */
export type ResolvedCacherOptions = Required<CacherOptions>;

/** Applies the defaults and checks the values (throws `RangeError`). */
export function resolveCacherOptions(
  opts: CacherOptions = {},
): ResolvedCacherOptions {
  const r: ResolvedCacherOptions = {
    historySize: opts.historySize ?? 10_000,
    historyMaxAgeMs: opts.historyMaxAgeMs ?? 75_000,
    watcherBufferSize: opts.watcherBufferSize ?? 1_000,
    freshnessTimeoutMs: opts.freshnessTimeoutMs ?? 3_000,
    initTimeoutMs: opts.initTimeoutMs ?? 10_000,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    progressIntervalMs: opts.progressIntervalMs ?? 100,
    eager: opts.eager ?? false,
    keyOf: opts.keyOf ?? keyFromEvent,
    logger: opts.logger ?? silentLogger,
  };
  for (
    const k of [
      "historySize",
      "historyMaxAgeMs",
      "watcherBufferSize",
      "freshnessTimeoutMs",
      "initTimeoutMs",
      "bookmarkIntervalMs",
      "progressIntervalMs",
    ] as const
  ) {
    const v = r[k];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`cacher option ${k} must be a positive integer`);
    }
  }
  return r;
}
