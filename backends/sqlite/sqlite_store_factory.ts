/**
 * {@linkcode openSqliteStoreFactory}: the sqlite backend's `StoreFactory` — a
 * `LogStoreFactory` over a {@linkcode SqliteLog}, plus the periodic
 * compaction it owns.
 *
 * @example
 * ```ts
 * const factory = openSqliteStoreFactory({ path: "/tmp/state.db" });
 * const configmaps = factory.storeFor({ resource: "configmaps" });
 * await factory.close();
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import type { ResourceRef, Store, StoreFactory } from "../../storage/mod.ts";
import { unavailable } from "../../storage/mod.ts";
import { mkdirPrivateSync } from "../../storage/files.ts";
import {
  LogStoreFactory,
  type LogStoreFactoryOptions,
} from "../../storage/log/mod.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import { SqliteLog, type SqliteLogOptions } from "./sqlite_log.ts";
import { PeriodicCompactor } from "../../storage/log/periodic_compactor.ts";
import { privateDatabaseFiles } from "./_database.ts";
import { type SnapshotHeader, writeSnapshot } from "./snapshot.ts";

/** Options for {@linkcode openSqliteStoreFactory}. */
export interface SqliteStoreFactoryOptions extends SqliteLogOptions {
  /** Milliseconds between compactions (one interval of history is kept); 0 = never. Default 0. */
  compactionIntervalMs?: number;
  /** Passed to the `LogStoreFactory` (bookmark period, watch buffers). */
  store?: LogStoreFactoryOptions;
  logger?: Logger;
}

/** The sqlite `StoreFactory`; `log` exposes the database for maintenance and tests. */
export class SqliteStoreFactory implements StoreFactory {
  readonly #factory: LogStoreFactory;
  readonly #compactor: PeriodicCompactor;
  /** The revision log under the stores. */
  readonly log: SqliteLog;

  /** Use {@linkcode openSqliteStoreFactory}. */
  constructor(log: SqliteLog, opts: SqliteStoreFactoryOptions) {
    this.log = log;
    this.#factory = new LogStoreFactory(log, opts.store);
    this.#compactor = new PeriodicCompactor({
      intervalMs: opts.compactionIntervalMs ?? 0,
      target: {
        currentRevision: () => log.currentRevision(),
        compactedRevision: () => log.compactedRevision(),
        compact: (rev) => log.compact(rev),
        afterCompaction: () => log.checkpoint(),
      },
      logger: (opts.logger ?? silentLogger).with({ backend: "sqlite" }),
    });
  }

  storeFor(resource: ResourceRef): Store {
    return this.#factory.storeFor(resource);
  }

  readiness(): Promise<void> {
    return this.#factory.readiness();
  }

  currentRevision(): Promise<number> {
    return this.#factory.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.#factory.compact(revision);
  }

  /**
   * Writes a consistent snapshot of the database to the new file `file`
   * while the stores keep serving (see `snapshot.ts`).
   */
  snapshot(file: string): Promise<SnapshotHeader> {
    return writeSnapshot(this.log, file);
  }

  /** Runs one periodic-compaction tick now (see `PeriodicCompactor.tick`). */
  compactionTick(): Promise<void> {
    return this.#compactor.tick();
  }

  /** Stops compaction, ends watches and closes the database. */
  async close(): Promise<void> {
    await this.#compactor.stop();
    await this.#factory.close();
  }
}

/**
 * Creates the database's directory (0700) and file (0600) if needed,
 * tightens the modes of existing database files (logged once), opens and
 * locks it, and starts periodic compaction. Fails with `Unavailable` when
 * the file cannot be created or another process holds it.
 */
export function openSqliteStoreFactory(
  opts: SqliteStoreFactoryOptions,
): SqliteStoreFactory {
  try {
    mkdirPrivateSync(dirname(opts.path));
  } catch (err) {
    throw unavailable(
      `sqlite: cannot create the directory of ${opts.path}: ${
        (err as Error).message
      }`,
      err,
    );
  }
  let tightened: string[];
  try {
    tightened = privateDatabaseFiles(opts.path);
  } catch (err) {
    throw unavailable(
      `sqlite: cannot create ${opts.path} or make it private: ${
        (err as Error).message
      }`,
      err,
    );
  }
  if (tightened.length > 0) {
    (opts.logger ?? silentLogger).info(
      "tightened sqlite file modes to owner-only",
      { backend: "sqlite", files: tightened.join(",") },
    );
  }
  return new SqliteStoreFactory(new SqliteLog(opts), opts);
}
