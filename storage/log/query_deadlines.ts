/**
 * Deadlines for a backend's calls, for clients that have none of their own
 * (the `postgres` driver) or very long ones (the Spanner client): a call to a
 * server that stopped answering (frozen, or the network silent) would wait
 * that long, and with it the API request and the watch tail. Each bounded
 * call fails with `Unavailable` once its deadline passed, as the etcd
 * backend's requests do with their gRPC deadline. A write that timed out may
 * still commit; its late outcome is dropped (the caller was told it is
 * unknown).
 *
 * One sweep timer serves every query in flight (a timer per query costs a
 * noticeable share of a point read), and it runs only while queries are in
 * flight.
 *
 * @module
 */

import { unavailable } from "../errors.ts";

interface Pending {
  readonly expires: number;
  readonly what: string;
  readonly ms: number;
  readonly reject: (err: Error) => void;
  readonly expired?: () => void;
}

/** How often the sweep looks; a deadline may pass by this much more. */
const SWEEP_MS = 250;

/** A request's deadline unless the backend sets another (the etcd backend's). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Readiness answers within this at most (kube-apiserver's etcd check: 2 s);
 * also how long a closing log waits for its last calls.
 */
export const READINESS_TIMEOUT_MS = 2_000;

/** The deadlines of one log's calls to its server. */
export class QueryDeadlines {
  readonly #server: string;
  /** The deadline of a call unless it names another. */
  readonly requestMs: number;
  readonly #pending = new Set<Pending>();
  /** Calls not settled yet, also those whose deadline passed. */
  readonly #unsettled = new Set<PromiseLike<unknown>>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * `server` names the backend and its server in the errors
   * (`postgres: 127.0.0.1:5432/db`); `requestMs` is a call's deadline.
   */
  constructor(server: string, requestMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    this.#server = server;
    this.requestMs = requestMs;
  }

  /** The deadline of a readiness check: 2 s, or the request's if shorter. */
  get readinessMs(): number {
    return Math.min(READINESS_TIMEOUT_MS, this.requestMs);
  }

  /** Queries in flight under a deadline (for tests). */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * `query`'s outcome, or an `Unavailable` error naming `what` once `ms`
   * (default: {@linkcode requestMs}) passed without one. `Infinity`: no
   * deadline, for maintenance that may take long. `expired` is called when
   * the deadline passes, before the rejection: the connection the query
   * went out on may be dead.
   */
  bound<T>(
    query: PromiseLike<T>,
    what: string,
    ms: number = this.requestMs,
    expired?: () => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (ms === Infinity) return query.then(resolve, reject);
      const entry: Pending = {
        expires: performance.now() + ms,
        what,
        ms,
        reject,
        expired,
      };
      this.#pending.add(entry);
      this.#unsettled.add(query);
      this.#timer ??= setInterval(() => this.#sweep(), SWEEP_MS);
      query.then((value) => {
        this.#pending.delete(entry);
        this.#unsettled.delete(query);
        resolve(value);
      }, (err) => {
        this.#pending.delete(entry);
        this.#unsettled.delete(query);
        reject(err);
      });
    });
  }

  /**
   * Resolves once every call has settled, also those whose deadline passed,
   * or after `ms`: a client closed under a call still running may fail
   * where nobody can catch it (the Spanner client's session pool throws when
   * a session comes back after it closed).
   */
  async settled(ms: number): Promise<void> {
    if (this.#unsettled.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#unsettled]),
      new Promise((r) => timer = setTimeout(r, ms)),
    ]);
    clearTimeout(timer);
  }

  /**
   * Fails the queries still in flight with `Unavailable` ("closed") and
   * stops the sweep (the log closes).
   */
  close(): void {
    for (const entry of this.#pending) {
      entry.reject(
        unavailable(`${this.#server}: the log is closed`),
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
      try {
        entry.expired?.();
      } catch {
        // the caller's hook; the rejection goes out regardless
      }
      entry.reject(unavailable(
        `${this.#server} did not answer within ${
          entry.ms / 1000
        }s: ${entry.what}`,
      ));
    }
    if (this.#pending.size === 0) this.#stop();
  }
}
