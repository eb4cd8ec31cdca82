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

/** A {@linkcode Log} that can read a key's latest record synchronously. */
export interface SyncReadingLog extends Log {
  /**
   * The live record of `key` at the current revision, or `undefined`; the
   * same answer as `get(key)`. Throws a `StorageError` where `get` rejects.
   */
  getLatestSync(key: string): LogRecord | undefined;
}

/** True when `log` implements {@linkcode SyncReadingLog}. */
export function canReadSync(log: Log): log is SyncReadingLog {
  return typeof (log as Partial<SyncReadingLog>).getLatestSync === "function";
}
