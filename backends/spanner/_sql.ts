/**
 * SQL text and row mapping for the Spanner log. Revisions travel as INT64
 * microseconds (`UNIX_MICROS` / `TIMESTAMP_MICROS`): commit timestamps have
 * microsecond granularity, and microseconds since the epoch stay within
 * JavaScript's safe integers (nanoseconds would not).
 *
 * @module
 */

import { Spanner } from "@google-cloud/spanner";
import { prefixEnd } from "../../storage/mod.ts";
import type { LogEvent, LogRecord } from "../../storage/log/log.ts";

/** A key range `[start, end)`; `end` empty = unbounded. */
export interface KeyRange {
  start: string;
  end: string;
}

/** The range of keys starting with `prefix`, from `startKey` if later. */
export function prefixRange(prefix: string, startKey?: string): KeyRange {
  const start = startKey !== undefined && startKey > prefix ? startKey : prefix;
  return { start, end: prefixEnd(prefix) };
}

/** `AND`-joined range condition on `col`, with params `@start`, `@end`. */
export function rangeSql(col: string, range: KeyRange): string {
  return range.end === ""
    ? `${col} >= @start`
    : `${col} >= @start AND ${col} < @end`;
}

/** Query params for a range. */
export function rangeParams(range: KeyRange): Record<string, string> {
  return range.end === ""
    ? { start: range.start }
    : { start: range.start, end: range.end };
}

/** Columns selected for a live record. */
export const RECORD_COLUMNS =
  "key, value, UNIX_MICROS(create_revision) AS cr, UNIX_MICROS(mod_revision) AS mr";

/** Columns selected for a change row (joined as `c`). */
export const CHANGE_COLUMNS =
  "UNIX_MICROS(c.revision) AS rev, c.kind, c.key, c.value, c.prev_value, c.prev_revision";

/**
 * The change rows after `@after` that pass `filter` (on `hp_changes`), at
 * most `limit` of them, with each deletePrefix row (kind `prefix`) expanded
 * into one `delete` row per removed key that passes `bulkFilter` (on
 * `hp_bulk_deletes` as `b`). Columns as {@linkcode CHANGE_COLUMNS} expects
 * under the alias given by the caller; a prefix row none of whose keys pass
 * comes out once with a NULL key (it still counts toward `limit`, 0 = all).
 */
export function expandedChangesSql(
  filter: string,
  bulkFilter: string,
  limit: number,
): string {
  const bulk = (b: string, own: string) =>
    `IF(ch.kind = 'prefix', ${b}, ${own})`;
  return `(SELECT ch.revision,
      ${bulk("'delete'", "ch.kind")} AS kind,
      ${bulk("b.key", "ch.key")} AS key,
      ${bulk("b.prev_value", "ch.value")} AS value,
      ${bulk("b.prev_value", "ch.prev_value")} AS prev_value,
      ${bulk("b.prev_revision", "ch.prev_revision")} AS prev_revision
    FROM (SELECT revision, kind, key, value, prev_value, prev_revision
          FROM hp_changes
          WHERE revision > TIMESTAMP_MICROS(@after) AND (${filter})
          ORDER BY revision${limit > 0 ? ` LIMIT ${limit}` : ""}) AS ch
    LEFT JOIN hp_bulk_deletes AS b
      ON ch.kind = 'prefix' AND b.revision = ch.revision AND (${bulkFilter}))`;
}

/** A record row as returned with `json: true`. */
export interface RecordRow {
  key: string;
  value: string;
  cr: number;
  mr: number;
}

/** A change row as returned with `json: true` (nulls when the join found none). */
export interface ChangeRow {
  rev: number | null;
  kind: string | null;
  key: string | null;
  value: string | null;
  prev_value: string | null;
  prev_revision: number | null;
}

/** Maps a record row. */
export function toRecord(row: RecordRow): LogRecord {
  return {
    key: row.key,
    value: row.value,
    createRevision: Number(row.cr),
    modRevision: Number(row.mr),
  };
}

/** Maps a change row; `undefined` for the empty side of a join. */
export function toEvent(row: ChangeRow): LogEvent | undefined {
  if (row.rev === null || row.key === null || row.kind === null) {
    return undefined;
  }
  const event: LogEvent = {
    type: row.kind as LogEvent["type"],
    key: row.key,
    revision: Number(row.rev),
    value: row.value ?? "",
  };
  if (row.prev_value !== null) event.prevValue = row.prev_value;
  if (row.prev_revision !== null) {
    event.prevRevision = Number(row.prev_revision);
  }
  return event;
}

/** The timestamp of revision `rev` (microseconds), for stale reads. */
export function revisionTimestamp(rev: number) {
  return Spanner.timestamp({
    seconds: Math.floor(rev / 1e6),
    nanos: (rev % 1e6) * 1000,
  });
}

/** Microseconds of a commit timestamp proto (`{seconds, nanos}`). */
export function commitRevision(
  ts: { seconds?: unknown; nanos?: unknown } | null | undefined,
): number {
  if (!ts) throw new Error("commit returned no timestamp");
  const seconds = Number(String(ts.seconds ?? 0));
  const nanos = Number(ts.nanos ?? 0);
  return seconds * 1e6 + Math.floor(nanos / 1000);
}

/** Columns of `hp_kv` for the key-value read API (no SQL). */
export const KV_COLUMNS = ["key", "value", "create_revision", "mod_revision"];

/** Microseconds of a TIMESTAMP value read through the read API. */
export function timestampRevision(ts: unknown): number {
  const full = (ts as { getFullTimeString?: () => string })
    .getFullTimeString?.();
  if (full === undefined) throw new Error("not a Spanner timestamp");
  return Number(BigInt(full) / 1000n);
}

/** Maps a row of {@linkcode KV_COLUMNS} to a record row. */
export function kvRow(row: Record<string, unknown>): RecordRow {
  return {
    key: row.key as string,
    value: row.value as string,
    cr: timestampRevision(row.create_revision),
    mr: timestampRevision(row.mod_revision),
  };
}
