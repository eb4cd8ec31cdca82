/**
 * One step of compaction: drop the history that no read at or after the new
 * compacted revision can need.
 *
 * For every change with revision in `(from, to]`, the row it replaced
 * (`prev_rev`) is superseded at `to` and goes; so do delete markers in
 * `(from, to]` (the key is absent at `to`). What stays is, per key, the row
 * in force at `to` plus every newer row — exactly what `get`/`list` at any
 * revision `>= to` and `changes(after >= to)` (which joins each change to its
 * previous row) read. Each step touches only the rows of its window, so
 * compaction costs O(changes since the last compaction), not O(table).
 *
 * @module
 */

import type { Statements } from "./_statements.ts";

/**
 * Compacts `(from, to]` inside the caller's transaction and persists the
 * compacted revision and the revision counter (so the counter survives even
 * when the newest rows were delete markers that just went). Returns the
 * number of rows deleted.
 */
export function compactRange(
  s: Statements,
  from: number,
  to: number,
  currentRevision: number,
): number {
  // Superseded rows first: the delete markers still point at their rows.
  const superseded = s.compactSuperseded.run(from, to).changes;
  const deletes = s.compactDeletes.run(from, to).changes;
  s.writeMeta.run(to, "compacted");
  s.writeMeta.run(currentRevision, "revision");
  return Number(superseded) + Number(deletes);
}
