/**
 * The in-memory state of one cached key range: the current objects by key
 * (with a sorted index for ordered prefix scans), a bounded ring of recent
 * events for watch resumption, the revision the state is current as of, and
 * waiters for "the cache has caught up to revision N".
 *
 * Everything here is synchronous, so a list or a watch registration sees one
 * consistent revision without locks.
 *
 * @module
 */

import { Waiters } from "./_waiters.ts";
import type { KubeObject } from "../object.ts";
import { EventRing } from "./event_ring.ts";
import { SortedKeys } from "./sorted_keys.ts";
import { deepFreeze } from "../../internal/json.ts";
import { noteGarbage } from "../../internal/garbage_hint.ts";
import { type TextTemplate, TextTemplates } from "./text_templates.ts";

/**
 * One object held by the cache, as its JSON text only: a decoded object
 * costs V8 about twice the text (every small object and string of the
 * tree), so the cache keeps the text and decodes when something needs the
 * object (a filter, a watch start, a private copy).
 */
export interface CacheEntry {
  key: string;
  /** The object's JSON (`JSON.stringify` of the backend's object). */
  json: string;
  /** The revision of the object's last change. */
  revision: number;
  /**
   * The last decoded form, while something still holds it: watches that
   * start together (informers after a restart) share one decode per object
   * instead of one each, without the cache keeping objects alive.
   */
  decoded?: WeakRef<KubeObject>;
}

/**
 * An entry whose text is kept as a template shared with equal texts and its
 * own values (`text_templates.ts`), rebuilt when read. An entry kept whole
 * is a plain {@linkcode CacheEntry}.
 */
class SharedEntry implements CacheEntry {
  readonly key: string;
  readonly revision: number;
  decoded?: WeakRef<KubeObject>;
  readonly template: TextTemplate;
  /** The values the template is filled with. */
  readonly #values: string;

  constructor(
    key: string,
    revision: number,
    template: TextTemplate,
    values: string,
  ) {
    this.key = key;
    this.revision = revision;
    this.template = template;
    this.#values = values;
  }

  get json(): string {
    return this.template.fill(this.#values);
  }
}

/**
 * The entry's object, decoded and frozen: shared with whoever decoded it
 * last while that copy is alive, else decoded now.
 */
export function entryObject(entry: CacheEntry): KubeObject {
  const alive = entry.decoded?.deref();
  if (alive) return alive;
  const object = decodeFrozen(entry.json);
  entry.decoded = new WeakRef(object);
  return object;
}

/**
 * A frozen object decoded from `json`. What is frozen and kept is a
 * structured clone of the parsed object, not the parsed object itself:
 * in a loaded server (10,000 clusters) `JSON.parse` slowed from ~3 to ~50 µs
 * per object while the watchers kept the parsed objects (a restart's
 * 700,000 decodes took 14.4 s), and stayed at ~3.5 µs (2.5 s) with the
 * clone kept instead; creating 10,000 clusters cost 7% less CPU
 * (`bench/README.md`, "Twelfth round"). The cause in V8 is not known.
 */
export function decodeFrozen(json: string): KubeObject {
  return deepFreeze(structuredClone(JSON.parse(json)));
}

/**
 * What the text at `key` likely shares a template with: the key without
 * its cluster (`…/clusters//<rest>`), the same for every cluster's copy of
 * a bootstrap object. Only a hint: a wrong one costs a failed match.
 */
function templateHint(key: string): string | undefined {
  const at = key.indexOf("/clusters/");
  if (at < 0) return undefined;
  const end = key.indexOf("/", at + 10);
  return end < 0 ? undefined : key.slice(0, at + 10) + key.slice(end);
}

/**
 * A fill's entries as the backend's state arrives (a restart's), each text
 * shared through the fill's own templates at once (`text_templates.ts`),
 * so the whole texts die young: kept whole until the cache was filled and
 * shared seconds later, 640,000 texts (10,000 clusters) were ~450 MB of old
 * garbage, and a restart's heap peaked at 2.1–2.2 GB (1.8 GB shared as they
 * arrive), leaving a fragmented 1.4 GB where the live heap is 0.7 GB.
 * {@linkcode WatchCache.replace} takes the entries and the templates.
 */
export class CacheFill {
  /** The entries, in the order added. */
  readonly entries: CacheEntry[] = [];
  /** The templates the entries' shared texts use (the cache's from then on). */
  readonly templates: TextTemplates = new TextTemplates();
  /** How many entries keep their text through a template. */
  shared = 0;

  /** Adds the state of `key`. */
  add(key: string, json: string, revision: number): void {
    const shared = this.templates.share(json, templateHint(key));
    if (shared) {
      this.shared++;
      this.entries.push(
        new SharedEntry(key, revision, shared.template, shared.values),
      );
    } else this.entries.push({ key, json, revision });
  }
}

/** A text as an event holds it: whole, or as the cache entry that holds it. */
type HeldText = string | CacheEntry;

function textOf(held: HeldText): string {
  return typeof held === "string" ? held : held.json;
}

/**
 * One change applied to the cache, as kept in the history ring. The
 * states are held as JSON texts — after the fan-out, as the cache entries
 * that hold them ({@linkcode CacheEvent.shareText}), so the ring keeps no
 * second copy of a text the cache keeps compactly; {@linkcode
 * CacheEvent.object} and {@linkcode CacheEvent.prevObject} decode them
 * (once, frozen, shared by every watcher) until {@linkcode
 * CacheEvent.release} lets the decoded forms go, so the ring holds text
 * only.
 */
export class CacheEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly key: string;
  readonly revision: number;
  /** When the event was applied (`performance.now()`), for the history's age. */
  readonly at = performance.now();
  #json: HeldText;
  #prevJson?: HeldText;
  #object?: KubeObject;
  #prevObject?: KubeObject;

  /**
   * An event; `prevJson` is the state before (a text, or the entry that
   * held it); `object`, when given, is `json` already decoded and frozen.
   */
  constructor(
    type: "ADDED" | "MODIFIED" | "DELETED",
    key: string,
    json: string,
    revision: number,
    prevJson?: HeldText,
    object?: KubeObject,
  ) {
    this.type = type;
    this.key = key;
    this.#json = json;
    this.revision = revision;
    this.#prevJson = prevJson;
    this.#object = object;
  }

  /** The new state (DELETED: the last state, resourceVersion = delete revision). */
  get json(): string {
    return textOf(this.#json);
  }

  /** The state before a change (not kept for DELETED), when the cache had it. */
  get prevJson(): string | undefined {
    return this.#prevJson === undefined ? undefined : textOf(this.#prevJson);
  }

  /**
   * The characters of whole text this event holds: what its expiry frees
   * (a shared entry's text is mostly its template, which others share).
   */
  get heldChars(): number {
    const whole = (held: HeldText | undefined) =>
      held === undefined || held instanceof SharedEntry
        ? 0
        : typeof held === "string"
        ? held.length
        : held.json.length;
    return whole(this.#json) + whole(this.#prevJson);
  }

  /** The new state, decoded and frozen. */
  get object(): KubeObject {
    return this.#object ??= decodeFrozen(this.json);
  }

  /** The previous state, decoded and frozen, when known. */
  get prevObject(): KubeObject | undefined {
    if (this.#prevJson === undefined) return undefined;
    return this.#prevObject ??= decodeFrozen(textOf(this.#prevJson));
  }

  /**
   * Reads the new state from `entry` from now on: the cache entry made
   * from this event's text, which holds it compactly.
   */
  shareText(entry: CacheEntry): void {
    this.#json = entry;
  }

  /** Lets the decoded states go (they are decoded again when asked for). */
  release(): void {
    this.#object = undefined;
    this.#prevObject = undefined;
  }
}

/** Options for {@linkcode WatchCache}. */
export interface WatchCacheOptions {
  /** Events kept for watch resumption. */
  historySize: number;
  /** Called for every applied event (the watcher fan-out). */
  onEvent?: (event: CacheEvent) => void;
  /** Called when a waiter starts waiting for a revision the cache has not reached. */
  onBehind?: () => void;
}

/** The state and history of one cached key range. */
export class WatchCache {
  #entries = new Map<string, CacheEntry>();
  #templates = new TextTemplates();
  #sharedCount = 0;
  #keys = new SortedKeys();
  #ring: EventRing<CacheEvent>;
  #revision = 0;
  /**
   * True while the cache revision came from an applied change, not from a
   * list or a bookmark: more changes of that revision may follow (etcd's
   * DeleteRange gives every key it removes one revision).
   */
  #openRevision = false;
  #ready = false;
  #waiters = new Waiters();
  #readyWaiters = new Waiters();
  #opts: WatchCacheOptions;

  /** An empty, not yet initialised cache. */
  constructor(opts: WatchCacheOptions) {
    this.#opts = opts;
    this.#ring = new EventRing(opts.historySize, 0);
  }

  /** The revision the cache is current as of. */
  get revision(): number {
    return this.#revision;
  }

  /** True once the cache holds a complete state (after {@linkcode replace}). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Watches from a revision below this one cannot be served from history. */
  get historyFloor(): number {
    return this.#ring.floor;
  }

  /** Number of objects held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Replaces the whole state with `fill`'s entries at `revision`; history restarts there. */
  replace(fill: CacheFill, revision: number): void {
    this.#entries.clear();
    this.#keys.clear();
    // The old entries go, and their templates with them.
    this.#templates = fill.templates;
    this.#sharedCount = fill.shared;
    for (const e of fill.entries) {
      this.#entries.set(e.key, e);
      this.#keys.insert(e.key);
    }
    this.#ring.reset(revision);
    this.#revision = revision;
    this.#openRevision = false;
    this.#ready = true;
    this.#readyWaiters.wake(0);
    this.#wake();
  }

  /** Marks the cache as not ready (its source failed and a rebuild is due). */
  invalidate(): void {
    this.#ready = false;
  }

  /**
   * Applies one change at `revision`, which must exceed the cache revision
   * or equal it right after another change of that revision (a DeleteRange);
   * older changes are ignored and reported as false. `object`, when given,
   * is `json` decoded already and deep-frozen: the watchers get it as it is.
   */
  apply(
    type: "ADDED" | "MODIFIED" | "DELETED",
    key: string,
    json: string,
    revision: number,
    object?: KubeObject,
  ): boolean {
    if (
      revision < this.#revision ||
      (revision === this.#revision && !this.#openRevision)
    ) return false;
    const prev = this.#entries.get(key);
    let event: CacheEvent;
    let shared: SharedEntry | undefined;
    if (type === "DELETED") {
      if (prev) {
        this.#entries.delete(key);
        this.#keys.delete(key);
        this.#release(prev);
      }
      // A DELETED event needs only the last state (filters read that).
      event = new CacheEvent(type, key, json, revision);
    } else {
      shared = this.#shared(key, json, revision);
      this.#entries.set(key, shared ?? { key, json, revision });
      if (!prev) this.#keys.insert(key);
      event = new CacheEvent(
        prev ? "MODIFIED" : "ADDED",
        key,
        json,
        revision,
        prev,
        object,
      );
      if (prev) this.#release(prev);
    }
    this.#ring.push(event);
    this.#revision = revision;
    this.#openRevision = true;
    this.#opts.onEvent?.(event);
    event.release(); // the ring keeps the texts only
    if (shared) event.shareText(shared);
    this.#wake();
    return true;
  }

  /** Records that the source is current as of `revision` (a bookmark). */
  advance(revision: number): void {
    if (revision <= this.#revision) return;
    this.#revision = revision;
    this.#openRevision = false;
    this.#wake();
  }

  /** Drops history at or below `revision` (the backend compacted it). */
  compact(revision: number): void {
    this.#ring.dropThrough(revision);
  }

  /**
   * Drops history applied more than `maxAgeMs` ago (upstream's cacher keeps
   * ~75 s): after a burst the ring does not hold its texts for good.
   */
  expireHistory(maxAgeMs: number, now = performance.now()): void {
    let bytes = 0;
    this.#ring.dropWhile((ev) => {
      if (now - ev.at <= maxAgeMs) return false;
      bytes += ev.heldChars;
      return true;
    });
    // A quiet process gets no collection from V8 for these: say so
    // (`internal/garbage_hint.ts`; texts of deleted objects are freed here).
    noteGarbage(bytes);
  }

  /** The entry at `key`, if any. */
  get(key: string): CacheEntry | undefined {
    return this.#entries.get(key);
  }

  /** Entries with keys in `[start, end)` in key order (`end` `""` = unbounded). */
  *scan(start: string, end: string): IterableIterator<CacheEntry> {
    for (const k of this.#keys.scan(start, end)) yield this.#entries.get(k)!;
  }

  /** Number of keys in `[start, end)`. */
  countRange(start: string, end: string): number {
    return this.#keys.countRange(start, end);
  }

  /**
   * The history events after `revision`, or undefined when it is below the
   * floor. Call {@linkcode CacheEvent.release} on each when done with it.
   */
  eventsSince(revision: number): CacheEvent[] | undefined {
    if (revision < this.#ring.floor) return undefined;
    return this.#ring.since(revision);
  }

  /**
   * Resolves true once the cache revision is `>= revision`, false after
   * `timeoutMs`, when the cache is closed, or when `signal` aborts.
   */
  waitFor(
    revision: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (this.#revision >= revision) return Promise.resolve(true);
    const caughtUp = this.#waiters.wait(revision, timeoutMs, signal);
    this.#opts.onBehind?.();
    return caughtUp;
  }

  /**
   * Resolves every {@linkcode waitReady} with false now (a fill failed: the
   * readers go elsewhere instead of waiting out their timeout).
   */
  releaseReadyWaiters(): void {
    this.#readyWaiters.releaseAll();
  }

  /**
   * Resolves true once the cache is ready, false after `timeoutMs`, on
   * close, or when `signal` aborts.
   */
  waitReady(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#ready) return Promise.resolve(true);
    return this.#readyWaiters.wait(0, timeoutMs, signal);
  }

  /** True while someone waits for a revision the cache has not reached. */
  get behind(): boolean {
    return this.#waiters.size > 0;
  }

  /** Entries whose texts are kept as shared templates (diagnostics, tests). */
  get sharedTexts(): number {
    return this.#sharedCount;
  }

  /**
   * The entry with its text shared through a template, when it can be (the
   * caller stores it).
   */
  #shared(
    key: string,
    json: string,
    revision: number,
  ): SharedEntry | undefined {
    const shared = this.#templates.share(json, templateHint(key));
    if (!shared) return undefined;
    this.#sharedCount++;
    return new SharedEntry(key, revision, shared.template, shared.values);
  }

  /** Gives back the template of an entry the cache no longer holds. */
  #release(entry: CacheEntry): void {
    if (!(entry instanceof SharedEntry)) return;
    this.#templates.release(entry.template);
    this.#sharedCount--;
  }

  #wake(): void {
    this.#waiters.wake(this.#revision);
  }

  /** Releases every waiter (with false) and drops the state. */
  close(): void {
    this.#waiters.releaseAll();
    this.#readyWaiters.releaseAll();
    this.#entries.clear();
    this.#keys.clear();
    this.#templates.clear();
    this.#sharedCount = 0;
    this.#ring.reset(this.#revision);
    this.#ready = false;
  }
}
