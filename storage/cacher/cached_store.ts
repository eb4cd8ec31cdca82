/**
 * `CachedStore`: a {@linkcode Store} for one resource that serves get, list
 * and watch from an in-memory watch cache (like kube-apiserver's cacher) and
 * sends writes to the backend store it wraps.
 *
 * Read semantics (resourceVersion as in `storage/store.ts`):
 *
 * | request | served |
 * | --- | --- |
 * | RV `""` (consistent) | from the cache once it has caught up with the backend's `currentRevision()` (asking the backend for progress while waiting); after `freshnessTimeoutMs` by the backend |
 * | RV `"0"` | from the cache now |
 * | RV `N` not-older-than | from the cache once it reached N; N above the backend's revision is `TooLargeResourceVersion`; on timeout by the backend |
 * | Exact N, RV N with a limit | by the backend (reads at an exact past revision) |
 * | a continue token at revision R | from the cache when no change since R touched the rest of the range (history kept), else by the backend at exactly R |
 * | a bounded read before the cache is filled: a get, a list within one cluster, a page without a filter | by the backend at once; it does not start the cache |
 * | a watch from a resourceVersion (no initial state) before the cache is filled | by the backend; it does not start the cache |
 * | anything else before the cache is filled (a list of the whole resource, a watch with initial state) | starts the cache; from it once filled (reads wait up to `freshnessTimeoutMs`, watches `initTimeoutMs`), else by the backend; a watch whose signal aborts while it waits ends without events |
 *
 * So a cache starts with its first whole-resource reader (in a server, the
 * controllers' informers) and a restart's bounded reads neither wait for
 * nor start a fill of every object; readiness does not wait for fills
 * either (kube-apiserver's resilient watch cache initialisation, KEP-4568:
 * gets and bounded lists are delegated to storage while it initialises).
 *
 * Cache pages carry continue tokens at the cache revision; the following
 * pages keep that revision, from the cache or the backend.
 *
 * Keys: the cache indexes objects by the storage key the backend sets on
 * each watch event (`WatchEvent.key`). A backend that does not set it makes
 * the store stop caching (logging why) and serve everything from the
 * backend: slower, never wrong.
 *
 * Watch event objects are shared between watchers and deep-frozen; get and
 * list return private copies; `getJson`/`listJson` (`json_reads.ts`) return
 * the cache's JSON texts without copying.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { expired, isStorageError, tooLargeResourceVersion } from "../errors.ts";
import {
  clusterFromKey,
  prefixEnd,
  resourcePrefix,
  type ResourceRef,
  validateKey,
} from "../keys.ts";
import { decodeContinue } from "../continue_token.ts";
import { type KubeObject, parseResourceVersion } from "../object.ts";
import type {
  DeleteOptions,
  DeletePrefixResult,
  GetOptions,
  GuaranteedUpdateOptions,
  ListOptions,
  ListResult,
  Stats,
  Store,
  Watcher,
  WatchOptions,
} from "../store.ts";
import {
  cachedContinueStart,
  getFromCache,
  getJsonFromCache,
  listFromCache,
  listJsonFromCache,
  watchStartEvents,
} from "./cache_reads.ts";
import type { JsonListResult, JsonReads } from "./json_reads.ts";
import { bookmarkEvent, CacheWatcher } from "./cache_watcher.ts";
import { Dispatcher } from "./dispatcher.ts";
import {
  type CacherOptions,
  resolveCacherOptions,
  type ResolvedCacherOptions,
} from "./options.ts";
import { runReflector } from "./reflector.ts";
import { WatchCache } from "./watch_cache.ts";
import { ProgressRequester } from "./progress_requester.ts";
import { createQuietly, type QuietCreates } from "./quiet_creates.ts";

/** How fresh a read must be. */
type Freshness =
  | { kind: "consistent" }
  | { kind: "any" }
  | { kind: "atLeast"; revision: number };

/** How many reads and watches were served by the cache and by the backend. */
export interface ServedCounts {
  cache: { get: number; list: number; watch: number };
  backend: { get: number; list: number; watch: number };
}

/** A {@linkcode Store} that serves reads and watches from a watch cache. */
export class CachedStore implements Store, JsonReads, QuietCreates {
  /** The resource this store serves. */
  readonly resource: ResourceRef;
  /** The wrapped backend store. */
  readonly delegate: Store;

  readonly #opts: ResolvedCacherOptions;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #cache: WatchCache;
  readonly #dispatcher = new Dispatcher();
  readonly #progress: ProgressRequester;
  readonly #stop = new AbortController();
  #reflector?: Promise<void>;
  #bookmarkTimer?: ReturnType<typeof setTimeout>;
  #expiryTimer?: ReturnType<typeof setInterval>;
  #disabled = false;
  #closed = false;
  /** The last fill attempt failed: reads do not wait for the cache. */
  #fillFailed = false;
  #served: ServedCounts = {
    cache: { get: 0, list: 0, watch: 0 },
    backend: { get: 0, list: 0, watch: 0 },
  };

  /** Wraps `delegate`; the cache starts on first use (or now with `eager`). */
  constructor(delegate: Store, opts: CacherOptions = {}) {
    this.delegate = delegate;
    this.resource = delegate.resource;
    this.#opts = resolveCacherOptions(opts);
    this.#prefix = resourcePrefix(delegate.resource);
    this.#log = this.#opts.logger.with({
      component: "watch-cache",
      resource: this.#prefix,
    });
    this.#progress = new ProgressRequester(
      () => delegate.requestWatchProgress(),
      this.#opts.progressIntervalMs,
      () => this.#cache.behind,
    );
    this.#cache = new WatchCache({
      historySize: this.#opts.historySize,
      onEvent: (ev) => this.#dispatcher.dispatch(ev),
      onBehind: () => this.#progress.request(),
    });
    if (this.#opts.eager) this.#start();
  }

  /** True while reads are served from the cache (initialised, not disabled). */
  get serving(): boolean {
    return this.#cache.ready && !this.#disabled && !this.#closed;
  }

  /** The revision the cache is current as of (0 before initialisation). */
  get cacheRevision(): number {
    return this.#cache.revision;
  }

  /** How many requests the cache and the backend served so far (a copy). */
  get served(): ServedCounts {
    return structuredClone(this.#served);
  }

  /**
   * Objects whose texts the cache keeps as shared templates
   * (`text_templates.ts`).
   */
  get sharedTexts(): number {
    return this.#cache.sharedTexts;
  }

  /** Number of watchers served from the cache. */
  get watcherCount(): number {
    return this.#dispatcher.size;
  }

  #start(): void {
    if (this.#reflector || this.#disabled || this.#closed) return;
    this.#reflector = runReflector({
      delegate: this.delegate,
      prefix: this.#prefix,
      cache: this.#cache,
      keyOf: this.#opts.keyOf,
      logger: this.#log,
      signal: this.#stop.signal,
      hooks: {
        // A live change the cache could not read ends its watchers with
        // that error (naming the key, as a backend watch does); lost
        // history with 410 Expired (re-list).
        onInvalidate: (cause) =>
          this.#dispatcher.terminateAll(
            isStorageError(cause, "CorruptObject")
              ? cause
              : expired(this.#cache.revision, this.#cache.revision),
          ),
        onUnkeyed: (ev) => this.#disable(ev.type),
        onBookmark: () => this.#progress.progressed(),
        onFill: (ok) => {
          this.#fillFailed = !ok;
          if (!ok) this.#cache.releaseReadyWaiters();
        },
      },
    });
    this.#scheduleBookmark();
    const maxAge = this.#opts.historyMaxAgeMs;
    this.#expiryTimer = setInterval(
      () => this.#cache.expireHistory(maxAge),
      Math.max(100, Math.floor(maxAge / 10)),
    );
    Deno.unrefTimer(this.#expiryTimer);
  }

  #disable(eventType: string): void {
    this.#log.warn(
      "watch cache disabled: backend watch events carry no storage key; " +
        "serving reads from the backend",
      { eventType },
    );
    this.#disabled = true;
    clearInterval(this.#expiryTimer);
    this.#cache.close(); // releases waiters; reads go to the backend
    this.#dispatcher.terminateAll(
      expired(this.#cache.revision, this.#cache.revision),
    );
    this.#stop.abort();
  }

  #scheduleBookmark(): void {
    if (this.#stop.signal.aborted) return;
    const base = this.#opts.bookmarkIntervalMs;
    const jittered = base * (0.9 + Math.random() * 0.2);
    this.#bookmarkTimer = setTimeout(() => {
      if (this.serving && this.#dispatcher.bookmarkWatchers > 0) {
        this.#dispatcher.bookmark(bookmarkEvent(this.#cache.revision));
      }
      this.#scheduleBookmark();
    }, jittered);
  }

  /** Checks `key` like the backend would; invalid keys go to the backend for its error. */
  #cacheable(key: string): boolean {
    if (!key.startsWith(this.#prefix)) return false;
    try {
      validateKey(key);
    } catch {
      return false;
    }
    return true;
  }

  /**
   * True until the cache holds every object (not started, or its fill
   * runs). A read whose cost at the backend is bounded — one object, one
   * cluster's or namespace's range, a page without a filter — is then
   * served by the backend at once and does not start a fill: a restart's
   * bootstrap reads do not wait for (or start) a fill of 100,000 objects.
   */
  #unfilled(): boolean {
    return !this.#cache.ready && !this.#disabled && !this.#closed;
  }

  /**
   * Waits until the cache can serve a read of `freshness`. Resolves false
   * when the read should go to the backend instead, or (a watch's) when
   * `signal` aborts meanwhile.
   */
  async #ready(freshness: Freshness, signal?: AbortSignal): Promise<boolean> {
    this.#start();
    if (
      !this.#cache.ready && !this.#disabled && !this.#closed &&
      !this.#fillFailed
    ) {
      // First use: a short wait for the initial state beats a backend read
      // (not while fills fail: a corrupt object would make every read wait).
      await this.#cache.waitReady(this.#opts.freshnessTimeoutMs, signal);
    }
    if (!this.serving || signal?.aborted) return false;
    const cache = this.#cache;
    const timeout = this.#opts.freshnessTimeoutMs;
    if (freshness.kind === "any") return true;
    // Without ordered progress the cache cannot learn it is current in time
    // (it would wait for an event): a consistent read goes to the backend.
    if (
      freshness.kind === "consistent" &&
      this.delegate.watchProgressInOrder === false
    ) return false;
    let target: number;
    if (freshness.kind === "consistent") {
      target = await this.delegate.currentRevision();
    } else {
      target = freshness.revision;
      if (target > cache.revision) {
        const current = await this.delegate.currentRevision();
        if (target > current) throw tooLargeResourceVersion(target, current);
      }
    }
    if (!(await cache.waitFor(target, timeout, signal))) {
      if (signal?.aborted) return false;
      this.#log.debug("watch cache: not fresh in time, reading the backend", {
        target,
        revision: cache.revision,
      });
      return false;
    }
    return this.serving;
  }

  /** Sent to the backend. */
  create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.delegate.create(key, obj);
  }

  /** Passed to the backend (through `create` when it has no quiet creates). */
  createQuietly(key: string, obj: KubeObject): Promise<number> {
    return createQuietly(this.delegate, key, obj);
  }

  /** Served from the cache (see the module doc for each resourceVersion). */
  async get(key: string, opts: GetOptions = {}): Promise<KubeObject> {
    if (!(await this.#getFromCache(key, opts))) {
      return this.delegate.get(key, opts);
    }
    return getFromCache(this.#cache, key);
  }

  /**
   * As {@linkcode get}, answered with the object's JSON text: the cache's
   * own text when served from the cache (no copy), else the backend's
   * object encoded.
   */
  async getJson(key: string, opts: GetOptions = {}): Promise<string> {
    if (!(await this.#getFromCache(key, opts))) {
      return JSON.stringify(await this.delegate.get(key, opts));
    }
    return getJsonFromCache(this.#cache, key);
  }

  /** Whether a get is served by the cache (counted); waits for freshness. */
  async #getFromCache(key: string, opts: GetOptions): Promise<boolean> {
    const freshness = this.#freshness(opts.resourceVersion, "");
    if (
      !freshness || !this.#cacheable(key) || this.#unfilled() ||
      !(await this.#ready(freshness))
    ) {
      this.#served.backend.get++;
      return false;
    }
    this.#served.cache.get++;
    return true;
  }

  /** Served from the cache unless it asks for an exact revision. */
  async list(key: string, opts: ListOptions): Promise<ListResult> {
    const start = this.#continueFromCache(key, opts);
    if (start === undefined && !(await this.#listFromCache(key, opts))) {
      return this.delegate.list(key, opts);
    }
    return listFromCache(this.#cache, key, { ...opts, ...start });
  }

  /**
   * As {@linkcode list}, with each item as its JSON text: the cache's own
   * texts when served from the cache (no copies), else the backend's page
   * encoded item by item.
   */
  async listJson(key: string, opts: ListOptions): Promise<JsonListResult> {
    const start = this.#continueFromCache(key, opts);
    if (start === undefined && !(await this.#listFromCache(key, opts))) {
      const page = await this.delegate.list(key, opts);
      return { ...page, items: page.items.map((o) => JSON.stringify(o)) };
    }
    return listJsonFromCache(this.#cache, key, { ...opts, ...start });
  }

  /**
   * Where a continue page starts, when the cache can serve it (counted):
   * nothing in its range changed since the token's revision. Malformed
   * tokens and options the backend refuses go to the backend for its error.
   */
  #continueFromCache(
    key: string,
    opts: ListOptions,
  ): { start: string; revision: number } | undefined {
    if (
      !opts.continue || !opts.recursive || !this.serving ||
      (opts.resourceVersion && opts.resourceVersion !== "0") ||
      opts.resourceVersionMatch || !this.#cacheable(key) || !key.endsWith("/")
    ) return undefined;
    let token;
    try {
      token = decodeContinue(key, opts.continue);
    } catch {
      return undefined;
    }
    if (cachedContinueStart(this.#cache, key, token) === undefined) {
      return undefined;
    }
    this.#served.cache.list++;
    return { start: token.startKey, revision: token.revision };
  }

  /**
   * The keys in `[start, end)` at the cache's current revision (see
   * `key_reads.ts`); `undefined` while the cache does not serve reads.
   */
  currentKeys(start: string, end: string): string[] | undefined {
    if (!this.#cache.ready || this.#disabled || this.#closed) return undefined;
    const keys: string[] = [];
    for (const entry of this.#cache.scan(start, end)) keys.push(entry.key);
    return keys;
  }

  /** See `key_reads.ts`: a consistent count of the keys under `prefix`. */
  async countKeys(prefix: string): Promise<number | undefined> {
    if (!(await this.#listFromCache(prefix, { recursive: true }))) {
      return undefined;
    }
    return this.#cache.countRange(prefix, prefixEnd(prefix));
  }

  /** Whether a list is served by the cache (counted); waits for freshness. */
  async #listFromCache(key: string, opts: ListOptions): Promise<boolean> {
    const freshness = opts.continue ? undefined : this.#freshness(
      opts.resourceVersion,
      opts.resourceVersionMatch ?? "",
      opts.limit,
    );
    if (
      !freshness || !this.#cacheable(key) ||
      (opts.recursive && !key.endsWith("/")) ||
      this.#boundedWhileUnfilled(key, opts) ||
      !(await this.#ready(freshness))
    ) {
      this.#served.backend.list++;
      return false;
    }
    this.#served.cache.list++;
    return true;
  }

  /**
   * A list the backend serves at a bounded cost while unfilled
   * (`#unfilled`): within one cluster, or a page without a filter.
   */
  #boundedWhileUnfilled(key: string, opts: ListOptions): boolean {
    if (!this.#unfilled()) return false;
    if (clusterFromKey(key) !== undefined) return true;
    return (opts.limit ?? 0) > 0 &&
      (!opts.predicate || opts.predicate.everything === true);
  }

  /**
   * What freshness a read asks for, or undefined when only the backend can
   * serve it (exact revisions, malformed values: the backend reports those).
   */
  #freshness(
    rv: string | undefined,
    match: string,
    limit?: number,
  ): Freshness | undefined {
    const n = parseResourceVersion(rv);
    if (n === undefined) return undefined;
    if (match === "Exact") return undefined;
    if (match !== "" && match !== "NotOlderThan") return undefined;
    if (rv === undefined || rv === "") {
      return match === "" ? { kind: "consistent" } : undefined;
    }
    if (n === 0) return { kind: "any" };
    if (match === "" && limit && limit > 0) return undefined; // exact N
    return { kind: "atLeast", revision: n };
  }

  /** Sent to the backend with the cached object as a first guess. */
  guaranteedUpdate(
    key: string,
    opts: GuaranteedUpdateOptions,
  ): Promise<KubeObject> {
    return this.delegate.guaranteedUpdate(key, {
      ...opts,
      cachedExisting: opts.cachedExisting ?? this.#cachedCopy(key),
    });
  }

  /**
   * Sent to the backend with the cached object as a first guess (none for
   * the unsafe delete of a corrupt object: the backend alone can tell).
   */
  delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    if (opts.expectCorrupt) return this.delegate.delete(key, opts);
    return this.delegate.delete(key, {
      ...opts,
      cachedExisting: opts.cachedExisting ?? this.#cachedCopy(key),
    });
  }

  /**
   * Sent to the backend; the cache learns of the removed objects from the
   * backend's DELETED events, like any other write.
   */
  deletePrefix(prefix: string): Promise<DeletePrefixResult> {
    return this.delegate.deletePrefix(prefix);
  }

  #cachedCopy(key: string): KubeObject | undefined {
    if (!this.serving) return undefined;
    const entry = this.#cache.get(key);
    return entry ? JSON.parse(entry.json) : undefined;
  }

  /** Served from the cache; see the module doc. */
  async watch(key: string, opts: WatchOptions): Promise<Watcher> {
    const rv = opts.resourceVersion ?? "";
    const n = parseResourceVersion(rv);
    if (
      n === undefined || !this.#cacheable(key) ||
      (opts.recursive && !key.endsWith("/")) || opts.signal?.aborted
    ) {
      return this.#backendWatch(key, opts);
    }
    const initialState = opts.sendInitialEvents ?? n === 0;
    if (!initialState && n > 0 && !this.#cache.ready) {
      // From a given revision, without state: nothing to wait for — the
      // backend serves it (as it serves one older than the cache's
      // history), and it does not start a fill of every object.
      return this.#backendWatch(key, opts);
    }
    this.#start();
    const signal = opts.signal;
    if (!this.#cache.ready && !this.#disabled && !this.#fillFailed) {
      await this.#cache.waitReady(this.#opts.initTimeoutMs, signal);
    }
    const freshness: Freshness = rv === ""
      ? { kind: "consistent" }
      : n === 0
      ? { kind: "any" }
      : { kind: "atLeast", revision: n };
    let ok: boolean;
    try {
      ok = await this.#ready(freshness, signal);
    } catch (err) {
      if (!isStorageError(err, "TooLargeResourceVersion")) throw err;
      ok = false; // the backend decides how to treat a future revision
    }
    // Stopped while it waited (a controller shutting down during the
    // fills after a restart): over, without a backend watch — one with
    // initial state would read the whole resource only to be dropped.
    if (signal?.aborted) return this.#stoppedWatcher(key, opts);
    if (!ok) return this.#backendWatch(key, opts);
    // Synchronous from here: the start events and the registration happen at
    // one cache revision, so no live event is missed or repeated.
    const fromRevision = n === 0 ? this.#cache.revision : n;
    if (!initialState && fromRevision < this.#cache.historyFloor) {
      // Older than the cache's history: the backend may still have it (and
      // says Expired otherwise).
      return this.#backendWatch(key, opts);
    }
    this.#served.cache.watch++;
    const w = new CacheWatcher({
      key,
      recursive: opts.recursive,
      predicate: opts.predicate,
      allowBookmarks: opts.allowBookmarks ?? false,
      bufferSize: this.#opts.watcherBufferSize,
      onDone: (cw) => this.#dispatcher.remove(cw),
      signal: opts.signal,
    });
    const start = watchStartEvents(this.#cache, {
      key,
      recursive: opts.recursive,
      predicate: opts.predicate,
      initialState,
      initialEventsEnd: opts.sendInitialEvents === true &&
        opts.allowBookmarks === true,
      fromRevision,
    });
    const first = start[0];
    if (first?.type === "ERROR") {
      w.terminate(first.error);
    } else {
      w.setInitial(start);
      this.#dispatcher.add(w);
    }
    return w;
  }

  /** A watcher that is over already (its signal aborted): no events. */
  #stoppedWatcher(key: string, opts: WatchOptions): Watcher {
    return new CacheWatcher({
      key,
      recursive: opts.recursive,
      predicate: opts.predicate,
      allowBookmarks: false,
      bufferSize: this.#opts.watcherBufferSize,
      onDone: () => {},
      signal: opts.signal,
    });
  }

  #backendWatch(key: string, opts: WatchOptions): Promise<Watcher> {
    this.#served.backend.watch++;
    return this.delegate.watch(key, opts);
  }

  /**
   * Brings the cache up to the backend's current revision (bounded), then
   * sends a BOOKMARK to every cache watcher that allows bookmarks; watches
   * served by the backend get the backend's own progress request.
   */
  /** The backend's (its consistent reads are the backend's without it). */
  get watchProgressInOrder(): boolean | undefined {
    return this.delegate.watchProgressInOrder;
  }

  async requestWatchProgress(): Promise<void> {
    await this.delegate.requestWatchProgress();
    if (!this.serving || this.#dispatcher.bookmarkWatchers === 0) return;
    if (this.delegate.watchProgressInOrder === false) {
      // The cache cannot learn it is current; its own revision is safe (every
      // event up to it was dispatched).
      this.#dispatcher.bookmark(bookmarkEvent(this.#cache.revision));
      return;
    }
    if (await this.#ready({ kind: "consistent" })) {
      this.#dispatcher.bookmark(bookmarkEvent(this.#cache.revision));
    }
  }

  /** By the backend. */
  stats(): Promise<Stats> {
    return this.delegate.stats();
  }

  /** By the backend. */
  currentRevision(): Promise<number> {
    return this.delegate.currentRevision();
  }

  /** By the backend; the cache drops its history up to `revision` too. */
  async compact(revision: number): Promise<void> {
    await this.delegate.compact(revision);
    this.noteCompacted(revision);
  }

  /** Drops cache history at or below `revision` (the backend compacted it). */
  noteCompacted(revision: number): void {
    this.#cache.compact(revision);
  }

  /**
   * The backend's readiness. A fill under way does not hold it back: reads
   * meanwhile go to the backend (see the module doc).
   */
  async readiness(): Promise<void> {
    await this.delegate.readiness();
  }

  /** Stops the backend watch and timers and ends every cache watcher. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    clearTimeout(this.#bookmarkTimer);
    clearInterval(this.#expiryTimer);
    const progress = this.#progress.close();
    for (const w of this.#allWatchers()) w.stop();
    this.#cache.close();
    await this.#reflector;
    await progress; // the backend may close right after us
  }

  #allWatchers(): CacheWatcher[] {
    return this.#dispatcher.all();
  }
}
