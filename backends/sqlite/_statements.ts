/**
 * The prepared statements of the revision log, compiled once per connection.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Every statement `SqliteLog` runs, prepared on one connection. */
export interface Statements {
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
  /** `key` → `[rev, create_rev, value]` of the live row. */
  latest: StatementSync;
  /** `key` → `[rev, value]` of the live row (the store's point read). */
  latestValue: StatementSync;
  /** `key, atRev` → `rev, create_rev, deleted, value` of the row in force at atRev. */
  atRevision: StatementSync;
  /** `start, end, limit` → live rows in key order. */
  listLatest: StatementSync;
  /** `start, end, atRev, limit` → rows in force at atRev, in key order. */
  listAtRevision: StatementSync;
  /** `start, end` → count and bytes of live rows. */
  count: StatementSync;
  /** `start, end` → number of live keys. */
  countLatest: StatementSync;
  /** `start, end, atRev` → number of keys live at atRev. */
  countAtRevision: StatementSync;
  /** `afterRev, start, end, limit` → changes with their previous value. */
  changes: StatementSync;
  insertLog: StatementSync;
  insertKv: StatementSync;
  updateKv: StatementSync;
  deleteKv: StatementSync;
  /**
   * `baseRev, start, end`: a delete marker for every live key in the range,
   * at revisions baseRev+1, baseRev+2, … in key order.
   */
  insertDeleteMarkers: StatementSync;
  /** `start, end`: drops every live key in the range. */
  deleteKvRange: StatementSync;
  maxRevision: StatementSync;
  readMeta: StatementSync;
  writeMeta: StatementSync;
  /** `a, b`: deletes the rows superseded by changes in (a, b]. */
  compactSuperseded: StatementSync;
  /** `a, b`: deletes the delete markers in (a, b]. */
  compactDeletes: StatementSync;
  /** Returns every free page to the file system (one result row per page). */
  incrementalVacuum: StatementSync;
}

/** Prepares every statement on `db`. */
export function prepareStatements(db: DatabaseSync): Statements {
  const p = (sql: string) => db.prepare(sql);
  const s: Statements = {
    begin: p("BEGIN IMMEDIATE"),
    commit: p("COMMIT"),
    rollback: p("ROLLBACK"),
    latest: p(
      `SELECT k.rev, l.create_rev, l.value FROM kv k
       JOIN log l ON l.rev = k.rev WHERE k.key = ?`,
    ),
    latestValue: p(
      `SELECT k.rev, l.value FROM kv k
       JOIN log l ON l.rev = k.rev WHERE k.key = ?`,
    ),
    atRevision: p(
      `SELECT rev, create_rev, deleted, value FROM log
       WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1`,
    ),
    listLatest: p(
      `SELECT k.key, k.rev, l.create_rev, l.value FROM kv k
       JOIN log l ON l.rev = k.rev
       WHERE k.key >= ? AND k.key < ? ORDER BY k.key LIMIT ?`,
    ),
    // SQLite guarantees that bare columns next to a single max() come from
    // the row holding the maximum.
    listAtRevision: p(
      `SELECT key, rev, create_rev, value FROM (
         SELECT key, max(rev) AS rev, create_rev, deleted, value FROM log
         WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key
       ) WHERE deleted = 0 ORDER BY key LIMIT ?`,
    ),
    count: p(
      `SELECT count(*) AS n, coalesce(sum(length(CAST(l.value AS BLOB))), 0)
         AS bytes
       FROM kv k JOIN log l ON l.rev = k.rev WHERE k.key >= ? AND k.key < ?`,
    ),
    countLatest: p("SELECT count(*) AS n FROM kv WHERE key >= ? AND key < ?"),
    countAtRevision: p(
      `SELECT count(*) AS n FROM (
         SELECT max(rev), deleted FROM log
         WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key
       ) WHERE deleted = 0`,
    ),
    // `+l.key` keeps the planner on the rowid (revision) range.
    changes: p(
      `SELECT l.rev, l.key, l.prev_rev, l.deleted, l.value,
              p.value AS prev_value
       FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
       WHERE l.rev > ? AND +l.key >= ? AND +l.key < ?
       ORDER BY l.rev LIMIT ?`,
    ),
    insertLog: p(
      `INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    insertKv: p("INSERT INTO kv (key, rev) VALUES (?, ?)"),
    updateKv: p("UPDATE kv SET rev = ? WHERE key = ?"),
    deleteKv: p("DELETE FROM kv WHERE key = ?"),
    insertDeleteMarkers: p(
      `INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value)
       SELECT ? + row_number() OVER (ORDER BY k.key), k.key, l.create_rev,
              k.rev, 1, NULL
       FROM kv k JOIN log l ON l.rev = k.rev
       WHERE k.key >= ? AND k.key < ? ORDER BY k.key`,
    ),
    deleteKvRange: p("DELETE FROM kv WHERE key >= ? AND key < ?"),
    maxRevision: p("SELECT coalesce(max(rev), 0) AS rev FROM log"),
    readMeta: p("SELECT value FROM meta WHERE name = ?"),
    writeMeta: p("UPDATE meta SET value = ? WHERE name = ?"),
    compactSuperseded: p(
      `DELETE FROM log WHERE rev IN (
         SELECT prev_rev FROM log
         WHERE rev > ? AND rev <= ? AND prev_rev IS NOT NULL)`,
    ),
    compactDeletes: p(
      "DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1",
    ),
    incrementalVacuum: p("PRAGMA incremental_vacuum"),
  };
  for (
    const stmt of [s.latest, s.latestValue, s.listLatest, s.listAtRevision]
  ) {
    stmt.setReturnArrays(true);
  }
  return s;
}
