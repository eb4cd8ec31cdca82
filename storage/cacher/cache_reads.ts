/**
 * Reads served from a {@linkcode WatchCache} at its current revision: get,
 * list pages (with continue tokens and `remainingItemCount`), and the first
 * events of a new watch. Synchronous, so each read sees one revision.
 *
 * @module
 */

import { encodeContinue } from "../continue_token.ts";
import { expired, notFound } from "../errors.ts";
import { prefixEnd } from "../keys.ts";
import type { KubeObject } from "../object.ts";
import {
  type EventText,
  INITIAL_EVENTS_END_ANNOTATION,
  type ListResult,
  type Predicate,
  type WatchEvent,
} from "../store.ts";
import { bookmarkEvent, OutgoingEvent, translate } from "./cache_watcher.ts";
import {
  type CacheEntry,
  entryObject,
  type WatchCache,
} from "./watch_cache.ts";
import type { JsonListResult } from "./json_reads.ts";
import { keyFitsHint, keyHintOf } from "./key_hint.ts";

/** A private copy: the object decoded for the filter, or decoded now. */
function copyOf(entry: CacheEntry, decoded?: KubeObject): KubeObject {
  return decoded ?? JSON.parse(entry.json);
}

function matchesAll(predicate: Predicate | undefined): boolean {
  return !predicate || predicate.everything === true;
}

function jsonOf(entry: CacheEntry): string {
  return entry.json;
}

/** A private copy of the object at `key`; `NotFound` when absent. */
export function getFromCache(cache: WatchCache, key: string): KubeObject {
  const entry = cache.get(key);
  if (!entry) throw notFound(key, cache.revision);
  return copyOf(entry);
}

/** The JSON of the object at `key` (the cache's own text); `NotFound` when absent. */
export function getJsonFromCache(cache: WatchCache, key: string): string {
  const entry = cache.get(key);
  if (!entry) throw notFound(key, cache.revision);
  return entry.json;
}

/** What {@linkcode listFromCache} needs to know. */
export interface CacheListOptions {
  recursive: boolean;
  predicate?: Predicate;
  limit?: number;
  /** The first key of the page (a continue token's); default: `key`. */
  start?: string;
  /** The revision the page is read at (a continue token's); default: the cache's. */
  revision?: number;
}

/**
 * One page of `key` (a prefix ending in `/` when recursive) at the cache
 * revision. The continue token names the first key not examined and the
 * cache revision, so the next page can be read from the backend at exactly
 * that revision.
 */
export function listFromCache(
  cache: WatchCache,
  key: string,
  opts: CacheListOptions,
): ListResult {
  return listPage(cache, key, opts, copyOf);
}

/**
 * {@linkcode listFromCache} with each item as the cache's JSON text of the
 * object (no copy is made).
 */
export function listJsonFromCache(
  cache: WatchCache,
  key: string,
  opts: CacheListOptions,
): JsonListResult {
  return listPage(cache, key, opts, jsonOf);
}

function listPage<T>(
  cache: WatchCache,
  key: string,
  opts: CacheListOptions,
  itemOf: (entry: CacheEntry, decoded?: KubeObject) => T,
): {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
} {
  const revision = opts.revision ?? cache.revision;
  const { predicate } = opts;
  const resourceVersion = String(revision);
  if (!opts.recursive) {
    const entry = cache.get(key);
    if (!entry) return { items: [], resourceVersion };
    if (matchesAll(predicate)) {
      return { items: [itemOf(entry)], resourceVersion };
    }
    const decoded: KubeObject = JSON.parse(entry.json);
    const items = predicate!.matches(decoded) ? [itemOf(entry, decoded)] : [];
    return { items, resourceVersion };
  }
  const end = prefixEnd(key);
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const items: T[] = [];
  const all = matchesAll(predicate);
  const hint = all ? undefined : keyHintOf(predicate);
  for (const entry of cache.scan(opts.start ?? key, end)) {
    if (items.length >= limit) {
      const result: ReturnType<typeof listPage<T>> = {
        items,
        resourceVersion,
        continue: encodeContinue(key, entry.key, revision),
      };
      if (all) {
        result.remainingItemCount = cache.countRange(entry.key, end);
      }
      return result;
    }
    if (all) {
      items.push(itemOf(entry));
      continue;
    }
    // Filters read a decoded object (the cache keeps text); a copy reuses
    // it. A key that cannot match is passed over undecoded.
    if (!keyFitsHint(entry.key, hint)) continue;
    const decoded: KubeObject = JSON.parse(entry.json);
    if (predicate!.matches(decoded)) items.push(itemOf(entry, decoded));
  }
  return { items, resourceVersion };
}

/**
 * The start key of a continue page the cache can serve exactly: no change
 * under `key` at or after the token's start key since the token's revision
 * (the cache's state of that range is the state at that revision), and the
 * history since then is still kept (a compaction past it drops it, and the
 * backend answers `Expired`). `undefined`: read the backend.
 */
export function cachedContinueStart(
  cache: WatchCache,
  key: string,
  token: { startKey: string; revision: number },
): string | undefined {
  if (token.revision > cache.revision) return undefined;
  const history = cache.eventsSince(token.revision);
  if (!history) return undefined;
  const end = prefixEnd(key);
  let changed = false;
  for (const ev of history) {
    if (ev.key >= token.startKey && ev.key < end) changed = true;
    ev.release();
  }
  return changed ? undefined : token.startKey;
}

/**
 * An initial ADDED event whose object is decoded (frozen) when first read,
 * so a watch's snapshot of many objects holds text until it is sent; until
 * then it also offers that text (`WatchEvent.text`), so a consumer may
 * pass over an object it can rule out from its text undecoded.
 */
class InitialEvent {
  readonly type = "ADDED" as const;
  readonly key: string;
  #entry?: CacheEntry;
  #object?: KubeObject;

  constructor(entry: CacheEntry) {
    this.key = entry.key;
    this.#entry = entry;
  }

  get text(): EventText | undefined {
    const entry = this.#entry;
    return entry && { json: entry.json, revision: entry.revision };
  }

  get object(): KubeObject {
    if (!this.#object) {
      this.#object = entryObject(this.#entry!);
      this.#entry = undefined;
    }
    return this.#object;
  }
}

/** What a new watch starts with. */
export interface WatchStart {
  key: string;
  recursive: boolean;
  predicate?: Predicate;
  /** Send the current state as ADDED events. */
  initialState: boolean;
  /** End the initial state with the annotated BOOKMARK. */
  initialEventsEnd: boolean;
  /** Without `initialState`: replay history after this revision. */
  fromRevision: number;
}

/**
 * The events a new watch gets before live events, at the cache revision:
 * the current state (and the initial-events-end BOOKMARK), or the history
 * after `fromRevision` — or a single ERROR (`Expired`) when that history is
 * no longer kept.
 */
export function watchStartEvents(
  cache: WatchCache,
  start: WatchStart,
): WatchEvent[] {
  const { key, recursive, predicate } = start;
  const out: WatchEvent[] = [];
  if (start.initialState) {
    const entries = recursive
      ? cache.scan(key, prefixEnd(key))
      : [cache.get(key)].filter((e): e is CacheEntry => e !== undefined);
    const all = matchesAll(predicate);
    const hint = all ? undefined : keyHintOf(predicate);
    for (const e of entries) {
      if (all) {
        out.push(new InitialEvent(e));
        continue;
      }
      if (!keyFitsHint(e.key, hint)) continue;
      const object = entryObject(e);
      if (predicate!.matches(object)) {
        out.push({ type: "ADDED", object, key: e.key });
      }
    }
    if (start.initialEventsEnd) {
      out.push(
        bookmarkEvent(cache.revision, {
          [INITIAL_EVENTS_END_ANNOTATION]: "true",
        }),
      );
    }
    return out;
  }
  const history = cache.eventsSince(start.fromRevision);
  if (!history) {
    return [{
      type: "ERROR",
      error: expired(start.fromRevision, cache.historyFloor),
    }];
  }
  for (const ev of history) {
    if (recursive ? !ev.key.startsWith(key) : ev.key !== key) continue;
    const translated = translate(new OutgoingEvent(ev), predicate);
    ev.release(); // the watcher holds what it needs; the ring keeps text
    if (translated) out.push(translated);
  }
  return out;
}
