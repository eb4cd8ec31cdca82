/**
 * A concurrency pool with fair queuing: at most `limit` requests run at
 * once; beyond that each flow (one user in one virtual cluster) waits in
 * its own queue, and every freed seat goes to the next flow in round-robin
 * order — so one flow sending a thousand requests waits behind itself,
 * while another flow's single request gets the next seat. A full queue, or
 * a wait longer than `queueWaitMs`, is a rejection (the caller answers 429).
 * The observable behaviour of API Priority and Fairness' fair queuing,
 * without shuffle sharding (one queue per flow, created on demand).
 *
 * @module
 */

/** Options for {@linkcode FairPool}. */
export interface FairPoolOptions {
  /** Requests that may run at once (≥ 1). */
  limit: number;
  /** Requests one flow may have waiting (default 50). */
  queueLength?: number;
  /** The longest a request waits for a seat (ms, default 10 000). */
  queueWaitMs?: number;
}

/** Why a request got no seat. */
export type Rejection = "queue-full" | "time-out" | "cancelled";

interface Waiter {
  resolve(release: () => void): void;
  reject(why: Rejection): void;
}

/** See the module doc. */
export class FairPool {
  readonly limit: number;
  readonly #queueLength: number;
  readonly #queueWaitMs: number;
  #running = 0;
  #waiting = 0;
  /** Waiting requests per flow; only flows with waiters are kept. */
  readonly #queues = new Map<string, Waiter[]>();
  /** Flows with waiters, in round-robin order. */
  #ring: string[] = [];
  #next = 0;

  constructor(opts: FairPoolOptions) {
    this.limit = Math.max(1, Math.floor(opts.limit));
    this.#queueLength = opts.queueLength ?? 50;
    this.#queueWaitMs = opts.queueWaitMs ?? 10_000;
  }

  /** Requests running now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * A seat for one request of `flow`: resolves with the function that gives
   * it back (call it exactly once), or rejects with a {@linkcode Rejection}.
   */
  acquire(flow: string, signal?: AbortSignal): Promise<() => void> {
    if (this.#running < this.limit && this.#waiting === 0) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    let queue = this.#queues.get(flow);
    if ((queue?.length ?? 0) >= this.#queueLength) {
      return Promise.reject<() => void>("queue-full" satisfies Rejection);
    }
    if (signal?.aborted) {
      return Promise.reject<() => void>("cancelled" satisfies Rejection);
    }
    if (!queue) {
      queue = [];
      this.#queues.set(flow, queue);
      this.#ring.push(flow);
    }
    const q = queue;
    return new Promise<() => void>((resolve, reject) => {
      const leave = (why: Rejection) => {
        const i = q.indexOf(waiter);
        if (i < 0) return;
        q.splice(i, 1);
        this.#waiting--;
        if (q.length === 0) this.#dropFlow(flow);
        done();
        reject(why);
      };
      const onAbort = () => leave("cancelled");
      const timer = setTimeout(() => leave("time-out"), this.#queueWaitMs);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        resolve: (release) => {
          done();
          resolve(release);
        },
        reject,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      q.push(waiter);
      this.#waiting++;
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#handOver();
    };
  }

  /** A seat was freed: give it to the next flow's first waiter. */
  #handOver(): void {
    if (this.#ring.length === 0) {
      this.#running--;
      return;
    }
    if (this.#next >= this.#ring.length) this.#next = 0;
    const flow = this.#ring[this.#next];
    const q = this.#queues.get(flow)!;
    const waiter = q.shift()!;
    this.#waiting--;
    if (q.length === 0) this.#dropFlow(flow);
    else this.#next++;
    waiter.resolve(this.#releaser());
  }

  #dropFlow(flow: string): void {
    this.#queues.delete(flow);
    const i = this.#ring.indexOf(flow);
    if (i < 0) return;
    this.#ring.splice(i, 1);
    if (i < this.#next) this.#next--;
  }
}
