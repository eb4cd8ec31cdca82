/**
 * The statements of the postgres revision log, built once per schema, and
 * the mapping of their rows. Every read that must agree with the current or
 * compacted revision reads `meta` in the same statement (one snapshot under
 * READ COMMITTED), so a concurrent write or compaction cannot slip between.
 *
 * @module
 */

import type { LogEvent, LogRecord } from "../../storage/log/log.ts";
import { KIND_CREATE, KIND_DELETE, type Names } from "./_schema.ts";

/** Every statement, with `$n` parameters. */
export interface Queries {
  current: string;
  compacted: string;
  getLatest: string;
  /** $1 key, $2 revision. Also returns current and compacted. */
  getAt: string;
  /** $1 start, $2 end, $3 limit (NULL: all). Also returns the current revision. */
  listLatest: string;
  /** $1 start, $2 end, $3 revision, $4 limit. Also returns current and compacted. */
  listAt: string;
  /** $1 start, $2 end. */
  count: string;
  /** $1 replica id; arrays: $2 ops, $3 keys, $4 values, $5 expected revisions (see `_schema.ts`). */
  write: string;
  /**
   * A lone create as one plain statement (cheaper than the batch function):
   * $1 replica id, $2 key, $3 value. The key's primary key is the existence
   * check (a unique violation rolls the whole statement back).
   */
  createOne: string;
  /** $1 replica id: registers the calling LISTEN connection. */
  register: string;
  /** $1 replica id. */
  unregister: string;
  /** $1 after, $2 start, $3 end, $4 limit. Also returns the compacted revision. */
  changes: string;
  /** $1 after, $2 limit: every key (the tailer). */
  tail: string;
  /** $1 target, $2 batch. */
  compact: string;
  /** $1 replica id, $2 start, $3 end (see `hp_delete_prefix` in `_schema.ts`). */
  deletePrefix: string;
}

const META = (n: Names) =>
  `(SELECT (SELECT value FROM ${n.meta} WHERE name = 'revision') AS current,
           (SELECT value FROM ${n.meta} WHERE name = 'compacted') AS compacted) m`;

/**
 * The statements for the schema `n`, with runs of white space collapsed:
 * the driver hashes a statement's text on every call to find its prepared
 * form on the connection (no string literal holds more than one space).
 */
export function queriesFor(n: Names): Queries {
  const all = statements(n);
  for (const name of Object.keys(all) as (keyof Queries)[]) {
    all[name] = all[name].replace(/\s+/g, " ").trim();
  }
  return all;
}

function statements(n: Names): Queries {
  const changeCols =
    `c.revision, c.key, c.kind, c.value, c.prev_revision, c.prev_value`;
  return {
    current: `SELECT value FROM ${n.meta} WHERE name = 'revision'`,
    compacted: `SELECT value FROM ${n.meta} WHERE name = 'compacted'`,
    getLatest:
      `SELECT create_revision, mod_revision, value FROM ${n.kv} WHERE key = $1`,
    getAt: `SELECT m.current, m.compacted, l.create_revision,
        l.revision AS mod_revision, l.kind, l.value
      FROM ${META(n)} LEFT JOIN LATERAL (
        SELECT * FROM ${n.log} WHERE key = $1 AND revision <= $2
        ORDER BY revision DESC LIMIT 1) l ON true`,
    listLatest: `SELECT m.current, k.key, k.create_revision, k.mod_revision,
        k.value
      FROM ${META(n)} LEFT JOIN LATERAL (
        SELECT * FROM ${n.kv} WHERE key >= $1 AND key < $2
        ORDER BY key LIMIT $3) k ON true`,
    listAt: `SELECT m.current, m.compacted, k.key, k.create_revision,
        k.revision AS mod_revision, k.value
      FROM ${META(n)} LEFT JOIN LATERAL (
        SELECT * FROM (
          SELECT DISTINCT ON (key) key, revision, create_revision, kind, value
          FROM ${n.log} WHERE key >= $1 AND key < $2 AND revision <= $3
          ORDER BY key, revision DESC) newest
        WHERE kind <> ${KIND_DELETE} ORDER BY key LIMIT $4) k ON true`,
    count: `SELECT count(*) AS n, COALESCE(sum(octet_length(value)), 0) AS bytes
      FROM ${n.kv} WHERE key >= $1 AND key < $2`,
    write:
      `SELECT * FROM ${n.write}($1, $2::text[], $3::text[], $4::text[], $5::text[])`,
    createOne: `WITH r AS (
        UPDATE ${n.meta} SET value = value + 1 WHERE name = 'revision'
        RETURNING value, listeners),
      k AS (INSERT INTO ${n.kv} SELECT $2, value, value, $3 FROM r),
      l AS (INSERT INTO ${n.log} SELECT value, $2, ${KIND_CREATE}, value, NULL, $3 FROM r)
      SELECT value AS revision,
        CASE WHEN cardinality(array_remove(listeners, $1)) > 0
          THEN pg_notify('${n.channel}', value::text)::text END AS notified
      FROM r`,
    register: `SELECT ${n.register}($1, false)::text AS registered`,
    unregister: `SELECT ${n.register}($1, true)::text AS unregistered`,
    changes: `SELECT m.compacted, ${changeCols}
      FROM ${META(n)} LEFT JOIN LATERAL (
        SELECT c.*, p.value AS prev_value FROM ${n.log} c
        LEFT JOIN ${n.log} p ON p.revision = c.prev_revision
        WHERE c.revision > $1 AND c.key >= $2 AND c.key < $3
        ORDER BY c.revision LIMIT $4) c ON true
      ORDER BY c.revision`,
    tail: `SELECT m.compacted, ${changeCols}
      FROM ${META(n)} LEFT JOIN LATERAL (
        SELECT c.*, p.value AS prev_value FROM ${n.log} c
        LEFT JOIN ${n.log} p ON p.revision = c.prev_revision
        WHERE c.revision > $1 ORDER BY c.revision LIMIT $2) c ON true
      ORDER BY c.revision`,
    compact: `SELECT compacted, deleted FROM ${n.compact}($1, $2)`,
    deletePrefix: `SELECT * FROM ${n.deletePrefix}($1, $2, $3)`,
  };
}

/** A row of `getLatest`, `getAt`, `listLatest` or `listAt`. */
export interface RecordRow {
  key?: string;
  create_revision: number | null;
  mod_revision: number | null;
  value: string | null;
}

/** The record of a row (the key given when the row has none). */
export function toRecord(row: RecordRow, key?: string): LogRecord {
  return {
    key: (row.key ?? key)!,
    value: row.value!,
    createRevision: Number(row.create_revision),
    modRevision: Number(row.mod_revision),
  };
}

/** A row of `changes` or `tail`. */
export interface ChangeRow {
  revision: number | null;
  key: string;
  kind: number;
  value: string | null;
  prev_revision: number | null;
  prev_value: string | null;
}

/** The event of a change row; `undefined` for the padding row of an empty result. */
export function toEvent(row: ChangeRow): LogEvent | undefined {
  if (row.revision === null) return undefined;
  const revision = Number(row.revision);
  if (row.kind === KIND_CREATE) {
    return {
      type: "create",
      key: row.key,
      revision,
      value: row.value!,
    };
  }
  const prevValue = row.prev_value ?? "";
  return {
    type: row.kind === KIND_DELETE ? "delete" : "update",
    key: row.key,
    revision,
    value: row.kind === KIND_DELETE ? prevValue : row.value!,
    prevValue,
    prevRevision: Number(row.prev_revision),
  };
}

/**
 * The start of a key range in a form PostgreSQL can hold: text may not
 * contain NUL, and continue tokens start at `lastKey + "\0"`. Keys never
 * contain NUL, so `key >= a + "\0" + …` is `key > a`, which is
 * `key >= a + "\x01"`.
 */
export function rangeStart(start: string): string {
  const nul = start.indexOf("\0");
  return nul < 0 ? start : start.slice(0, nul) + "\x01";
}
