/**
 * Keeps a {@linkcode WatchCache} in step with the backend through one
 * recursive watch of the resource prefix (client-go's reflector, in the
 * watch-list form):
 *
 * - not initialised: watch from `""` with initial events and bookmarks; the
 *   ADDED burst is staged and swapped in at the initial-events-end BOOKMARK,
 *   whose revision the state is current as of;
 * - the watch ends or fails with a retriable error: watch again from the
 *   cache revision (no event is lost, the cache's watchers continue);
 * - the backend says `Expired` (history gone): the cache is invalidated, its
 *   watchers are told to re-list (`onInvalidate`), and the state is rebuilt;
 * - a live event is corrupt: the cache is invalidated as for `Expired`;
 * - a fill fails (a corrupt stored object, say): the cache stays
 *   uninitialised (`onFill(false)`: its reads go to the backend) and the
 *   fill is tried again after a backoff that only a completed fill or a
 *   live event resets (50 ms doubling to 5 s; one log line per attempt), so
 *   it recovers once the object is gone, without a tight retry loop.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { isStorageError } from "../errors.ts";
import { parseResourceVersion } from "../object.ts";
import {
  INITIAL_EVENTS_END_ANNOTATION,
  type Store,
  type Watcher,
  type WatchEvent,
} from "../store.ts";
import { CacheFill, type WatchCache } from "./watch_cache.ts";
import { sleep } from "../../internal/sleep.ts";
import { TimeSlice } from "../../internal/turns.ts";

/** What the reflector reports to its owner. */
export interface ReflectorHooks {
  /**
   * The cache lost continuity (its watchers must re-list). `cause` is the
   * corrupt object's error when a live change could not be read (its
   * watchers end with it, naming the key), absent when history expired.
   */
  onInvalidate(cause?: unknown): void;
  /** An event had no usable key: caching is impossible for this store. */
  onUnkeyed(event: WatchEvent): void;
  /** The backend sent a BOOKMARK (the cache revision may have advanced). */
  onBookmark(): void;
  /** A fill completed (`true`) or an attempt at one failed (`false`). */
  onFill?(ok: boolean): void;
}

/** Options for {@linkcode runReflector}. */
export interface ReflectorOptions {
  delegate: Store;
  prefix: string;
  cache: WatchCache;
  keyOf: (event: WatchEvent) => string | undefined;
  hooks: ReflectorHooks;
  logger: Logger;
  signal: AbortSignal;
}

/** How long a first fill works before other tasks get a turn (ms). */
const FILL_SLICE_MS = 10;

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 5_000;

/**
 * Runs until `signal` aborts (or an unkeyed event makes caching impossible).
 * Never throws.
 */
export async function runReflector(opts: ReflectorOptions): Promise<void> {
  const { delegate, prefix, cache, keyOf, hooks, logger, signal } = opts;
  let backoff = 0;
  while (!signal.aborted) {
    if (backoff > 0) await sleep(backoff, signal);
    if (signal.aborted) return;
    backoff = nextBackoff(backoff);
    const resuming = cache.ready;
    let watcher: Watcher;
    try {
      watcher = await delegate.watch(prefix, {
        recursive: true,
        resourceVersion: resuming ? String(cache.revision) : "",
        sendInitialEvents: !resuming,
        allowBookmarks: true,
        signal,
      });
    } catch (err) {
      logger.warn("watch cache: backend watch failed to start", {
        prefix,
        err,
      });
      continue;
    }
    let staging: CacheFill | undefined = resuming ? undefined : new CacheFill();
    const slice = new TimeSlice(FILL_SLICE_MS);
    try {
      for await (const ev of watcher) {
        if (staging && slice.due) {
          // A fill of many objects comes without a macrotask turn (the
          // backend's pages resolve as promises): let requests run.
          await slice.pause();
        }
        if (ev.type === "ERROR") {
          if (isStorageError(ev.error, "Expired")) {
            logger.info("watch cache: history expired, re-listing", {
              prefix,
              revision: cache.revision,
            });
            cache.invalidate();
            hooks.onInvalidate();
            backoff = 0;
          } else {
            logger.warn("watch cache: backend watch ended with an error", {
              prefix,
              err: ev.error,
            });
          }
          break;
        }
        // A backend's text form spares decoding every object (and encoding
        // it again below): the fill after a restart reads all of them.
        const text = ev.type === "BOOKMARK" ? undefined : ev.text;
        const rv = text?.revision ??
          parseResourceVersion(ev.object.metadata?.resourceVersion);
        if (rv === undefined || rv === 0) {
          logger.warn("watch cache: event without a resourceVersion", {
            prefix,
            type: ev.type,
          });
          continue;
        }
        if (ev.type === "BOOKMARK") {
          const annotations = ev.object.metadata.annotations;
          if (staging) {
            if (annotations?.[INITIAL_EVENTS_END_ANNOTATION] === "true") {
              cache.replace(staging, rv);
              staging = undefined;
              hooks.onFill?.(true);
              backoff = 0;
              logger.debug("watch cache: initialised", {
                prefix,
                revision: rv,
                objects: cache.size,
              });
            }
          } else if (delegate.watchProgressInOrder !== false) {
            // A backend whose bookmarks may overtake events (etcd#15220)
            // would make the cache skip those events: not trusted then.
            cache.advance(rv);
            hooks.onBookmark();
          }
          if (!staging) backoff = 0;
          continue;
        }
        const key = keyOf(ev);
        if (key === undefined || !key.startsWith(prefix)) {
          hooks.onUnkeyed(ev);
          return;
        }
        // The cache keeps the text (decoded on demand): the backend may
        // share its objects, and text is the compact form.
        const json = text?.json ?? JSON.stringify(ev.object);
        if (staging) {
          // A fill's progress does not reset the backoff: a fill that
          // fails part way (a corrupt object) would otherwise retry at once.
          staging.add(key, json, rv);
        } else {
          cache.apply(ev.type, key, json, rv, text?.object);
          backoff = 0;
        }
      }
    } catch (err) {
      logger.warn("watch cache: backend watch failed", {
        prefix,
        err,
        ...(staging ? { retryInMs: backoff } : {}),
      });
      if (!staging && isStorageError(err, "CorruptObject")) {
        // A change the cache cannot take: resuming would meet it again and
        // the cache would stop at this revision. Start over with a fill
        // (which fails too while the object is corrupt: reads then go to
        // the backend, whose answers name the corrupt key).
        cache.invalidate();
        hooks.onInvalidate(err);
        hooks.onFill?.(false);
      }
    } finally {
      watcher.stop();
    }
    if (staging) hooks.onFill?.(false);
  }
}

/** The wait after `backoff`: doubling from 50 ms, at most 5 s. */
function nextBackoff(backoff: number): number {
  return Math.min(Math.max(backoff * 2, MIN_BACKOFF_MS), MAX_BACKOFF_MS);
}
