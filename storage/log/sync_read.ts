/**
 * An optional capability a {@linkcode Log} may add: reading the latest
 * record of a key synchronously. Embedded databases (SQLite, memory) answer
 * a point read without I/O waits; the store then serves a latest `get`
 * without a promise hop per layer. Logs without it are read through
 * `Log.get`.
 *
 * @module
 */

import type { Log, LogRecord } from "./log.ts";

/** The live value of a key and the revision it was written at. */
export type LatestValue = Pick<LogRecord, "value" | "modRevision">;

/** A {@linkcode Log} that can read a key's latest record synchronously. */
export interface SyncReadingLog extends Log {
  /**
   * The live value of `key` at the current revision, or `undefined`; the
   * same answer as `get(key)`. Validates `key` as an object key (no empty,
   * `.` or `..` segments, no trailing `/`): throws an `InvalidKey` (or any
   * other) `StorageError` where `get` would reject.
   */
  getLatestSync(key: string): LatestValue | undefined;
}

/** True when `log` implements {@linkcode SyncReadingLog}. */
export function canReadSync(log: Log): log is SyncReadingLog {
  return typeof (log as Partial<SyncReadingLog>).getLatestSync === "function";
}
