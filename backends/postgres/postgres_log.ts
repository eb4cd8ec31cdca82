/**
 * {@linkcode PostgresLog}: the revision-log contract (`storage/log/log.ts`) on
 * PostgreSQL, shareable by any number of hyperplane replicas. Every write is
 * one statement (a PL/pgSQL function: precondition checks, revision
 * allocation under one row lock, history row, `NOTIFY`) and so one
 * transaction; every replica's watch is fed by tailing the history table,
 * woken by `LISTEN/NOTIFY` (see README.md).
 *
 * @example
 * ```ts
 * const log = await openPostgresLog(config);
 * const rev = await log.create("/registry/configmaps/clusters/root/default/a", "{}");
 * await log.close();
 * ```
 *
 * @module
 */

import {
  conflict,
  expired,
  keyExists,
  notFound,
  type StorageError,
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
import type {
  Log,
  LogEvent,
  LogListOptions,
  LogListResult,
  LogRecord,
} from "../../storage/log/log.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import type { PostgresConfig } from "./config.ts";
import {
  connectListener,
  connectPool,
  errorCode,
  HP_KEY_EXISTS,
  HP_NOT_FOUND,
  type Sql,
  textArray,
  toStorageError,
} from "./_client.ts";
import {
  ensureSchema,
  KIND_CREATE,
  KIND_DELETE,
  KIND_UPDATE,
  type Names,
  namesFor,
} from "./_schema.ts";
import {
  type ChangeRow,
  type Queries,
  queriesFor,
  rangeStart,
  type RecordRow,
  toEvent,
  toRecord,
} from "./_queries.ts";
import {
  ChangeTailer,
  type TailBatch,
} from "../../storage/log/change_tailer.ts";
import { PeriodicCompactor } from "../../storage/log/periodic_compactor.ts";
import { type PendingWrite, WriteBatcher, type WriteRow } from "./_batcher.ts";
import { ReplaceableClient } from "../../internal/replaceable.ts";
import {
  QueryDeadlines,
  READINESS_TIMEOUT_MS,
} from "../../storage/log/query_deadlines.ts";

/** Tuning for {@linkcode openPostgresLog}. */
export interface PostgresLogOptions {
  logger?: Logger;
  /** Bound on connecting and preparing the schema. Default 30 s. */
  startupTimeoutMs?: number;
  /** A tail round at least this often without notifications. Default 10 s. */
  safetyPollMs?: number;
  /**
   * How often the `LISTEN` connection must answer a query (within the
   * readiness deadline) or be replaced. Default 10 s.
   */
  listenCheckMs?: number;
  /**
   * Deadline of every query but maintenance (`VACUUM`), as the etcd
   * backend's per-request deadline; readiness uses at most 2 s of it.
   * Default 10 s.
   */
  requestTimeoutMs?: number;
}

/** SQLSTATE of a primary key clash (a lone create of an existing key). */
const UNIQUE_VIOLATION = "23505";

/** Query options of every parameterised statement (the driver copies them). */
const PREPARED = { prepare: true } as const;

/** Revisions compacted per transaction, so other work runs in between. */
const COMPACT_BATCH = 10_000;

/**
 * Connects, creates the schema as needed (within `startupTimeoutMs`) and
 * starts tailing. Rejects with an `Unavailable` error naming the endpoint
 * when the server cannot be reached in time.
 */
export async function openPostgresLog(
  config: PostgresConfig,
  opts: PostgresLogOptions = {},
): Promise<PostgresLog> {
  const sql = connectPool(config);
  const names = namesFor(config.schema);
  try {
    await ensureSchema(sql, names, opts.startupTimeoutMs ?? 30_000);
    const [row] = await sql.unsafe(queriesFor(names).current);
    return new PostgresLog(sql, config, names, Number(row.value), opts);
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => {});
    if (
      err instanceof Error && !errorCode(err) && /within \d+s/.test(err.message)
    ) {
      throw unavailable(`postgres: ${config.endpoint}: ${err.message}`, err);
    }
    throw toStorageError(err, config.endpoint, "opening");
  }
}

/** The revision log on one PostgreSQL schema. Build it with {@linkcode openPostgresLog}. */
export class PostgresLog implements Log {
  /** The query pool, replaced when a query on it passed its deadline. */
  readonly #pool: ReplaceableClient<Sql>;
  readonly #config: PostgresConfig;
  readonly #q: Queries;
  readonly #names: Names;
  readonly #endpoint: string;
  readonly #logger: Logger;
  readonly #listeners = new Map<
    (events: LogEvent[]) => void,
    ((err: StorageError) => void) | undefined
  >();
  readonly #tailer: ChangeTailer;
  readonly #compactor: PeriodicCompactor;
  readonly #batcher: WriteBatcher;
  /** This replica's name in the `listeners` table. */
  readonly #id = crypto.randomUUID();
  #listenSql: Sql;
  readonly #listenCheck: ReturnType<typeof setInterval>;
  #checkingListener = false;
  #listenState: "idle" | "connecting" | "up" = "idle";
  #listenRetry:
    | { timer: ReturnType<typeof setTimeout>; wake: () => void }
    | undefined;
  readonly #deadlines: QueryDeadlines;
  #closed = false;

  /** Use {@linkcode openPostgresLog}. */
  constructor(
    sql: Sql,
    config: PostgresConfig,
    names: Names,
    current: number,
    opts: PostgresLogOptions,
  ) {
    this.#config = config;
    this.#names = names;
    this.#q = queriesFor(names);
    this.#endpoint = config.endpoint;
    this.#logger = opts.logger ?? silentLogger;
    this.#deadlines = new QueryDeadlines(
      `postgres: ${config.endpoint}`,
      opts.requestTimeoutMs,
    );
    const graceMs = this.#deadlines.requestMs;
    this.#pool = new ReplaceableClient(sql, () => connectPool(config), {
      minAgeMs: graceMs,
      // The queries still alive on it get one request deadline (the driver
      // cannot end a pool sooner once it is ending).
      retire: (stale) => stale.end({ timeout: graceMs / 1000 }),
      replaced: () =>
        this.#logger.warn(
          "postgres query passed its deadline; replacing the connection pool",
          { endpoint: this.#endpoint },
        ),
    });
    this.#tailer = new ChangeTailer({
      name: "postgres",
      fetch: (after, limit) => this.#tail(after, limit),
      deliver: (events) => this.#deliver(events),
      lost: (err) => this.#lost(err),
      startAfter: current,
      // NOTIFY wakes the tail; the poll is only a safety net.
      pollIntervalMs: opts.safetyPollMs ?? 10_000,
      logger: this.#logger,
    });
    this.#batcher = new WriteBatcher({
      run: (writes) => this.#runBatch(writes),
      committed: (events) => this.#tailer.offer(events),
    });
    this.#listenSql = this.#openListener();
    void this.#listen();
    this.#listenCheck = setInterval(
      () => void this.#checkListener(),
      opts.listenCheckMs ?? 10_000,
    );
    this.#compactor = new PeriodicCompactor({
      intervalMs: config.compactionIntervalMs,
      target: this,
      logger: this.#logger,
    });
  }

  /** True while the `LISTEN` connection is established (for tests). */
  get listening(): boolean {
    return this.#listenState === "up";
  }

  async currentRevision(): Promise<number> {
    const [row] = await this.#run(
      (sql) => sql.unsafe(this.#q.current, []),
      "current revision",
    );
    return Number(row.value);
  }

  async compactedRevision(): Promise<number> {
    const [row] = await this.#run(
      (sql) => sql.unsafe(this.#q.compacted, []),
      "compacted revision",
    );
    return Number(row.value);
  }

  async get(key: string, atRevision?: number): Promise<LogRecord | undefined> {
    checkLogObjectKey(key);
    const at = checkLogRevision("atRevision", atRevision);
    if (at === 0) {
      const rows = await this.#query<RecordRow>(
        this.#q.getLatest,
        [key],
        `get ${key}`,
      );
      return rows[0] ? toRecord(rows[0], key) : undefined;
    }
    const [row] = await this.#query<
      RecordRow & { current: number; compacted: number; kind: number }
    >(this.#q.getAt, [key, at], `get ${key}`);
    this.#checkAt(at, row.current, row.compacted);
    if (row.mod_revision === null || row.kind === KIND_DELETE) return undefined;
    return toRecord(row, key);
  }

  async list(
    prefix: string,
    opts: LogListOptions = {},
  ): Promise<LogListResult> {
    const end = checkLogPrefix(prefix);
    const at = checkLogRevision("atRevision", opts.atRevision);
    const limit = checkLogRevision("limit", opts.limit);
    const start = typeof opts.startKey === "string" && opts.startKey > prefix
      ? rangeStart(opts.startKey)
      : prefix;
    const sqlLimit = limit === 0 ? null : limit + 1;
    let rows: (RecordRow & { current: number; compacted?: number })[];
    if (at === 0) {
      rows = await this.#query(
        this.#q.listLatest,
        [start, end, sqlLimit],
        `list ${prefix}`,
      );
    } else {
      rows = await this.#query(
        this.#q.listAt,
        [start, end, at, sqlLimit],
        `list ${prefix}`,
      );
      this.#checkAt(at, rows[0].current, rows[0].compacted!);
    }
    const revision = at === 0 ? Number(rows[0].current) : at;
    const live = rows.filter((r) => r.key !== null);
    const more = limit !== 0 && live.length > limit;
    return {
      records: (more ? live.slice(0, limit) : live).map((r) => toRecord(r)),
      revision,
      more,
    };
  }

  async count(prefix: string): Promise<{ count: number; bytes: number }> {
    const end = checkLogPrefix(prefix);
    const [row] = await this.#query<{ n: number; bytes: number }>(
      this.#q.count,
      [prefix, end],
      `count ${prefix}`,
    );
    return { count: Number(row.n), bytes: Number(row.bytes) };
  }

  /**
   * A lone create (nothing queued for the group commit, a batch slot free:
   * the common case at one request in flight) runs its statement here, as
   * the batch of one it would be, without the batcher's layers; any other
   * goes through the batcher.
   */
  async create(key: string, value: string): Promise<number> {
    checkLogObjectKey(key);
    checkLogValue(key, value);
    if (this.#closed) throw unavailable("postgres: the log is closed");
    if (!this.#batcher.reserve()) {
      return await this.#write(KIND_CREATE, key, value, 0, "create");
    }
    try {
      let revision: number | undefined;
      try {
        revision = await this.#createOne(key, value);
      } catch (err) {
        throw toStorageError(err, this.#endpoint, `create ${key}`);
      }
      if (revision === undefined) throw keyExists(key, 0);
      this.#tailer.offer([{ type: "create", key, revision, value }]);
      return revision;
    } finally {
      this.#batcher.release();
    }
  }

  /**
   * One create as its own statement (counter, `kv` and `log` in one
   * `WITH`): its revision, or `undefined` when the key exists (the primary
   * key of `kv` refused it and everything rolled back).
   */
  async #createOne(key: string, value: string): Promise<number | undefined> {
    try {
      const rows = await this.#bound(
        (sql) =>
          sql.unsafe(
            this.#q.createOne,
            [this.#id, key, value] as never[],
            PREPARED,
          ),
        `create ${key}`,
      );
      return Number(rows[0].revision);
    } catch (err) {
      if (errorCode(err) === UNIQUE_VIOLATION) return undefined;
      throw err;
    }
  }

  update(
    key: string,
    value: string,
    expectedRevision: number,
  ): Promise<number> {
    return this.#write(KIND_UPDATE, key, value, expectedRevision, "update");
  }

  /**
   * One statement (`hp_delete_prefix`): every live key under `prefix` goes
   * in one transaction under the revision lock, one delete marker each. The
   * events are offered to this replica's tail like a write batch's.
   */
  async deletePrefix(
    prefix: string,
  ): Promise<{ deleted: number; revision: number }> {
    validatePrefix(prefix);
    const end = checkLogPrefix(prefix);
    if (this.#closed) throw unavailable("postgres: the log is closed");
    const rows = await this.#query<{
      d_revision: number;
      d_key: string | null;
      d_prev_revision: number | null;
      d_prev_value: string | null;
    }>(this.#q.deletePrefix, [this.#id, prefix, end], `deletePrefix ${prefix}`);
    const events: LogEvent[] = [];
    for (const row of rows) {
      if (row.d_key === null) continue;
      events.push({
        type: "delete",
        key: row.d_key,
        revision: Number(row.d_revision),
        value: row.d_prev_value!,
        prevValue: row.d_prev_value!,
        prevRevision: Number(row.d_prev_revision),
      });
    }
    if (events.length > 0) this.#tailer.offer(events);
    return {
      deleted: events.length,
      revision: Number(rows[rows.length - 1].d_revision),
    };
  }

  delete(key: string, expectedRevision: number): Promise<number> {
    return this.#write(KIND_DELETE, key, null, expectedRevision, "delete");
  }

  async changes(
    prefix: string,
    afterRevision: number,
    limit?: number,
  ): Promise<LogEvent[]> {
    const end = checkLogPrefix(prefix);
    const after = checkLogRevision("afterRevision", afterRevision);
    const n = checkLogRevision("limit", limit);
    const rows = await this.#query<ChangeRow & { compacted: number }>(
      this.#q.changes,
      [after, prefix, end, n === 0 ? null : n],
      `changes ${prefix}`,
    );
    const compacted = Number(rows[0].compacted);
    if (after < compacted) throw expired(after, compacted);
    return rows.map(toEvent).filter((e) => e !== undefined) as LogEvent[];
  }

  subscribe(
    listener: (events: LogEvent[]) => void,
    onError?: (err: StorageError) => void,
  ): () => void {
    this.#listeners.set(listener, onError);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Drops history at or below `revision` (batches of 10k revisions, each
   * one transaction), then vacuums the history table so it does not grow
   * under churn. Waits (up to 5 s) for this replica's tail to reach
   * `revision` first, so its own watchers never lose changes to it.
   */
  async compact(revision: number): Promise<void> {
    const target = checkLogRevision("revision", revision);
    const current = await this.currentRevision();
    if (target > current) throw tooLargeResourceVersion(target, current);
    await this.#tailer.caughtUp(target, 5_000);
    let deleted = 0;
    for (;;) {
      const [row] = await this.#query<{ compacted: number; deleted: number }>(
        this.#q.compact,
        [target, COMPACT_BATCH],
        `compact ${target}`,
      );
      deleted += Number(row.deleted);
      if (Number(row.compacted) >= target || this.#closed) break;
    }
    if (deleted > 0 && !this.#closed) {
      await this.#run(
        (sql) => sql.unsafe(`VACUUM ${this.#names.log}`),
        "vacuum",
        Infinity,
      );
    }
    this.#logger.debug("compacted", { to: target, deletedRows: deleted });
  }

  async ready(): Promise<void> {
    if (this.#closed) throw unavailable("postgres: the log is closed");
    await this.#run(
      (sql) => sql.unsafe("SELECT 1"),
      "readiness check",
      this.#deadlines.readinessMs,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#listenRetry) {
      clearTimeout(this.#listenRetry.timer);
      this.#listenRetry.wake();
    }
    await this.#compactor.stop();
    await this.#batcher.drained();
    await this.#tailer.close();
    this.#listeners.clear();
    clearInterval(this.#listenCheck);
    await this.#deadlines.bound(
      this.#pool.current.unsafe(this.#q.unregister, [this.#id]),
      "unregister",
      READINESS_TIMEOUT_MS,
    ).catch(() => {});
    await this.#listenSql.end({ timeout: 1 }).catch(() => {});
    const pool = this.#pool.current;
    const retired = this.#pool.end();
    await pool.end({ timeout: 5 }).catch(() => {});
    await retired;
    this.#deadlines.close();
  }

  /** One write, group-committed with concurrent ones (see `_batcher.ts`). */
  async #write(
    op: number,
    key: string,
    value: string | null,
    expected: number,
    what: string,
  ): Promise<number> {
    checkLogObjectKey(key);
    if (value !== null) checkLogValue(key, value);
    checkLogRevision("expectedRevision", expected);
    if (this.#closed) throw unavailable("postgres: the log is closed");
    let result;
    try {
      result = await this.#batcher.write(op, key, value, expected);
    } catch (err) {
      throw toStorageError(err, this.#endpoint, `${what} ${key}`);
    }
    const { status, revision } = result.row;
    switch (status) {
      case "":
        return Number(revision);
      case HP_KEY_EXISTS:
        throw keyExists(key, Number(revision));
      case HP_NOT_FOUND:
        throw notFound(key, Number(revision));
      default:
        throw conflict(
          key,
          `the object has been modified (revision ${revision}, expected ${expected})`,
        );
    }
  }

  async #runBatch(writes: PendingWrite[]): Promise<WriteRow[]> {
    if (writes.length === 1 && writes[0].op === KIND_CREATE) {
      const revision = await this.#createOne(writes[0].key, writes[0].value!);
      return [{
        status: revision === undefined ? HP_KEY_EXISTS : "",
        revision: revision ?? 0,
        prev_revision: null,
        prev_value: null,
      }];
    }
    return await this.#bound(
      (sql) =>
        sql.unsafe(this.#q.write, [
          this.#id,
          textArray(writes.map((w) => String(w.op))),
          textArray(writes.map((w) => w.key)),
          textArray(writes.map((w) => w.value)),
          textArray(writes.map((w) => String(w.expected))),
        ], PREPARED),
      `write of ${writes.length}`,
    ) as unknown as WriteRow[];
  }

  #checkAt(at: number, current: number, compacted: number): void {
    if (at > Number(current)) {
      throw tooLargeResourceVersion(at, Number(current));
    }
    if (at < Number(compacted)) throw expired(at, Number(compacted));
  }

  /**
   * One round of the tail (`ChangeTailer`). No gaps: revisions are allocated
   * under one row lock held to commit (see `_schema.ts`), so a statement
   * snapshot that sees revision N sees every revision below it; the round is
   * one statement, so nothing between `after` and what it read can appear
   * later. This replica's own commits are `offer`ed to the tail instead of
   * read back (revisions are dense: a refused write rolls its increment back).
   */
  async #tail(after: number, limit: number): Promise<TailBatch> {
    const rows = await this.#bound(
      (sql) => sql.unsafe(this.#q.tail, [after, limit], PREPARED),
      "tail",
    ) as unknown as (ChangeRow & { compacted: number })[];
    return {
      horizon: Number(rows[0].compacted),
      events: rows.map(toEvent).filter((e) => e !== undefined) as LogEvent[],
    };
  }

  /**
   * The `LISTEN` connection's client. Its close (a restart, a reset) makes
   * the log listen again; the hooks of a replaced client are ignored.
   */
  #openListener(): Sql {
    const sql: Sql = connectListener(this.#config, {
      onnotify: (_channel, payload) => this.#tailer.notified(Number(payload)),
      onclose: () => {
        if (
          sql !== this.#listenSql || this.#listenState !== "up" ||
          this.#closed
        ) return;
        this.#listenState = "idle";
        this.#logger.warn("postgres LISTEN connection lost; re-listening", {
          endpoint: this.#endpoint,
        });
        void this.#listen();
      },
    });
    return sql;
  }

  /** Drops the `LISTEN` client for a fresh one (its connection may be dead). */
  #replaceListener(): void {
    const stale = this.#listenSql;
    this.#listenSql = this.#openListener();
    void stale.end({ timeout: 0 }).catch(() => {});
  }

  /**
   * A silently dead `LISTEN` connection (a partition, a lost firewall
   * state) reports no close for as long as TCP takes to give up, and other
   * replicas' commits would wait for the safety poll meanwhile. So the
   * connection must answer a `SELECT 1` within the readiness deadline every
   * `listenCheckMs`; when it does not, it is replaced and listens again
   * (with the catch-up read).
   */
  async #checkListener(): Promise<void> {
    if (this.#listenState !== "up" || this.#checkingListener) return;
    this.#checkingListener = true;
    const sql = this.#listenSql;
    try {
      await this.#deadlines.bound(
        sql.unsafe("SELECT 1"),
        "LISTEN connection check",
        this.#deadlines.readinessMs,
      );
    } catch (err) {
      // A close is the close hook's to handle.
      if (
        this.#closed || sql !== this.#listenSql ||
        this.#listenState !== "up"
      ) return;
      this.#logger.warn(
        "postgres LISTEN connection did not answer; reconnecting",
        { endpoint: this.#endpoint, error: err },
      );
      this.#listenState = "idle";
      this.#replaceListener();
      void this.#listen();
    } finally {
      this.#checkingListener = false;
    }
  }

  /** Keeps a `LISTEN` open: retried with backoff until it succeeds, then a catch-up round. */
  async #listen(): Promise<void> {
    if (this.#listenState !== "idle") return;
    this.#listenState = "connecting";
    let delay = 100;
    while (!this.#closed) {
      // A client whose query passed its deadline is replaced before the
      // next try: its connection may be dead without knowing it.
      let silent = false;
      const sql = this.#listenSql;
      const expired = () => silent = true;
      try {
        await this.#deadlines.bound(
          sql.unsafe(`LISTEN "${this.#names.channel}"`),
          "LISTEN",
          undefined,
          expired,
        );
        // Registered only once listening: from here on every commit of
        // another replica either notifies us or precedes the catch-up read.
        await this.#deadlines.bound(
          sql.unsafe(this.#q.register, [this.#id]),
          "register",
          undefined,
          expired,
        );
        if (this.#closed) return;
        this.#listenState = "up";
        this.#tailer.kick(); // whatever was committed while we were away
        return;
      } catch (err) {
        if (this.#closed) return;
        if (silent && sql === this.#listenSql) this.#replaceListener();
        this.#logger.debug("postgres LISTEN failed; retrying", { error: err });
        await new Promise<void>((wake) => {
          const timer = setTimeout(() => {
            this.#listenRetry = undefined;
            wake();
          }, delay);
          this.#listenRetry = { timer, wake };
        });
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  #lost(err: StorageError): void {
    for (const onError of [...this.#listeners.values()]) onError?.(err);
  }

  #deliver(events: LogEvent[]): void {
    if (this.#listeners.size === 0) return;
    for (const listener of [...this.#listeners.keys()]) {
      try {
        listener(events);
      } catch (err) {
        this.#logger.error("postgres log subscriber threw", { error: err });
      }
    }
  }

  async #query<T>(text: string, params: unknown[], what: string): Promise<T[]> {
    return await this.#run(
      (sql) => sql.unsafe(text, params as never[], PREPARED),
      what,
    ) as unknown as T[];
  }

  /** `fn`'s query within `ms` (default: the request deadline; `Infinity`: none), errors typed. */
  async #run<T>(
    fn: (sql: Sql) => PromiseLike<T>,
    what: string,
    ms?: number,
  ): Promise<T> {
    if (this.#closed) throw unavailable("postgres: the log is closed");
    try {
      return await this.#bound(fn, what, ms);
    } catch (err) {
      throw toStorageError(err, this.#endpoint, what);
    }
  }

  /**
   * `fn`'s query on the current pool within `ms` (default: the request
   * deadline); once the deadline passed, that pool is replaced.
   */
  #bound<T>(
    fn: (sql: Sql) => PromiseLike<T>,
    what: string,
    ms?: number,
  ): Promise<T> {
    const sql = this.#pool.current;
    return this.#deadlines.bound(
      fn(sql),
      what,
      ms,
      () => this.#pool.replace(sql),
    );
  }
}
