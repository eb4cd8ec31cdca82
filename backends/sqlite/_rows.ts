/**
 * Turns rows of the revision-log queries into `LogRecord`s and `LogEvent`s.
 *
 * @module
 */

import type { LogEvent, LogRecord } from "../../storage/log/log.ts";

/** The first `n` list rows (`[key, rev, create_rev, value]` arrays) as records. */
export function toRecords(rows: unknown[][], n: number): LogRecord[] {
  const records = new Array<LogRecord>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    records[i] = {
      key: r[0] as string,
      modRevision: r[1] as number,
      createRevision: r[2] as number,
      value: r[3] as string,
    };
  }
  return records;
}

/** A row of the `changes` query: a change joined to the row it replaced. */
export interface ChangeRow {
  rev: number;
  key: string;
  prev_rev: number | null;
  deleted: number;
  value: string | null;
  prev_value: string | null;
}

/**
 * Change rows as events: a delete marker carries the last value (from the
 * row it replaced), a row without a previous one is a create.
 */
export function toEvents(rows: ChangeRow[]): LogEvent[] {
  const events = new Array<LogEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.deleted) {
      events[i] = {
        type: "delete",
        key: r.key,
        revision: r.rev,
        value: r.prev_value ?? "",
        prevValue: r.prev_value ?? "",
        prevRevision: r.prev_rev ?? 0,
      };
    } else if (r.prev_rev === null) {
      events[i] = {
        type: "create",
        key: r.key,
        revision: r.rev,
        value: r.value ?? "",
      };
    } else {
      events[i] = {
        type: "update",
        key: r.key,
        revision: r.rev,
        value: r.value ?? "",
        prevValue: r.prev_value ?? "",
        prevRevision: r.prev_rev,
      };
    }
  }
  return events;
}
