/**
 * Raw writes for the corrupt-object cases: a backend's conformance wiring
 * gives the suite a way to store a value below the store (as a damaged disk
 * or an operator's editor would), since no `Store` call can write one. This
 * module holds the writer type and the one every revision-log backend can
 * use (a write through its `Log`, which stores text as it is and tells its
 * watchers, so caches learn of it as of any change).
 *
 * @module
 */

import type { StoreFactory } from "../store.ts";
import type { Log } from "../log/mod.ts";

/**
 * Stores `text` as the value of the store key `key` (created or replaced,
 * at a new revision that watchers see) on the backend of `factory` — the
 * factory the case opened.
 */
export type RawWriter = (
  factory: StoreFactory,
  key: string,
  text: string,
) => Promise<void>;

/**
 * Writes `text` at `key` through `log` (create, or a conditional update of
 * the current value), bypassing every check of the store above it.
 */
export async function writeRawToLog(
  log: Log,
  key: string,
  text: string,
): Promise<void> {
  const current = await log.get(key);
  if (current) await log.update(key, text, current.modRevision);
  else await log.create(key, text);
}

/** A {@linkcode RawWriter} over a log of its own; `close()` it at the end. */
export interface LogRawWriter {
  /** Writes through the second log (opened on first use). */
  write: RawWriter;
  /** Closes the log if it was opened. */
  close(): Promise<void>;
}

/**
 * A raw writer for a backend whose factories share one database (PostgreSQL,
 * Spanner): it writes through a second log that `openLog` opens on that
 * database on first use, as another replica would, so every factory sees
 * the write through its own change feed.
 */
export function sharedLogRawWriter(
  openLog: () => Promise<Log>,
): LogRawWriter {
  let log: Promise<Log> | undefined;
  return {
    write: async (_factory, key, text) => {
      await writeRawToLog(await (log ??= openLog()), key, text);
    },
    close: async () => {
      if (log) await (await log).close();
    },
  };
}
