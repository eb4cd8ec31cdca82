/**
 * A rate-limited work queue with client-go's semantics: an item added while
 * queued is not queued twice; an item added while being processed is queued
 * again only after `done`; `addRateLimited` retries with backoff; `forget`
 * clears the backoff; `shutDown` wakes every waiting worker.
 *
 * @module
 */

import { defaultRateLimiter, type RateLimiter } from "./rate_limiter.ts";

/** A queue of string keys. */
export class WorkQueue {
  #queue: string[] = [];
  #head = 0;
  #dirty = new Set<string>();
  #processing = new Set<string>();
  #waiters: Array<(item: string | undefined) => void> = [];
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #shuttingDown = false;
  #drained: Array<() => void> = [];
  readonly #limiter: RateLimiter;

  /** A queue whose retries wait as `limiter` says. */
  constructor(limiter: RateLimiter = defaultRateLimiter()) {
    this.#limiter = limiter;
  }

  /** Items waiting to be handed out. */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** True once {@linkcode WorkQueue.shutDown} was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queues `item` unless it is already queued. */
  add(item: string): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    const w = this.#waiters.shift();
    if (w) {
      this.#dirty.delete(item);
      this.#processing.add(item);
      w(item);
      return;
    }
    this.#queue.push(item);
  }

  /** Queues `item` after `ms` milliseconds (an earlier pending add wins). */
  addAfter(item: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(item);
    if (this.#timers.has(item)) return;
    const id = setTimeout(() => {
      this.#timers.delete(item);
      this.add(item);
    }, ms);
    this.#timers.set(item, id);
  }

  /** Queues `item` after its rate limiter's delay (counts a failure). */
  addRateLimited(item: string): void {
    this.addAfter(item, this.#limiter.when(item));
  }

  /** Clears `item`'s backoff (call after it succeeded). */
  forget(item: string): void {
    this.#limiter.forget(item);
  }

  /** Failures of `item` since it was last forgotten. */
  numRequeues(item: string): number {
    return this.#limiter.numRequeues(item);
  }

  /** The next item; `undefined` once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.length > 0) {
      const item = this.#queue[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#dirty.delete(item);
      this.#processing.add(item);
      return Promise.resolve(item);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `item` processed; re-queues it if it was added meanwhile. */
  done(item: string): void {
    this.#processing.delete(item);
    if (this.#dirty.has(item)) {
      this.#dirty.delete(item);
      this.add(item);
    }
    if (this.#processing.size === 0) {
      for (const d of this.#drained.splice(0)) d();
    }
  }

  /**
   * Stops the queue: no new items, pending delayed adds are dropped, and
   * waiting workers get `undefined`. Resolves once items being processed
   * are done (`drain`) or at once.
   */
  shutDown(drain = false): Promise<void> {
    this.#shuttingDown = true;
    for (const id of this.#timers.values()) clearTimeout(id);
    this.#timers.clear();
    this.#queue = [];
    this.#head = 0;
    this.#dirty.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
    if (!drain || this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }
}

/**
 * Runs `workers` loops taking items from `queue` and calling `handle`; a
 * thrown error re-queues the item with backoff (`onError` is told), success
 * forgets its backoff. Resolves when the queue shuts down.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  handle: (item: string) => Promise<void>,
  onError: (item: string, error: unknown) => void,
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        await handle(item);
        queue.forget(item);
      } catch (e) {
        onError(item, e);
        queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
