/**
 * Retry delays for work-queue items, as client-go's default controller rate
 * limiter: the larger of a per-item exponential backoff (5 ms doubling to
 * 1000 s) and an overall token bucket (10 per second, burst 100).
 *
 * @module
 */

/** Decides how long an item waits before its next retry. */
export interface RateLimiter {
  /** The delay before `item` is retried (counts a failure). */
  when(item: string): number;
  /** Forgets `item`'s failures (after a success). */
  forget(item: string): void;
  /** How many failures `item` has had since it was last forgotten. */
  numRequeues(item: string): number;
}

/** Per-item exponential backoff: `base * 2^failures`, capped at `max`. */
export class ExponentialBackoff implements RateLimiter {
  #failures = new Map<string, number>();

  constructor(readonly baseMs = 5, readonly maxMs = 1_000_000) {}

  when(item: string): number {
    const n = this.#failures.get(item) ?? 0;
    this.#failures.set(item, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(item: string): void {
    this.#failures.delete(item);
  }

  numRequeues(item: string): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket: `qps` tokens per second, at most `burst` saved.
 * Each retry takes a token; with none left it waits for the next one.
 */
export class TokenBucket implements RateLimiter {
  #tokens: number;
  #last: number;

  constructor(
    readonly qps = 10,
    readonly burst = 100,
    readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  when(_item: string): number {
    const t = this.now();
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + (t - this.#last) * this.qps / 1000,
    );
    this.#last = t;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens) * 1000 / this.qps;
  }

  forget(_item: string): void {}

  numRequeues(_item: string): number {
    return 0;
  }
}

/** The largest delay of several limiters. */
export class MaxOf implements RateLimiter {
  constructor(readonly limiters: RateLimiter[]) {}

  when(item: string): number {
    return Math.max(...this.limiters.map((l) => l.when(item)));
  }

  forget(item: string): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/** client-go's `DefaultControllerRateLimiter`. */
export function defaultRateLimiter(): RateLimiter {
  return new MaxOf([new ExponentialBackoff(5, 1_000_000), new TokenBucket()]);
}
