/**
 * Readers waiting for the cache to reach a revision, each with a deadline,
 * behind one timer for all of them. A timer per waiter (the first version)
 * cost ~2 % of the API server's CPU at ~2,000 creates/s, one consistent
 * namespace read per create.
 *
 * @module
 */

interface Waiter {
  revision: number;
  deadline: number;
  /** Settles the wait (and forgets its signal's listener). */
  resolve: (caughtUp: boolean) => void;
}

/** Waiters for "revision ≥ N", resolved by {@linkcode Waiters.wake} or their deadline. */
export class Waiters {
  #set = new Set<Waiter>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  /** Number of waiters. */
  get size(): number {
    return this.#set.size;
  }

  /**
   * Resolves true when woken at `≥ revision`, false after `timeoutMs` or
   * as soon as `signal` aborts (the waiter is then forgotten: a watch that
   * was stopped while it waited for the cache does not wait it out).
   */
  wait(
    revision: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((settle) => {
      const deadline = performance.now() + timeoutMs;
      const waiter: Waiter = { revision, deadline, resolve: settle };
      if (signal) {
        const onAbort = () => {
          if (!this.#set.delete(waiter)) return;
          if (this.#set.size === 0) this.#disarm();
          settle(false);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        waiter.resolve = (caughtUp) => {
          signal.removeEventListener("abort", onAbort);
          settle(caughtUp);
        };
      }
      this.#set.add(waiter);
      if (deadline < this.#timerAt) this.#arm(deadline);
    });
  }

  /** Resolves (true) every waiter whose revision is `≤ revision`. */
  wake(revision: number): void {
    if (this.#set.size === 0) return;
    for (const w of this.#set) {
      if (w.revision <= revision) {
        this.#set.delete(w);
        w.resolve(true);
      }
    }
    if (this.#set.size === 0) this.#disarm();
  }

  /** Resolves every waiter with false and stops the timer. */
  releaseAll(): void {
    const all = [...this.#set];
    this.#set.clear();
    this.#disarm();
    for (const w of all) w.resolve(false);
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => this.#expire(),
      Math.max(0, at - performance.now()),
    );
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const w of this.#set) {
      if (w.deadline <= now) {
        this.#set.delete(w);
        w.resolve(false);
      } else if (w.deadline < next) {
        next = w.deadline;
      }
    }
    if (next < Infinity) this.#arm(next);
  }
}
