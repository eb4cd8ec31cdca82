/**
 * The watcher fan-out of one watch cache. Watchers are indexed by the exact
 * key (single-key watches) and by prefix (recursive watches), so an event
 * only visits the watchers whose range holds its key: a handful of map
 * lookups (one per `/` in the key) and then a tight loop over each set.
 *
 * @module
 */

import type { StorageError } from "../errors.ts";
import type { WatchEvent } from "../store.ts";
import { type CacheWatcher, OutgoingEvent } from "./cache_watcher.ts";
import type { CacheEvent } from "./watch_cache.ts";

/** Routes cache events and bookmarks to the registered watchers. */
export class Dispatcher {
  #byKey = new Map<string, Set<CacheWatcher>>();
  #byPrefix = new Map<string, Set<CacheWatcher>>();
  /**
   * How many prefixes of `#byPrefix` have each length: an event's key is
   * sliced only where a registered prefix could end (most watchers watch a
   * resource's whole prefix, so one slice per event instead of one per `/`).
   */
  #prefixLengths = new Map<number, number>();
  #bookmarkers = new Set<CacheWatcher>();
  #size = 0;

  /** Number of registered watchers. */
  get size(): number {
    return this.#size;
  }

  /** Number of registered watchers that want bookmarks. */
  get bookmarkWatchers(): number {
    return this.#bookmarkers.size;
  }

  /** Registers `w` (no-op if it has already ended). */
  add(w: CacheWatcher): void {
    if (w.ended) return;
    const index = w.recursive ? this.#byPrefix : this.#byKey;
    let set = index.get(w.key);
    if (!set) {
      index.set(w.key, set = new Set());
      if (w.recursive) {
        const n = w.key.length;
        this.#prefixLengths.set(n, (this.#prefixLengths.get(n) ?? 0) + 1);
      }
    }
    set.add(w);
    if (w.allowBookmarks) this.#bookmarkers.add(w);
    this.#size++;
  }

  /** Unregisters `w`. */
  remove(w: CacheWatcher): void {
    const index = w.recursive ? this.#byPrefix : this.#byKey;
    const set = index.get(w.key);
    if (!set?.delete(w)) return;
    if (set.size === 0) {
      index.delete(w.key);
      if (w.recursive) {
        const n = w.key.length;
        const left = this.#prefixLengths.get(n)! - 1;
        if (left === 0) this.#prefixLengths.delete(n);
        else this.#prefixLengths.set(n, left);
      }
    }
    this.#bookmarkers.delete(w);
    this.#size--;
  }

  /** Delivers `ev` to every watcher whose key or prefix covers it. */
  dispatch(ev: CacheEvent): void {
    if (this.#size === 0) return;
    const out = new OutgoingEvent(ev);
    const exact = this.#byKey.get(ev.key);
    if (exact) { for (const w of exact) w.deliver(out); }
    if (this.#byPrefix.size === 0) return;
    const key = ev.key;
    const lengths = this.#prefixLengths;
    for (let i = key.indexOf("/"); i >= 0; i = key.indexOf("/", i + 1)) {
      if (!lengths.has(i + 1)) continue;
      const set = this.#byPrefix.get(key.slice(0, i + 1));
      if (set) { for (const w of set) w.deliver(out); }
    }
  }

  /** Sends `ev` (a BOOKMARK) to every watcher that wants bookmarks. */
  bookmark(ev: WatchEvent): void {
    for (const w of this.#bookmarkers) w.bookmark(ev);
  }

  /** Every registered watcher. */
  all(): CacheWatcher[] {
    const all: CacheWatcher[] = [];
    for (const set of this.#byKey.values()) all.push(...set);
    for (const set of this.#byPrefix.values()) all.push(...set);
    return all;
  }

  /** Ends every watcher with `error`. */
  terminateAll(error: StorageError): void {
    for (const w of this.all()) w.terminate(error);
  }
}
