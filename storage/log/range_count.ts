/**
 * An optional capability a {@linkcode Log} may add: counting the live keys of
 * a prefix from a start key at a revision without reading their values.
 * The store uses it for a list's `remainingItemCount`; logs without it are
 * served by listing the rest of the range (correct, but it reads values).
 *
 * @module
 */

import type { Log } from "./log.ts";

/** A {@linkcode Log} that can count a key range at a revision. */
export interface RangeCountingLog extends Log {
  /**
   * Number of live keys starting with `prefix` and `>= startKey`, as of
   * `atRevision` (same revision rules as `Log.list`).
   */
  countFrom(
    prefix: string,
    startKey: string,
    atRevision: number,
  ): Promise<number>;
}

/** True when `log` implements {@linkcode RangeCountingLog}. */
export function canCountRange(log: Log): log is RangeCountingLog {
  return typeof (log as Partial<RangeCountingLog>).countFrom === "function";
}
