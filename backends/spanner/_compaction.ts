/**
 * Compaction and retention. `compact(rev)` records the compacted revision in
 * `hp_meta` (reads and watches below it become `Expired`) and purges change
 * rows at or below it with partitioned DML — except rows younger than the
 * purge margin, which stay until a later run so a replica whose tail lags a
 * little still reads them. Old row versions need no work: Spanner drops
 * them itself after the database's version retention period. A timer
 * compacts to "now minus retention" periodically, so the change log does not
 * grow without bound.
 *
 * @module
 */

import { Spanner } from "@google-cloud/spanner";
import type { Database } from "@google-cloud/spanner";
import type { Logger } from "../../log/mod.ts";

/** The meta row. */
export interface Meta {
  /** Revision of the last commit. */
  current: number;
  /** Reads below this are `Expired`. */
  compacted: number;
  /** Change rows at or below this were deleted. */
  purged: number;
}

/** Reads the meta row strongly. */
export async function readMeta(db: Database): Promise<Meta> {
  const [rows] = await db.run({
    sql: `SELECT UNIX_MICROS(last_commit) AS c, compacted, purged
          FROM hp_meta WHERE id = 1`,
    json: true,
  });
  const row = rows[0] as { c: number; compacted: number; purged: number };
  if (!row) throw new Error("hp_meta row is missing");
  return {
    current: Number(row.c),
    compacted: Number(row.compacted),
    purged: Number(row.purged),
  };
}

/** Options for {@linkcode Compactor}. */
export interface CompactorOptions {
  /** History kept by periodic compaction; 0 disables it. */
  retentionMs: number;
  intervalMs: number;
  purgeMarginMs: number;
  logger: Logger;
}

/** Owns compaction state and the periodic retention timer. */
export class Compactor {
  #db: Database;
  #opts: CompactorOptions;
  #compacted = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(db: Database, opts: CompactorOptions) {
    this.#db = db;
    this.#opts = opts;
    if (opts.retentionMs > 0 && opts.intervalMs > 0) {
      this.#timer = setInterval(() => this.#periodic(), opts.intervalMs);
    }
  }

  /** The highest compacted revision seen by this replica. */
  get knownCompacted(): number {
    return this.#compacted;
  }

  /** Notes a compacted revision read elsewhere (e.g. by the tailer). */
  observe(compacted: number): void {
    if (compacted > this.#compacted) this.#compacted = compacted;
  }

  /** Compacts to `revision` (never backwards) and purges what it may. */
  async compact(revision: number): Promise<void> {
    const compacted = await this.#db.runTransactionAsync(async (tx) => {
      const [rows] = await tx.run({
        sql: "SELECT compacted FROM hp_meta WHERE id = 1",
        json: true,
      });
      const have = Number((rows[0] as { compacted: number }).compacted);
      if (revision <= have) {
        await tx.rollback();
        return have;
      }
      tx.update("hp_meta", { id: 1, compacted: Spanner.int(revision) });
      await tx.commit();
      return revision;
    });
    this.observe(compacted);
    await this.#purge();
  }

  /** Stops the timer and waits for a run in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }

  async #purge(): Promise<void> {
    const meta = await readMeta(this.#db);
    const upTo = Math.min(
      meta.compacted,
      meta.current - this.#opts.purgeMarginMs * 1000,
    );
    if (upTo <= meta.purged) return;
    const [deleted] = await this.#db.runPartitionedUpdate({
      sql: "DELETE FROM hp_changes WHERE revision <= TIMESTAMP_MICROS(@upTo)",
      params: { upTo },
    });
    // After their hp_changes rows: a prefix row never outlives its keys.
    await this.#db.runPartitionedUpdate({
      sql:
        "DELETE FROM hp_bulk_deletes WHERE revision <= TIMESTAMP_MICROS(@upTo)",
      params: { upTo },
    });
    await this.#db.runTransactionAsync(async (tx) => {
      const [rows] = await tx.run({
        sql: "SELECT purged FROM hp_meta WHERE id = 1",
        json: true,
      });
      if (Number((rows[0] as { purged: number }).purged) >= upTo) {
        await tx.rollback();
        return;
      }
      tx.update("hp_meta", { id: 1, purged: Spanner.int(upTo) });
      await tx.commit();
    });
    this.#opts.logger.debug("spanner change log purged", { upTo, deleted });
  }

  #periodic(): void {
    if (this.#running || this.#closed) return;
    this.#running = (async () => {
      const meta = await readMeta(this.#db);
      const target = meta.current - this.#opts.retentionMs * 1000;
      if (target > meta.compacted) await this.compact(target);
      else await this.#purge();
    })().catch((err) => {
      if (!this.#closed) {
        this.#opts.logger.warn("spanner periodic compaction failed", {
          error: err,
        });
      }
    }).finally(() => {
      this.#running = undefined;
    });
  }
}
