/**
 * The query pool, replaced when a query on it passed its deadline.
 *
 * A connection whose peer is gone without a word (a network partition, a
 * lost NAT or firewall state, a host that vanished) still looks open to the
 * driver: a query on it waits until TCP gives up, which takes up to ~15
 * minutes, and the driver keeps pipelining further queries onto it meanwhile.
 * A deadline that passes is the only sign, and it does not say which of the
 * pool's connections is dead, so the whole pool is replaced: new queries go
 * to fresh connections at once, and the old pool gets the request deadline
 * to finish the queries that are still alive before it is destroyed. A pool
 * is replaced at most once per request deadline, so a long outage, in which
 * every query passes its deadline, keeps at most two pools (the current one
 * and the one retiring) and does not pile up connection attempts.
 *
 * @module
 */

import type { Sql } from "./_client.ts";

/** The current pool and the ones being retired. */
export class ReplaceablePool {
  #sql: Sql;
  #since = performance.now();
  readonly #open: () => Sql;
  readonly #graceMs: number;
  readonly #replaced: () => void;
  readonly #retiring = new Set<Promise<void>>();
  #ended = false;

  /**
   * `sql` is the first pool, `open` makes its successors; a replaced pool
   * has `graceMs` to finish its queries; `replaced` is told of each
   * replacement (for the log).
   */
  constructor(
    sql: Sql,
    open: () => Sql,
    opts: { graceMs: number; replaced?: () => void },
  ) {
    this.#sql = sql;
    this.#open = open;
    this.#graceMs = opts.graceMs;
    this.#replaced = opts.replaced ?? (() => {});
  }

  /** The pool new queries go to. */
  get sql(): Sql {
    return this.#sql;
  }

  /**
   * Replaces `stale` when it is still the current pool and has been so for
   * the grace period (several queries of one pool passing their deadlines
   * replace it once); true if it did.
   */
  replace(stale: Sql): boolean {
    if (this.#ended || stale !== this.#sql) return false;
    if (performance.now() - this.#since < this.#graceMs) return false;
    this.#sql = this.#open();
    this.#since = performance.now();
    const retired = stale.end({ timeout: this.#graceMs / 1000 })
      .catch(() => {})
      .then(() => {
        this.#retiring.delete(retired);
      });
    this.#retiring.add(retired);
    this.#replaced();
    return true;
  }

  /** Ends the current pool within `timeoutMs` and waits for the retired ones. */
  async end(timeoutMs: number): Promise<void> {
    this.#ended = true;
    await this.#sql.end({ timeout: timeoutMs / 1000 }).catch(() => {});
    await Promise.all([...this.#retiring]);
  }
}
