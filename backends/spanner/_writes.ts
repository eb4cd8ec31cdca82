/**
 * Conditional writes: each is one read-write transaction that reads the
 * key's live row, checks the condition, writes the row, appends the change
 * to `hp_changes` and stamps `hp_meta.last_commit` — all with the pending
 * commit timestamp, which becomes the revision. Stamping the one meta row
 * makes every pair of writers conflict, so commit timestamps are distinct
 * and their order is the commit order.
 *
 * @module
 */

import { Spanner } from "@google-cloud/spanner";
import type { Database } from "@google-cloud/spanner";
import { conflict, keyExists, notFound } from "../../storage/mod.ts";
import {
  commitRevision,
  KV_COLUMNS,
  kvRow,
  prefixRange,
  rangeParams,
  rangeSql,
  type RecordRow,
} from "./_sql.ts";

/** What a write does, decided from the current row (or a thrown error). */
type Plan = (current: RecordRow | undefined) => {
  kv: "insert" | "update" | "delete";
  value: string;
  kind: "create" | "update" | "delete";
};

async function write(db: Database, key: string, plan: Plan): Promise<number> {
  const ct = Spanner.COMMIT_TIMESTAMP;
  const resp = await db.runTransactionAsync(async (tx) => {
    // The key-value read API: on the emulator several times cheaper than
    // the same point lookup in SQL.
    const [rows] = await tx.read("hp_kv", {
      keys: [key],
      columns: KV_COLUMNS,
      json: true,
    });
    const current = rows[0]
      ? kvRow(rows[0] as Record<string, unknown>)
      : undefined;
    let step;
    try {
      step = plan(current);
    } catch (err) {
      // End the transaction now: the emulator runs one read-write
      // transaction at a time and would make the next writer wait for it.
      await tx.rollback().catch(() => {});
      throw err;
    }
    if (step.kv === "insert") {
      tx.insert("hp_kv", {
        key,
        value: step.value,
        create_revision: ct,
        mod_revision: ct,
      });
    } else if (step.kv === "update") {
      tx.update("hp_kv", { key, value: step.value, mod_revision: ct });
    } else {
      tx.deleteRows("hp_kv", [key]);
    }
    tx.insert("hp_changes", {
      revision: ct,
      kind: step.kind,
      key,
      value: step.value,
      prev_value: current ? current.value : null,
      prev_revision: current ? Spanner.int(current.mr) : null,
    });
    tx.update("hp_meta", { id: 1, last_commit: ct });
    const [committed] = await tx.commit();
    return committed;
  });
  return commitRevision(resp.commitTimestamp);
}

/** Creates `key`; `KeyExists` when it is live. Returns the revision. */
export function createKey(
  db: Database,
  key: string,
  value: string,
): Promise<number> {
  return write(db, key, (current) => {
    if (current) throw keyExists(key, Number(current.mr));
    return { kv: "insert", value, kind: "create" };
  });
}

/** Replaces `key` at `expected` modRevision. Returns the revision. */
export function updateKey(
  db: Database,
  key: string,
  value: string,
  expected: number,
): Promise<number> {
  return write(db, key, (current) => {
    if (!current) throw notFound(key);
    if (Number(current.mr) !== expected) throw conflict(key);
    return { kv: "update", value, kind: "update" };
  });
}

/** Deletes `key` at `expected` modRevision. Returns the revision. */
export function deleteKey(
  db: Database,
  key: string,
  expected: number,
): Promise<number> {
  return write(db, key, (current) => {
    if (!current) throw notFound(key);
    if (Number(current.mr) !== expected) throw conflict(key);
    return { kv: "delete", value: current.value, kind: "delete" };
  });
}

/**
 * Keys one deletePrefix transaction removes at most: Spanner bounds a commit
 * to 80,000 mutations, and each key costs five (its `hp_kv` delete and the
 * four cells of its `hp_bulk_deletes` row).
 */
export const DELETE_PREFIX_CHUNK = 10_000;

/**
 * Deletes every live key under `prefix`, `chunk` keys per read-write
 * transaction (one transaction for any prefix of up to `chunk` keys): each
 * transaction reads the next live rows of the range in key order (locking
 * them), deletes them with one `deleteRows` mutation, records them in
 * `hp_bulk_deletes` and announces them by one `hp_changes` row of kind
 * `prefix` — all at its one commit timestamp. `revision` is that of the
 * last transaction, undefined when nothing matched (nothing was written).
 */
export async function deletePrefixKeys(
  db: Database,
  prefix: string,
  chunk = DELETE_PREFIX_CHUNK,
): Promise<{ deleted: number; revision: number | undefined }> {
  let deleted = 0;
  let revision: number | undefined;
  for (;;) {
    const step = await deleteChunk(db, prefix, chunk);
    if (step.revision === undefined) break;
    deleted += step.deleted;
    revision = step.revision;
    if (step.deleted < chunk) break;
  }
  return { deleted, revision };
}

async function deleteChunk(
  db: Database,
  prefix: string,
  chunk: number,
): Promise<{ deleted: number; revision: number | undefined }> {
  const ct = Spanner.COMMIT_TIMESTAMP;
  const range = prefixRange(prefix);
  let deleted = 0;
  const resp = await db.runTransactionAsync(async (tx) => {
    const [rows] = await tx.run({
      sql: `SELECT key, value, UNIX_MICROS(mod_revision) AS mr FROM hp_kv
            WHERE ${rangeSql("key", range)} ORDER BY key LIMIT ${chunk}`,
      params: rangeParams(range),
      json: true,
    });
    const live = rows as { key: string; value: string; mr: number }[];
    deleted = live.length;
    if (live.length === 0) {
      await tx.rollback().catch(() => {});
      return undefined;
    }
    tx.deleteRows("hp_kv", live.map((r) => r.key));
    tx.insert(
      "hp_bulk_deletes",
      live.map((r) => ({
        revision: ct,
        key: r.key,
        prev_value: r.value,
        prev_revision: Spanner.int(r.mr),
      })),
    );
    tx.insert("hp_changes", {
      revision: ct,
      kind: "prefix",
      key: prefix,
      value: "",
      prev_value: null,
      prev_revision: Spanner.int(live.length),
    });
    tx.update("hp_meta", { id: 1, last_commit: ct });
    const [committed] = await tx.commit();
    return committed;
  });
  return {
    deleted,
    revision: resp ? commitRevision(resp.commitTimestamp) : undefined,
  };
}
