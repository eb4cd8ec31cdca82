/**
 * One timer for every connection timeout of the TLS front, instead of a
 * `setTimeout`/`clearTimeout` pair per request: a keep-alive connection
 * re-arms its header and idle timeouts on every request, and the runtime's
 * timers showed up in profiles of small GETs (node:timers objects, one
 * timer registration each). Connections set a deadline (a number); one
 * interval, running only while some deadline is set, expires the due ones.
 * A timeout fires up to one tick late; the tick is a quarter of the
 * shortest timeout (10 ms–1 s), so 30 s timeouts fire within 31 s.
 *
 * @module
 */

/** Something with a deadline. */
export interface Expiring {
  /** Called once its deadline has passed (the deadline is cleared first). */
  expire(): void;
}

/** Deadlines checked by one interval. */
export class Deadlines {
  readonly #tickMs: number;
  readonly #due = new Map<Expiring, number>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `shortestMs`: the shortest timeout in use (sets the tick). */
  constructor(shortestMs: number) {
    this.#tickMs = Math.min(1_000, Math.max(10, Math.floor(shortestMs / 4)));
  }

  /** The tick, in milliseconds. */
  get tickMs(): number {
    return this.#tickMs;
  }

  /** How many deadlines are set. */
  get size(): number {
    return this.#due.size;
  }

  /** Sets (or moves) `item`'s deadline to `ms` from now. */
  set(item: Expiring, ms: number): void {
    this.#due.set(item, performance.now() + ms);
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs);
  }

  /** Clears `item`'s deadline, if any. */
  clear(item: Expiring): void {
    if (!this.#due.delete(item) || this.#due.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = performance.now();
    const expired: Expiring[] = [];
    for (const [item, at] of this.#due) if (at <= now) expired.push(item);
    for (const item of expired) {
      this.clear(item);
      item.expire();
    }
  }
}
