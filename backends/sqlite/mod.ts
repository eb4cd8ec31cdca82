/**
 * The `sqlite` storage backend (the default): an embedded, log-structured
 * revision store in one SQLite file, owned by one process. See README.md for
 * the schema, durability, compaction and locking.
 *
 * Flags: `--sqlite-path` (default `<data-dir>/state.db`) and
 * `--sqlite-compaction-interval` (default `5m`, `0` disables).
 *
 * @example
 * ```ts
 * const factory = await sqliteBackend().open(
 *   { "sqlite-path": "/tmp/hp/state.db" },
 *   { dataDir: "/tmp/hp", logger: silentLogger },
 * );
 * await factory.close();
 * ```
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { invalidArgument } from "../../storage/mod.ts";
import { resolveConfig, SQLITE_FLAGS } from "./_config.ts";
import { openSqliteStoreFactory } from "./sqlite_store_factory.ts";

export { SqliteLog, type SqliteLogOptions } from "./sqlite_log.ts";
export {
  openSqliteStoreFactory,
  SqliteStoreFactory,
  type SqliteStoreFactoryOptions,
} from "./sqlite_store_factory.ts";
export {
  type CompactionTarget,
  PeriodicCompactor,
  type PeriodicCompactorOptions,
} from "../../storage/log/periodic_compactor.ts";
export type { SqliteSynchronous } from "./_database.ts";
export {
  readSnapshotHeader,
  restoreSnapshot,
  SNAPSHOT_MAGIC,
  SnapshotError,
  type SnapshotHeader,
  verifySnapshot,
  writeSnapshot,
} from "./snapshot.ts";
export {
  CONTROL_SOCKET,
  type ControlSocket,
  controlSocketPath,
  ControlSocketUnreachable,
  requestSnapshot,
  serveControlSocket,
} from "./snapshot_socket.ts";
export {
  snapshotFileName,
  type SnapshotSchedule,
  startSnapshotSchedule,
} from "./snapshot_schedule.ts";
export { resolveConfig as resolveSqliteConfig } from "./_config.ts";

/** The `sqlite` backend. */
export function sqliteBackend(): Backend {
  return {
    name: "sqlite",
    description:
      "embedded SQLite file, log-structured revisions (one process per file)",
    flags: SQLITE_FLAGS,
    validate: (values, ctx) => resolveConfig(values, ctx.dataDir).problems,
    open: (values, ctx) => {
      try {
        const { config, problems } = resolveConfig(values, ctx.dataDir);
        if (problems.length > 0) {
          throw invalidArgument(`sqlite: ${problems.join("; ")}`);
        }
        const logger = ctx.logger.with({ backend: "sqlite" });
        logger.info("opening sqlite storage", {
          path: config.path,
          compactionInterval: values["sqlite-compaction-interval"] ?? "5m",
        });
        return Promise.resolve(openSqliteStoreFactory({
          path: config.path,
          compactionIntervalMs: config.compactionIntervalMs,
          logger,
        }));
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}
