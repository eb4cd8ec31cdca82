/**
 * One client watch served from the watch cache: initial events (current
 * state or replayed history, unbounded because they are a snapshot), then a
 * bounded queue of live events. A watcher whose queue overflows is ended with
 * an ERROR event instead of blocking the fan-out; other watchers never wait
 * for it.
 *
 * Event objects are shared between watchers and deep-frozen: consumers must
 * not modify them (copy first).
 *
 * @module
 */

import type { KubeObject } from "../object.ts";
import type { Predicate, Watcher, WatchEvent } from "../store.ts";
import { type StorageError, unavailable } from "../errors.ts";
import type { CacheEvent } from "./watch_cache.ts";
import { deepFreeze } from "../../internal/json.ts";

/**
 * The outgoing forms of one cache event, created at most once per event and
 * shared by every watcher that receives that form.
 */
export class OutgoingEvent {
  #ev: CacheEvent;
  #asIs?: WatchEvent;
  #added?: WatchEvent;
  #deleted?: WatchEvent;

  /** Wraps `ev`. */
  constructor(ev: CacheEvent) {
    this.#ev = ev;
  }

  /** The cache event. */
  get event(): CacheEvent {
    return this.#ev;
  }

  /** The event with its own type. */
  get asIs(): WatchEvent {
    return this.#asIs ??= {
      type: this.#ev.type,
      object: this.#ev.object,
      key: this.#ev.key,
    };
  }

  /** The new state as ADDED (the object started matching a filter). */
  get added(): WatchEvent {
    return this.#added ??= {
      type: "ADDED",
      object: this.#ev.object,
      key: this.#ev.key,
    };
  }

  /**
   * DELETED for a watcher whose filter the object left: as upstream, the old
   * state stamped with the revision of the change.
   */
  get deleted(): WatchEvent {
    if (this.#deleted) return this.#deleted;
    const prev = this.#ev.prevObject ?? this.#ev.object;
    const object = deepFreeze({
      ...prev,
      metadata: {
        ...prev.metadata,
        resourceVersion: String(this.#ev.revision),
      },
    });
    return this.#deleted = { type: "DELETED", object, key: this.#ev.key };
  }
}

/**
 * What a watcher with `predicate` sees of `out`: the event itself, its
 * predicate transition (ADDED / DELETED), or nothing.
 */
export function translate(
  out: OutgoingEvent,
  predicate: Predicate | undefined,
): WatchEvent | undefined {
  const ev = out.event;
  if (!predicate || predicate.everything) return out.asIs;
  if (ev.type === "DELETED") {
    return predicate.matches(ev.object) ? out.asIs : undefined;
  }
  const now = predicate.matches(ev.object);
  const before = ev.type === "MODIFIED" && ev.prevObject !== undefined &&
    predicate.matches(ev.prevObject);
  if (now && before) return out.asIs;
  if (now) return out.added;
  if (before) return out.deleted;
  return undefined;
}

/** A BOOKMARK event at `revision`, optionally annotated. */
export function bookmarkEvent(
  revision: number,
  annotations?: Record<string, string>,
): WatchEvent {
  const object: KubeObject = {
    metadata: annotations
      ? { resourceVersion: String(revision), annotations }
      : { resourceVersion: String(revision) },
  };
  return { type: "BOOKMARK", object };
}

/** Options for {@linkcode CacheWatcher}. */
export interface CacheWatcherOptions {
  /** The watched key (recursive: a prefix ending in `/`). */
  key: string;
  recursive: boolean;
  predicate?: Predicate;
  allowBookmarks: boolean;
  /** Live events buffered before the watcher is ended as too slow. */
  bufferSize: number;
  /** Called once when the watcher ends (to unregister it). */
  onDone: (w: CacheWatcher) => void;
  signal?: AbortSignal;
}

/** A watch served from the cache. */
export class CacheWatcher implements Watcher {
  /** The watched key or prefix. */
  readonly key: string;
  /** Whether `key` is a prefix. */
  readonly recursive: boolean;
  /** The filter, if any. */
  readonly predicate?: Predicate;
  /** Whether BOOKMARK events are wanted. */
  readonly allowBookmarks: boolean;

  #initial: WatchEvent[] = [];
  #initialPos = 0;
  #queue: WatchEvent[] = [];
  #head = 0;
  #bufferSize: number;
  #final?: WatchEvent;
  #ended = false; // no more deliveries accepted
  #done = false; // iterator finished
  #wake?: () => void;
  #onDone: (w: CacheWatcher) => void;
  #signal?: AbortSignal;
  #onAbort = () => this.stop();

  /** A watcher; feed it with {@linkcode setInitial} and {@linkcode deliver}. */
  constructor(opts: CacheWatcherOptions) {
    this.key = opts.key;
    this.recursive = opts.recursive;
    this.predicate = opts.predicate;
    this.allowBookmarks = opts.allowBookmarks;
    this.#bufferSize = opts.bufferSize;
    this.#onDone = opts.onDone;
    this.#signal = opts.signal;
    if (opts.signal?.aborted) this.stop();
    else opts.signal?.addEventListener("abort", this.#onAbort);
  }

  /** True once the watcher accepts no more events. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sets the events sent before any live event (snapshot or replay). */
  setInitial(events: WatchEvent[]): void {
    this.#initial = events;
    this.#initialPos = 0;
    this.#notify();
  }

  /** Queues a live event for this watcher (after filtering). */
  deliver(out: OutgoingEvent): void {
    if (this.#ended) return;
    const ev = translate(out, this.predicate);
    if (ev) this.#push(ev);
  }

  /** Queues a BOOKMARK if bookmarks are wanted and there is room (never ends the watcher). */
  bookmark(ev: WatchEvent): void {
    if (this.#ended || !this.allowBookmarks) return;
    if (this.#queue.length - this.#head >= this.#bufferSize) return;
    this.#queue.push(ev);
    this.#notify();
  }

  #push(ev: WatchEvent): void {
    if (this.#queue.length - this.#head >= this.#bufferSize) {
      this.terminate(
        unavailable(
          `watch of ${this.key} ended: the client did not keep up ` +
            `(more than ${this.#bufferSize} events buffered); restart the watch`,
        ),
      );
      return;
    }
    this.#queue.push(ev);
    this.#notify();
  }

  /** Ends the watcher with one ERROR event (buffered events are dropped). */
  terminate(error: StorageError): void {
    if (this.#ended) return;
    this.#final = { type: "ERROR", error };
    this.#initial = [];
    this.#initialPos = 0;
    this.#queue = [];
    this.#head = 0;
    this.#end();
    this.#notify();
  }

  /** Ends the watch; the iterator finishes. */
  stop(): void {
    this.#done = true;
    this.#final = undefined;
    this.#initial = [];
    this.#queue = [];
    this.#head = 0;
    this.#end();
    this.#notify();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#onDone(this);
  }

  #notify(): void {
    const wake = this.#wake;
    if (wake) {
      this.#wake = undefined;
      wake();
    }
  }

  #take(): IteratorResult<WatchEvent> | undefined {
    if (this.#done) return { done: true, value: undefined };
    if (this.#initialPos < this.#initial.length) {
      const value = this.#initial[this.#initialPos];
      // Sent events are not kept (a snapshot can be the whole resource).
      this.#initial[this.#initialPos++] = undefined as unknown as WatchEvent;
      if (this.#initialPos === this.#initial.length) {
        this.#initial = [];
        this.#initialPos = 0;
      }
      return { done: false, value };
    }
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head++];
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      return { done: false, value };
    }
    if (this.#final) {
      const value = this.#final;
      this.#final = undefined;
      this.#done = true;
      return { done: false, value };
    }
    if (this.#ended) {
      this.#done = true;
      return { done: true, value: undefined };
    }
    return undefined;
  }

  /** The next event; resolves done when the watch has ended. */
  async next(): Promise<IteratorResult<WatchEvent>> {
    for (;;) {
      const r = this.#take();
      if (r) return r;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
