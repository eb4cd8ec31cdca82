/**
 * {@linkcode SpannerLog}: the revision-log contract (`storage/log/log.ts`) on
 * Cloud Spanner. Revisions are commit timestamps in microseconds; reads at a
 * revision are Spanner stale reads at that timestamp; watch is fed by
 * tailing the commit-ordered `hp_changes` table, so every replica sharing
 * the database sees every write (see README.md).
 *
 * @module
 */

import type { Database } from "@google-cloud/spanner";
import {
  expired,
  isStorageError,
  type StorageError,
  tooLargeResourceVersion,
  unavailable,
} from "../../storage/mod.ts";
import {
  QueryDeadlines,
  READINESS_TIMEOUT_MS,
} from "../../storage/log/query_deadlines.ts";
import { validatePrefix } from "../../storage/keys.ts";
import type {
  Log,
  LogEvent,
  LogListOptions,
  LogListResult,
  LogRecord,
} from "../../storage/log/log.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import type { SpannerConfig } from "./config.ts";
import {
  connectSpanner,
  GRPC,
  grpcCode,
  type SpannerHandle,
  toStorageError,
} from "./_client.ts";
import { ensureSchema } from "./_schema.ts";
import {
  ChangeTailer,
  type TailBatch,
} from "../../storage/log/change_tailer.ts";
import {
  createKey,
  deleteKey,
  deletePrefixKeys,
  updateKey,
} from "./_writes.ts";
import { Compactor, type Meta, readMeta } from "./_compaction.ts";
import {
  CHANGE_COLUMNS,
  type ChangeRow,
  expandedChangesSql,
  KV_COLUMNS,
  kvRow,
  prefixRange,
  rangeParams,
  rangeSql,
  RECORD_COLUMNS,
  type RecordRow,
  revisionTimestamp,
  toEvent,
  toRecord,
} from "./_sql.ts";

/** Tuning for {@linkcode openSpannerLog}. */
export interface SpannerLogOptions {
  logger?: Logger;
  /** How often each replica looks for other replicas' commits. Default 200 ms. */
  pollIntervalMs?: number;
  /** Periodic compaction keeps this much history. Default 5 minutes; 0 = off. */
  retentionMs?: number;
  /** How often periodic compaction runs. Default 60 s. */
  compactIntervalMs?: number;
  /**
   * Compacted change rows younger than this (in commit time) are kept
   * physically, so a replica whose tail lags a little still reads them.
   * Default 60 s.
   */
  purgeMarginMs?: number;
  /** Bound on connecting and preparing the schema. Default 30 s. */
  startupTimeoutMs?: number;
  /**
   * Keys one deletePrefix transaction removes at most (a commit holds at
   * most 80,000 mutations). Default 10,000.
   */
  deletePrefixChunk?: number;
  /**
   * Deadline of every call but compaction, as the etcd backend's
   * per-request deadline (the client's own are up to an hour); readiness
   * uses at most 2 s of it. Default 10 s.
   */
  requestTimeoutMs?: number;
}

/**
 * Connects, creates instance (emulator only), database and schema as
 * needed, and starts tailing. Rejects with an `Unavailable` error naming the
 * endpoint when that does not finish within `startupTimeoutMs`.
 */
export async function openSpannerLog(
  config: SpannerConfig,
  opts: SpannerLogOptions = {},
): Promise<SpannerLog> {
  const logger = opts.logger ?? silentLogger;
  const handle = connectSpanner(config);
  try {
    await ensureSchema(handle, config, {
      timeoutMs: opts.startupTimeoutMs ?? 30_000,
      logger,
    });
    const meta = await readMeta(handle.database);
    return new SpannerLog(handle, meta, { ...opts, logger });
  } catch (err) {
    await handle.close();
    throw toStorageError(err, `opening ${handle.endpoint}`);
  }
}

/** The revision log on one Spanner database. Build it with {@linkcode openSpannerLog}. */
export class SpannerLog implements Log {
  #handle: SpannerHandle;
  #db: Database;
  #listeners = new Map<
    (events: LogEvent[]) => void,
    ((err: StorageError) => void) | undefined
  >();
  #tailer: ChangeTailer;
  #compactor: Compactor;
  #logger: Logger;
  /** Highest revision known committed; lets reads skip a meta lookup. */
  #knownCurrent: number;
  #closed = false;
  #deletePrefixChunk: number | undefined;
  /** Tail of the local write queue (see #committed). */
  #writeQueue: Promise<unknown> = Promise.resolve();
  #deadlines: QueryDeadlines;

  /** Use {@linkcode openSpannerLog}. */
  constructor(
    handle: SpannerHandle,
    meta: Meta,
    opts: SpannerLogOptions & { logger: Logger },
  ) {
    this.#handle = handle;
    this.#db = handle.database;
    this.#logger = opts.logger;
    this.#knownCurrent = meta.current;
    this.#deletePrefixChunk = opts.deletePrefixChunk;
    this.#deadlines = new QueryDeadlines(
      `spanner: ${handle.endpoint}`,
      opts.requestTimeoutMs,
    );
    this.#tailer = new ChangeTailer({
      name: "spanner",
      fetch: (after, limit) => this.#tail(after, limit),
      deliver: (events) => this.#deliver(events),
      lost: (err) => this.#lost(err),
      startAfter: meta.current,
      pollIntervalMs: opts.pollIntervalMs ?? 200,
      batchSize: 500,
      logger: this.#logger,
    });
    this.#compactor = new Compactor(this.#db, {
      retentionMs: opts.retentionMs ?? 5 * 60_000,
      intervalMs: opts.compactIntervalMs ?? 60_000,
      purgeMarginMs: opts.purgeMarginMs ?? 60_000,
      logger: this.#logger,
    });
  }

  async currentRevision(): Promise<number> {
    return (await this.#meta()).current;
  }

  async compactedRevision(): Promise<number> {
    return (await this.#meta()).compacted;
  }

  async get(key: string, atRevision = 0): Promise<LogRecord | undefined> {
    if (!atRevision) {
      // A strong point read through the key-value read API (no SQL).
      const [rows] = await this.#run(
        () =>
          this.#db.table("hp_kv").read({
            keys: [key],
            columns: KV_COLUMNS,
            json: true,
          }),
        "get",
      );
      return rows[0]
        ? toRecord(kvRow(rows[0] as Record<string, unknown>))
        : undefined;
    }
    const rows = await this.#readRecords(
      `SELECT ${RECORD_COLUMNS} FROM hp_kv WHERE key = @key`,
      { key },
      atRevision,
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(
    prefix: string,
    opts: LogListOptions = {},
  ): Promise<LogListResult> {
    // A latest read pins the current revision first, then reads at it: the
    // result is exactly the state at the revision it reports.
    const revision = opts.atRevision
      ? opts.atRevision
      : await this.currentRevision();
    const range = prefixRange(prefix, opts.startKey);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const rows = await this.#readRecords(
      `SELECT ${RECORD_COLUMNS} FROM hp_kv WHERE ${rangeSql("key", range)}
       ORDER BY key${limit ? ` LIMIT ${limit + 1}` : ""}`,
      rangeParams(range),
      revision,
    );
    const more = limit > 0 && rows.length > limit;
    return {
      records: (more ? rows.slice(0, limit) : rows).map(toRecord),
      revision,
      more,
    };
  }

  async count(prefix: string): Promise<{ count: number; bytes: number }> {
    const range = prefixRange(prefix);
    const [rows] = await this.#run(() =>
      this.#db.run({
        sql: `SELECT COUNT(*) AS n, COALESCE(SUM(BYTE_LENGTH(value)), 0) AS b
              FROM hp_kv WHERE ${rangeSql("key", range)}`,
        params: rangeParams(range),
        json: true,
      }), "count");
    const row = rows[0] as { n: number; b: number };
    return { count: Number(row.n), bytes: Number(row.b) };
  }

  create(key: string, value: string): Promise<number> {
    return this.#committed(() => createKey(this.#db, key, value), "create");
  }

  update(key: string, value: string, expected: number): Promise<number> {
    return this.#committed(
      () => updateKey(this.#db, key, value, expected),
      "update",
    );
  }

  /**
   * One read-write transaction per 10,000 keys (see `deletePrefixKeys`):
   * every key a transaction removes gets a `delete` event at its one commit
   * timestamp, as etcd's DeleteRange gives them one revision.
   */
  async deletePrefix(
    prefix: string,
  ): Promise<{ deleted: number; revision: number }> {
    validatePrefix(prefix);
    let deleted = 0;
    const revision = await this.#committed(
      async () => {
        const res = await deletePrefixKeys(
          this.#db,
          prefix,
          this.#deletePrefixChunk,
        );
        deleted = res.deleted;
        return res.revision ?? 0;
      },
      "deletePrefix",
      Infinity,
    ); // chunked bulk work: no request deadline
    if (deleted === 0) {
      return { deleted, revision: await this.currentRevision() };
    }
    return { deleted, revision };
  }

  delete(key: string, expected: number): Promise<number> {
    return this.#committed(() => deleteKey(this.#db, key, expected), "delete");
  }

  async changes(
    prefix: string,
    afterRevision: number,
    limit = 0,
  ): Promise<LogEvent[]> {
    const range = prefixRange(prefix);
    // A prefix row (a deletePrefix) counts when its prefix holds the range
    // or lies in it; its keys are then filtered by the range.
    const filter = `(${
      rangeSql("key", range)
    }) OR (kind = 'prefix' AND STARTS_WITH(@start, key))`;
    const changes = expandedChangesSql(
      filter,
      rangeSql("b.key", range),
      limit,
    );
    const out: LogEvent[] = [];
    let after = afterRevision;
    for (;;) {
      // One statement reads the compacted revision and the changes in the
      // same strong snapshot, so a concurrent compaction cannot open a
      // silent gap.
      const [rows] = await this.#run(() =>
        this.#db.run({
          sql: `SELECT m.compacted, ${CHANGE_COLUMNS}
                FROM hp_meta AS m LEFT JOIN ${changes} AS c ON TRUE
                WHERE m.id = 1 ORDER BY c.revision, c.key`,
          params: { after, ...rangeParams(range) },
          json: true,
        }), "changes");
      const compacted = Number((rows[0] as { compacted: number }).compacted);
      if (after < compacted) throw expired(afterRevision, compacted);
      // Whole revisions only; a page whose prefix rows matched no key of
      // the range is short of events but not the end: read on.
      let revisions = 0;
      let last = 0;
      for (const row of rows as ChangeRow[]) {
        if (row.rev === null) continue;
        const rev = Number(row.rev);
        if (rev !== last) {
          revisions++;
          last = rev;
        }
        const ev = toEvent(row);
        if (ev) out.push(ev);
      }
      if (limit <= 0 || revisions < limit || out.length >= limit) return out;
      after = last;
    }
  }

  subscribe(
    listener: (events: LogEvent[]) => void,
    onError?: (err: StorageError) => void,
  ): () => void {
    this.#listeners.set(listener, onError);
    return () => this.#listeners.delete(listener);
  }

  async compact(revision: number): Promise<void> {
    const meta = await this.#meta();
    if (revision > meta.current) {
      throw tooLargeResourceVersion(revision, meta.current);
    }
    await this.#run(
      () => this.#compactor.compact(revision),
      "compact",
      Infinity,
    );
  }

  async ready(): Promise<void> {
    if (this.#closed) throw unavailable("spanner: the log is closed");
    try {
      await this.#deadlines.bound(
        this.#db.run({ sql: "SELECT 1" }),
        "readiness check",
        this.#deadlines.readinessMs,
      );
    } catch (err) {
      if (isStorageError(err)) throw err;
      throw unavailable(
        `spanner: ${this.#handle.endpoint} is not reachable: ${
          err instanceof Error ? err.message : String(err)
        }`,
        err,
      );
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#compactor.close();
    await this.#tailer.close();
    this.#listeners.clear();
    // Calls that outlived their deadline finish first, if they do soon.
    await this.#deadlines.settled(READINESS_TIMEOUT_MS);
    await this.#handle.close();
    this.#deadlines.close();
  }

  async #meta(): Promise<Meta> {
    const meta = await this.#run(() => readMeta(this.#db), "reading meta");
    if (meta.current > this.#knownCurrent) this.#knownCurrent = meta.current;
    return meta;
  }

  async #committed(
    write: () => Promise<number>,
    what: string,
    ms?: number,
  ): Promise<number> {
    // Every write transaction stamps the one meta row, so writers are
    // serialised by Spanner anyway; queueing this replica's own writes saves
    // the abort-and-backoff cycles of colliding in the database (the
    // emulator aborts every concurrent read-write transaction).
    const turn = this.#writeQueue.then(() => this.#run(write, what, ms));
    this.#writeQueue = turn.catch(() => {});
    const revision = await turn;
    if (revision > this.#knownCurrent) this.#knownCurrent = revision;
    this.#tailer.kick();
    return revision;
  }

  /** Runs a record query, strongly or as a stale read at `atRevision`. */
  async #readRecords(
    sql: string,
    params: Record<string, unknown>,
    atRevision: number,
  ): Promise<RecordRow[]> {
    if (!atRevision) {
      const [rows] = await this.#run(
        () => this.#db.run({ sql, params, json: true }),
        "read",
      );
      return rows as RecordRow[];
    }
    if (atRevision > this.#knownCurrent) {
      const { current } = await this.#meta();
      if (atRevision > current) {
        throw tooLargeResourceVersion(atRevision, current);
      }
    }
    const compacted = this.#compactor.knownCompacted;
    if (atRevision < compacted) throw expired(atRevision, compacted);
    try {
      const [rows] = await this.#deadlines.bound(
        this.#db.run(
          { sql, params, json: true },
          { readTimestamp: revisionTimestamp(atRevision) },
        ),
        "stale read",
      );
      return rows as RecordRow[];
    } catch (err) {
      // Spanner garbage-collects versions older than the database's
      // version_retention_period (1 hour by default).
      if (grpcCode(err) === GRPC.FAILED_PRECONDITION) {
        throw expired(atRevision, (await this.#meta()).compacted);
      }
      throw toStorageError(err, "stale read");
    }
  }

  /**
   * One round of the tail (`ChangeTailer`, kicked by each local commit,
   * polled for remote ones). No gaps: the round is one strong read of
   * `revision > after`; a strong read at timestamp T sees every transaction
   * committed at or before T, and none can later commit at a timestamp ≤ T.
   * The horizon is `purged` (change rows physically deleted), not the
   * logical `compacted`.
   */
  async #tail(after: number, limit: number): Promise<TailBatch> {
    const [rows] = await this.#deadlines.bound(
      this.#db.run({
        sql: `SELECT m.purged, m.compacted, ${CHANGE_COLUMNS}
            FROM hp_meta AS m
            LEFT JOIN ${expandedChangesSql("TRUE", "TRUE", limit)} AS c ON TRUE
            WHERE m.id = 1 ORDER BY c.revision, c.key`,
        params: { after },
        json: true,
      }),
      "tail",
    );
    const head = rows[0] as { purged: number; compacted: number };
    this.#compactor.observe(Number(head.compacted));
    const events = (rows as ChangeRow[]).map(toEvent).filter((e) =>
      e !== undefined
    ) as LogEvent[];
    const last = events.at(-1)?.revision ?? 0;
    if (last > this.#knownCurrent) this.#knownCurrent = last;
    return { events, horizon: Number(head.purged) };
  }

  #lost(err: StorageError): void {
    for (const onError of [...this.#listeners.values()]) onError?.(err);
  }

  #deliver(events: LogEvent[]): void {
    for (const listener of [...this.#listeners.keys()]) {
      try {
        listener(events);
      } catch (err) {
        this.#logger.error("spanner log subscriber threw", { error: err });
      }
    }
  }

  /** `fn` within `ms` (default: the request deadline; `Infinity`: none), errors typed. */
  async #run<T>(fn: () => Promise<T>, what: string, ms?: number): Promise<T> {
    if (this.#closed) throw unavailable("spanner: the log is closed");
    try {
      return await this.#deadlines.bound(fn(), what, ms);
    } catch (err) {
      throw toStorageError(err, what);
    }
  }
}
