/**
 * Deadlines for queries. The driver has none: a query to a PostgreSQL that
 * stopped answering (frozen, or the network silent) waits forever, and with
 * it the API request, `/readyz` and the watch tail. Each bounded query fails
 * with `Unavailable` once its deadline passed, as the etcd backend's
 * requests do with their gRPC deadline. A write that timed out may still
 * commit; its late outcome is dropped (the caller was told it is unknown).
 *
 * One sweep timer serves every query in flight (a timer per query costs a
 * noticeable share of a point read), and it runs only while queries are in
 * flight.
 *
 * @module
 */

import { unavailable } from "../../storage/mod.ts";

interface Pending {
  readonly expires: number;
  readonly what: string;
  readonly ms: number;
  readonly reject: (err: Error) => void;
}

/** How often the sweep looks; a deadline may pass by this much more. */
const SWEEP_MS = 250;

/** The deadlines of one log's queries. */
export class QueryDeadlines {
  readonly #endpoint: string;
  readonly #pending = new Set<Pending>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `endpoint` names the server in the errors (`host:port/db`). */
  constructor(endpoint: string) {
    this.#endpoint = endpoint;
  }

  /** Queries in flight under a deadline (for tests). */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * `query`'s outcome, or an `Unavailable` error naming `what` once `ms`
   * passed without one.
   */
  bound<T>(query: PromiseLike<T>, what: string, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        expires: performance.now() + ms,
        what,
        ms,
        reject,
      };
      this.#pending.add(entry);
      this.#timer ??= setInterval(() => this.#sweep(), SWEEP_MS);
      query.then((value) => {
        this.#pending.delete(entry);
        resolve(value);
      }, (err) => {
        this.#pending.delete(entry);
        reject(err);
      });
    });
  }

  /**
   * Fails the queries still in flight with `Unavailable` ("closed") and
   * stops the sweep (the log closes).
   */
  close(): void {
    for (const entry of this.#pending) {
      entry.reject(
        unavailable(`postgres: ${this.#endpoint}: the log is closed`),
      );
    }
    this.#pending.clear();
    this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = performance.now();
    for (const entry of this.#pending) {
      if (entry.expires > now) continue;
      this.#pending.delete(entry);
      entry.reject(unavailable(
        `postgres: ${this.#endpoint} did not answer within ${
          entry.ms / 1000
        }s: ${entry.what}`,
      ));
    }
    if (this.#pending.size === 0) this.#stop();
  }
}
