/**
 * {@linkcode SqliteLog}: the revision log (`storage/log/log.ts`) on one
 * `node:sqlite` connection that owns its database file exclusively.
 *
 * Every call runs synchronously on the connection, so writes serialise in
 * the process (no "database is locked" between our own writers). Writes are
 * group-committed: those made in one turn of the event loop (many
 * concurrent API requests) share one transaction, run when the turn's I/O is
 * done (`setImmediate`); each write is acknowledged only after that commit
 * has reached the WAL.
 *
 * @example
 * ```ts
 * const log = new SqliteLog({ path: "/tmp/state.db" });
 * const rev = await log.create("/registry/configmaps/clusters/root/default/a", "{}");
 * await log.close();
 * ```
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import type { RangeCountingLog } from "../../storage/log/range_count.ts";
import type {
  LatestValue,
  SyncReadingLog,
} from "../../storage/log/sync_read.ts";
import type {
  Log,
  LogEvent,
  LogListOptions,
  LogListResult,
  LogRecord,
} from "../../storage/log/log.ts";
import {
  conflict,
  expired,
  internal,
  invalidArgument,
  keyExists,
  notFound,
  tooLargeResourceVersion,
  unavailable,
} from "../../storage/mod.ts";
import {
  checkLogObjectKey,
  checkLogPrefix,
  checkLogRevision,
  checkLogValue,
} from "../../storage/log/log_input.ts";
import { validatePrefix } from "../../storage/keys.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import {
  isConstraintError,
  openDatabase,
  sqliteError,
  type SqliteSynchronous,
} from "./_database.ts";
import { prepareStatements, type Statements } from "./_statements.ts";
import { compactRange } from "./_compact.ts";
import { type ChangeRow, toEvents, toRecords } from "./_rows.ts";

/** Options for {@linkcode SqliteLog}. */
export interface SqliteLogOptions {
  /** The database file; created when missing. */
  path: string;
  /**
   * `normal` (default): a returned write survives a crash of this process
   * (it is in the WAL) but the last commits may be lost on power loss.
   * `full`: every commit is fsynced (survives power loss, much slower).
   */
  synchronous?: SqliteSynchronous;
  logger?: Logger;
}

/** The revision log on SQLite. */
export class SqliteLog implements Log, RangeCountingLog, SyncReadingLog {
  readonly #db: DatabaseSync;
  readonly #s: Statements;
  readonly #logger: Logger;
  readonly #path: string;
  readonly #listeners = new Set<(events: LogEvent[]) => void>();
  #rev: number;
  #compacted: number;
  #closed = false;
  /** Writes waiting for the next group commit (see {@linkcode #enqueue}). */
  #pending: PendingWrite[] = [];

  /** Opens (creating when missing) and locks the database at `opts.path`. */
  constructor(opts: SqliteLogOptions) {
    this.#path = opts.path;
    this.#logger = (opts.logger ?? silentLogger).with({ backend: "sqlite" });
    this.#db = openDatabase(opts.path, opts.synchronous ?? "normal");
    try {
      this.#s = prepareStatements(this.#db);
      const meta = (name: string) =>
        Number((this.#s.readMeta.get(name) as { value: number }).value);
      const maxRow = Number(
        (this.#s.maxRevision.get() as { rev: number }).rev,
      );
      this.#rev = Math.max(meta("revision"), maxRow);
      this.#compacted = meta("compacted");
    } catch (err) {
      this.#db.close();
      throw sqliteError(`reading ${opts.path}`, err);
    }
  }

  /** The database file this log owns. */
  get path(): string {
    return this.#path;
  }

  #open(): void {
    if (this.#closed) throw unavailable(`sqlite: ${this.#path} is closed`);
  }

  /** Checks `rev` against the readable window; 0 means latest. */
  #readRevision(rev: number | undefined): number {
    const r = checkLogRevision("revision", rev);
    if (r === 0 || r === this.#rev) return 0;
    if (r > this.#rev) throw tooLargeResourceVersion(r, this.#rev);
    if (r < this.#compacted) throw expired(r, this.#compacted);
    return r;
  }

  currentRevision(): Promise<number> {
    if (this.#closed) return this.#closedError();
    return Promise.resolve(this.#rev);
  }

  compactedRevision(): Promise<number> {
    if (this.#closed) return this.#closedError();
    return Promise.resolve(this.#compacted);
  }

  #closedError(): Promise<never> {
    return Promise.reject(unavailable(`sqlite: ${this.#path} is closed`));
  }

  /** The live value of `key` now, read synchronously (`SyncReadingLog`). */
  getLatestSync(key: string): LatestValue | undefined {
    try {
      this.#open();
      checkLogObjectKey(key);
      const row = this.#s.latestValue.get(key) as unknown as
        | [number, string]
        | undefined;
      return row && { value: row[1], modRevision: row[0] };
    } catch (err) {
      throw sqliteError(`get ${key}`, err);
    }
  }

  #latest(key: string): LogRecord | undefined {
    const row = this.#s.latest.get(key) as unknown as
      | [number, number, string]
      | undefined;
    if (!row) return undefined;
    return { key, value: row[2], createRevision: row[1], modRevision: row[0] };
  }

  get(key: string, atRevision?: number): Promise<LogRecord | undefined> {
    try {
      this.#open();
      checkLogObjectKey(key);
      const at = this.#readRevision(atRevision);
      if (at === 0) return Promise.resolve(this.#latest(key));
      const row = this.#s.atRevision.get(key, at) as
        | { rev: number; create_rev: number; deleted: number; value: string }
        | undefined;
      if (!row || row.deleted) return Promise.resolve(undefined);
      return Promise.resolve({
        key,
        value: row.value,
        createRevision: row.create_rev,
        modRevision: row.rev,
      });
    } catch (err) {
      return Promise.reject(sqliteError(`get ${key}`, err));
    }
  }

  list(prefix: string, opts: LogListOptions = {}): Promise<LogListResult> {
    try {
      this.#open();
      const end = checkLogPrefix(prefix);
      const at = this.#readRevision(opts.atRevision);
      const limit = checkLogRevision("limit", opts.limit);
      let start = prefix;
      if (opts.startKey !== undefined) {
        if (typeof opts.startKey !== "string") {
          throw invalidArgument("startKey must be a string");
        }
        if (opts.startKey > start) start = opts.startKey;
      }
      const sqlLimit = limit === 0 ? -1 : limit + 1;
      const rows = (at === 0
        ? this.#s.listLatest.all(start, end, sqlLimit)
        : this.#s.listAtRevision.all(
          start,
          end,
          at,
          sqlLimit,
        )) as unknown as unknown[][];
      const more = limit !== 0 && rows.length > limit;
      const records = toRecords(rows, more ? limit : rows.length);
      return Promise.resolve({
        records,
        revision: at === 0 ? this.#rev : at,
        more,
      });
    } catch (err) {
      return Promise.reject(sqliteError(`list ${prefix}`, err));
    }
  }

  count(prefix: string): Promise<{ count: number; bytes: number }> {
    try {
      this.#open();
      const end = checkLogPrefix(prefix);
      const row = this.#s.count.get(prefix, end) as {
        n: number;
        bytes: number;
      };
      return Promise.resolve({ count: row.n, bytes: row.bytes });
    } catch (err) {
      return Promise.reject(sqliteError(`count ${prefix}`, err));
    }
  }

  /**
   * Number of live keys under `prefix` from `startKey` as of `atRevision`
   * (the store's `remainingItemCount`), without reading values.
   */
  countFrom(
    prefix: string,
    startKey: string,
    atRevision: number,
  ): Promise<number> {
    try {
      this.#open();
      const end = checkLogPrefix(prefix);
      const at = this.#readRevision(atRevision);
      const start = typeof startKey === "string" && startKey > prefix
        ? startKey
        : prefix;
      const row = (at === 0
        ? this.#s.countLatest.get(start, end)
        : this.#s.countAtRevision.get(start, end, at)) as { n: number };
      return Promise.resolve(row.n);
    } catch (err) {
      return Promise.reject(sqliteError(`count ${prefix}`, err));
    }
  }

  /**
   * Group commit: a write joins the batch of writes made in the same turn of
   * the event loop; the batch runs in one transaction when the turn's
   * microtasks are done. Each write still checks its own preconditions
   * against the state the batch's earlier writes left (it reads through the
   * open transaction) and fails alone; an error of SQLite itself fails the
   * whole batch, which is rolled back. Promises settle, and events go out
   * (one listener call per batch, in revision order), after the commit.
   */
  #enqueue(apply: (rev: number) => LogEvent): Promise<number> {
    // Single-key writes; `deletePrefix` queues its bulk write itself.
    return new Promise((resolve, reject) => {
      this.#pending.push({ apply, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    if (this.#closed) {
      const err = unavailable(`sqlite: ${this.#path} is closed`);
      for (const w of batch) w.reject(err);
      return;
    }
    const events: LogEvent[] = [];
    const outcomes: (number | unknown)[] = [];
    const counts: number[] = [];
    let rev = this.#rev;
    try {
      this.#transaction(() => {
        for (const w of batch) {
          let ev: LogEvent | LogEvent[];
          try {
            ev = w.apply(rev + 1);
          } catch (err) {
            if (err instanceof WriteRejected) {
              outcomes.push(err);
              counts.push(0);
              continue;
            }
            throw err;
          }
          if (Array.isArray(ev)) {
            // A bulk write: its events (possibly none) at rev+1, rev+2, …
            if (ev.length > 0) rev = ev[ev.length - 1].revision;
            for (const e of ev) events.push(e);
            counts.push(ev.length);
          } else {
            rev = ev.revision;
            events.push(ev);
            counts.push(1);
          }
          outcomes.push(rev);
        }
      });
    } catch (err) {
      const failure = sqliteError("write", err);
      for (const w of batch) w.reject(failure);
      return;
    }
    this.#rev = rev;
    this.#emitAll(events);
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o instanceof WriteRejected) w.reject(o.cause);
      else w.resolve(o as number, counts[i]);
    });
  }

  /** Runs `write` in one transaction, rolled back if it throws. */
  #transaction(write: () => void): void {
    const s = this.#s;
    s.begin.run();
    try {
      write();
      s.commit.run();
    } catch (err) {
      try {
        s.rollback.run();
      } catch { /* the transaction is already gone */ }
      throw err;
    }
  }

  #emitAll(events: LogEvent[]): void {
    if (this.#listeners.size === 0 || events.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (err) {
        this.#logger.error("log subscriber failed", {
          err,
          revision: events[0].revision,
        });
      }
    }
  }

  create(key: string, value: string): Promise<number> {
    try {
      this.#open();
      checkLogObjectKey(key);
      checkLogValue(key, value);
    } catch (err) {
      return Promise.reject(sqliteError(`create ${key}`, err));
    }
    const s = this.#s;
    return this.#enqueue((rev) => {
      // The primary key of `kv` is the existence check: no read first.
      try {
        s.insertKv.run(key, rev);
      } catch (err) {
        if (isConstraintError(err)) {
          throw new WriteRejected(keyExists(key, rev - 1));
        }
        throw err;
      }
      s.insertLog.run(rev, key, rev, null, 0, value);
      return { type: "create", key, revision: rev, value };
    });
  }

  /**
   * The live row of `key` inside a batch (`rev` is the revision the write
   * would get); a missing key or another revision rejects the write alone.
   */
  #current(key: string, expected: number, rev: number): CurrentRow {
    const found = this.#s.latest.get(key) as unknown as
      | [number, number, string]
      | undefined;
    const row = found &&
      { rev: found[0], create_rev: found[1], value: found[2] };
    if (!row) throw new WriteRejected(notFound(key, rev - 1));
    if (row.rev !== expected) {
      throw new WriteRejected(conflict(
        key,
        `the object has been modified (revision ${row.rev}, expected ${expected})`,
      ));
    }
    return row;
  }

  update(
    key: string,
    value: string,
    expectedRevision: number,
  ): Promise<number> {
    const s = this.#s;
    return this.#writeAt(key, expectedRevision, "update", () => {
      checkLogValue(key, value);
    }, (rev, cur) => {
      s.insertLog.run(rev, key, cur.create_rev, cur.rev, 0, value);
      s.updateKv.run(rev, key);
      return {
        type: "update",
        key,
        revision: rev,
        value,
        prevValue: cur.value,
        prevRevision: cur.rev,
      };
    });
  }

  /**
   * Deletes every live key under `prefix` in one transaction of the group
   * commit: one `INSERT … SELECT` writes the delete markers (consecutive
   * revisions in key order), one range `DELETE` clears the live table; the
   * last values (read in the same transaction) go out as `delete` events.
   */
  deletePrefix(
    prefix: string,
  ): Promise<{ deleted: number; revision: number }> {
    let end: string;
    try {
      this.#open();
      validatePrefix(prefix);
      end = checkLogPrefix(prefix);
    } catch (err) {
      return Promise.reject(sqliteError(`deletePrefix ${prefix}`, err));
    }
    const s = this.#s;
    return new Promise((resolve, reject) => {
      this.#pending.push({
        apply: (rev) => {
          const rows = s.listLatest.all(prefix, end, -1) as unknown as [
            string,
            number,
            number,
            string,
          ][];
          if (rows.length === 0) return [];
          s.insertDeleteMarkers.run(rev - 1, prefix, end);
          s.deleteKvRange.run(prefix, end);
          return rows.map(([key, modRev, , value], i): LogEvent => ({
            type: "delete",
            key,
            revision: rev + i,
            value,
            prevValue: value,
            prevRevision: modRev,
          }));
        },
        resolve: (revision, deleted) => resolve({ deleted, revision }),
        reject,
      });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  delete(key: string, expectedRevision: number): Promise<number> {
    const s = this.#s;
    return this.#writeAt(key, expectedRevision, "delete", () => {}, (
      rev,
      cur,
    ) => {
      s.insertLog.run(rev, key, cur.create_rev, cur.rev, 1, null);
      s.deleteKv.run(key);
      return {
        type: "delete",
        key,
        revision: rev,
        value: cur.value,
        prevValue: cur.value,
        prevRevision: cur.rev,
      };
    });
  }

  /**
   * A write of `key` on condition that it is at `expectedRevision`: bad
   * input is refused at once (nothing queued), the condition is checked in
   * the batch.
   */
  #writeAt(
    key: string,
    expectedRevision: number,
    what: string,
    checks: () => void,
    write: (rev: number, cur: CurrentRow) => LogEvent,
  ): Promise<number> {
    try {
      this.#open();
      checkLogObjectKey(key);
      checks();
      checkLogRevision("expectedRevision", expectedRevision);
    } catch (err) {
      return Promise.reject(sqliteError(`${what} ${key}`, err));
    }
    return this.#enqueue((rev) =>
      write(rev, this.#current(key, expectedRevision, rev))
    );
  }

  changes(
    prefix: string,
    afterRevision: number,
    limit?: number,
  ): Promise<LogEvent[]> {
    try {
      this.#open();
      const end = checkLogPrefix(prefix);
      const after = checkLogRevision("afterRevision", afterRevision);
      const n = checkLogRevision("limit", limit);
      if (after < this.#compacted) throw expired(after, this.#compacted);
      const rows = this.#s.changes.all(after, prefix, end, n || -1);
      const events = toEvents(rows as unknown as ChangeRow[]);
      return Promise.resolve(events);
    } catch (err) {
      return Promise.reject(sqliteError(`changes ${prefix}`, err));
    }
  }

  subscribe(listener: (events: LogEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Drops superseded history and delete markers at or below `revision`, in
   * batches (other calls run between batches), then returns freed pages to
   * the file system. A revision at or below the compacted one is a no-op.
   */
  async compact(revision: number): Promise<void> {
    try {
      this.#open();
      const target = checkLogRevision("revision", revision);
      if (target > this.#rev) throw tooLargeResourceVersion(target, this.#rev);
      if (target <= this.#compacted) return;
      const started = this.#compacted;
      let deleted = 0;
      while (this.#compacted < target) {
        if (this.#closed) return;
        const from = this.#compacted;
        const to = Math.min(target, from + COMPACT_BATCH);
        this.#transaction(() => {
          deleted += compactRange(this.#s, from, to, this.#rev);
        });
        this.#compacted = to;
        if (to < target) await new Promise((r) => setTimeout(r, 0));
      }
      if (this.#closed) return;
      // Stepped to completion: `exec` stops after the first freed page.
      this.#s.incrementalVacuum.all();
      this.#logger.debug("compacted", {
        from: started,
        to: target,
        deletedRows: deleted,
      });
    } catch (err) {
      throw sqliteError(`compact ${revision}`, err);
    }
  }

  /**
   * Copies the WAL into the database file and truncates it (call when idle;
   * the owner of the periodic compaction does).
   */
  checkpoint(): void {
    this.#open();
    try {
      this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (err) {
      throw sqliteError("checkpoint", err);
    }
  }

  /**
   * Writes a consistent copy of the whole database to the new file `path`
   * (`VACUUM INTO` on this connection, so the exclusive lock is no
   * obstacle) and returns the revision the copy holds. It runs between
   * group commits: the copy has every write acknowledged so far and none
   * that is not.
   */
  vacuumInto(path: string): number {
    this.#open();
    try {
      this.#db.prepare("VACUUM INTO ?").run(path);
    } catch (err) {
      throw sqliteError(`snapshot to ${path}`, err);
    }
    return this.#rev;
  }

  /** Runs `PRAGMA integrity_check`; returns SQLite's answer (`"ok"` when sound). */
  integrityCheck(): string {
    this.#open();
    const rows = this.#db.prepare("PRAGMA integrity_check").all() as {
      integrity_check: string;
    }[];
    return rows.map((r) => r.integrity_check).join("\n");
  }

  ready(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(unavailable(`sqlite: ${this.#path} is closed`));
    }
    try {
      this.#db.prepare("SELECT 1").get();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(
        unavailable(`sqlite: ${this.#path} is not readable`, err),
      );
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#flush(); // writes already accepted are committed, not dropped
    this.#closed = true;
    this.#listeners.clear();
    try {
      this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.#logger.warn("checkpoint on close failed", { err });
    }
    try {
      this.#db.close();
    } catch (err) {
      return Promise.reject(internal(`sqlite: closing ${this.#path}`, err));
    }
    return Promise.resolve();
  }
}

/** The live row of a key, read inside a batch. */
interface CurrentRow {
  rev: number;
  create_rev: number;
  value: string;
}

/** A write waiting for its batch's commit. */
interface PendingWrite {
  /**
   * Runs the write's statements at revision `rev`; returns its event, or
   * for a bulk write its events at `rev`, `rev + 1`, … (possibly none).
   */
  apply(rev: number): LogEvent | LogEvent[];
  /** `rev`: the revision after the write; `count`: how many events it made. */
  resolve(rev: number, count: number): void;
  reject(err: unknown): void;
}

/** A write refused on its own (key exists, not found, conflict); its batch goes on. */
class WriteRejected {
  constructor(readonly cause: unknown) {}
}

/** Revisions compacted per transaction, so writers are not held up long. */
const COMPACT_BATCH = 10_000;
