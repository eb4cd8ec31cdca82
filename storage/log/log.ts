/**
 * The revision log: the layer below the generic {@linkcode Store}
 * implementation (kine's shape). A database backend (memory, SQLite, Spanner,
 * PostgreSQL) implements only this small interface in its own dialect;
 * `storage/log/` turns it into a full `Store` (optimistic-concurrency loops,
 * predicates, paging, continue tokens, watch fan-out with history and
 * bookmarks).
 *
 * Revisions are positive integers, strictly increasing with every committed
 * change of the whole log (all keys share one sequence) — except that the
 * changes of one {@linkcode Log.deletePrefix} may share one revision (on a
 * log whose revisions are commit times, as etcd's DeleteRange); such a group
 * is never split: subscribers get it in one call and `changes()` returns it
 * whole. An empty log reports
 * a current revision of at least 1 (as etcd does): revision 0 means "any" to
 * clients, so no read may ever be answered at it. `changes()` after a revision
 * newer than the current one returns an empty list.
 *
 * @module
 */

import type { StorageError } from "../errors.ts";

/** The live state of one key. */
export interface LogRecord {
  /** The store key. */
  key: string;
  /** The stored JSON text (without resourceVersion). */
  value: string;
  /** The revision that created this incarnation of the key. */
  createRevision: number;
  /** The revision of the last change of the key. */
  modRevision: number;
}

/** One committed change. */
export interface LogEvent {
  /** What the change did to the key. */
  type: "create" | "update" | "delete";
  /** The store key that changed. */
  key: string;
  /** The revision of this change. */
  revision: number;
  /** The new value; for `delete`, the last value before the delete. */
  value: string;
  /** The value before this change (`update`, `delete`); absent for `create`. */
  prevValue?: string;
  /** The modRevision of the previous value (`update`, `delete`). */
  prevRevision?: number;
}

/** Options for {@linkcode Log.list}. */
export interface LogListOptions {
  /** First key to include (`>=`); defaults to the prefix itself. */
  startKey?: string;
  /** Read the state as of this revision; 0/undefined = latest. */
  atRevision?: number;
  /** Return at most this many records; 0/undefined = all. */
  limit?: number;
}

/** A page of live records, in key order. */
export interface LogListResult {
  /** The records of the page. */
  records: LogRecord[];
  /** The revision the records were read at (the log's current revision for latest reads). */
  revision: number;
  /** True when more records follow the last one returned. */
  more: boolean;
}

/**
 * A database speaking the revision-log contract. Conditional writes fail with
 * typed `StorageError`s: `KeyExists` (create), `NotFound` (update/delete of a
 * missing key) and `Conflict` (modRevision mismatch). Reads at a revision
 * older than the compacted revision fail with `Expired`, newer than current
 * with `TooLargeResourceVersion`.
 */
export interface Log {
  /** The highest committed revision. */
  currentRevision(): Promise<number>;
  /** History at or below this revision is gone (0 = never compacted). */
  compactedRevision(): Promise<number>;

  /** The live record of `key` (as of `atRevision`, 0 = latest), or `undefined`. */
  get(key: string, atRevision?: number): Promise<LogRecord | undefined>;
  /** Live records whose key starts with `prefix`, in key order. */
  list(prefix: string, opts?: LogListOptions): Promise<LogListResult>;
  /** Number of live keys starting with `prefix`, and their total value size in bytes. */
  count(prefix: string): Promise<{ count: number; bytes: number }>;

  /** Creates `key`; `KeyExists` if it is live. Returns the new revision. */
  create(key: string, value: string): Promise<number>;
  /** Replaces `key` if its modRevision is `expectedRevision`. Returns the new revision. */
  update(key: string, value: string, expectedRevision: number): Promise<number>;
  /** Deletes `key` if its modRevision is `expectedRevision`. Returns the revision of the delete. */
  delete(key: string, expectedRevision: number): Promise<number>;

  /**
   * Deletes every live key starting with `prefix` (a validated prefix ending
   * in "/") in one transaction: each removed key gets a `delete` event (its
   * last value), in key order, all committed together and delivered to
   * subscribers together — at consecutive revisions, or all at the one
   * revision of the commit on a log whose revisions are commit times.
   * Returns how many keys were removed and the current revision after the
   * delete (unchanged when nothing matched).
   */
  deletePrefix(prefix: string): Promise<{ deleted: number; revision: number }>;

  /**
   * Committed changes with revision > `afterRevision` for keys starting with
   * `prefix`, in revision order, at most `limit` (0 = all) — or a few more
   * so as to end on a whole revision (see the module doc). `Expired` when
   * `afterRevision` is below the compacted revision.
   */
  changes(
    prefix: string,
    afterRevision: number,
    limit?: number,
  ): Promise<LogEvent[]>;

  /**
   * Registers `listener` for every change committed from now on, delivered in
   * revision order with no gaps (local and, for shared databases, remote
   * writes). When the log can no longer keep that promise (e.g. a tailing
   * replica fell behind a purge of the change log), it calls `onError` with
   * an `Expired` error instead of skipping changes silently; every watch
   * then ends with that error so clients list again. Returns a function that
   * unsubscribes.
   */
  subscribe(
    listener: (events: LogEvent[]) => void,
    onError?: (err: StorageError) => void,
  ): () => void;

  /** Drops history (old values, delete markers) at or below `revision`. */
  compact(revision: number): Promise<void>;
  /** Resolves when the database can serve; rejects with `Unavailable` otherwise. */
  ready(): Promise<void>;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}
