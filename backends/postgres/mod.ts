/**
 * The `postgres` storage backend (`--storage-backend=postgres`): PostgreSQL,
 * shareable by any number of hyperplane replicas. Revisions come from one
 * counter row updated inside every write transaction (commit order, no gaps);
 * every replica's watchers see every replica's writes through LISTEN/NOTIFY
 * and a catch-up read by revision. See README.md for schema and design.
 *
 * Flags: `--postgres-url` (required), `--postgres-password-file`,
 * `--postgres-sslmode`, `--postgres-ca-file`, `--postgres-cert-file`,
 * `--postgres-key-file`, `--postgres-pool-size`, `--postgres-schema`,
 * `--postgres-compaction-interval`.
 *
 * @example
 * ```ts
 * const factory = await postgresBackend().open({
 *   "postgres-url": "postgres://hyperplane@127.0.0.1:5432/hyperplane",
 *   "postgres-password-file": "/etc/hyperplane/pg-password",
 * }, { dataDir: "/tmp/hp", logger: silentLogger });
 * await factory.close();
 * ```
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { invalidArgument } from "../../storage/mod.ts";
import type { LogStoreFactory } from "../../storage/log/mod.ts";
import {
  POSTGRES_FLAGS,
  type PostgresConfig,
  postgresConfigFromFlags,
  validatePostgresFlags,
} from "./config.ts";
import type { PostgresStoreFactoryOptions } from "./factory.ts";
import type { PostgresLog, PostgresLogOptions } from "./postgres_log.ts";

export {
  POSTGRES_FLAGS,
  type PostgresConfig,
  postgresConfigFromFlags,
  type SslMode,
  validatePostgresFlags,
} from "./config.ts";
export type { PostgresLog, PostgresLogOptions } from "./postgres_log.ts";
export type { PostgresStoreFactoryOptions } from "./factory.ts";

// The driver is loaded on first use only: a server on another backend does
// not pay for it at start-up.

/** Opens the PostgreSQL revision log (see `postgres_log.ts`). */
export async function openPostgresLog(
  config: PostgresConfig,
  opts?: PostgresLogOptions,
): Promise<PostgresLog> {
  const { openPostgresLog } = await import("./postgres_log.ts");
  return await openPostgresLog(config, opts);
}

/** Opens the PostgreSQL `StoreFactory` (see `factory.ts`). */
export async function openPostgresStoreFactory(
  config: PostgresConfig,
  opts: PostgresStoreFactoryOptions = {},
): Promise<LogStoreFactory> {
  const { openPostgresStoreFactory } = await import("./factory.ts");
  return await openPostgresStoreFactory(config, opts);
}

/** The `postgres` backend. */
export function postgresBackend(): Backend {
  return {
    name: "postgres",
    description: "PostgreSQL, shareable by several replicas",
    flags: POSTGRES_FLAGS,
    validate: (values) => validatePostgresFlags(values),
    open: (values, ctx) => {
      const problems = validatePostgresFlags(values);
      if (problems.length > 0) {
        return Promise.reject(
          invalidArgument(`postgres: ${problems.join("; ")}`),
        );
      }
      const config = postgresConfigFromFlags(values);
      const logger = ctx.logger.with({ backend: "postgres" });
      logger.info("opening postgres storage", {
        endpoint: config.endpoint,
        schema: config.schema,
        sslmode: config.sslMode,
        poolSize: config.poolSize,
      });
      return openPostgresStoreFactory(config, { logger });
    },
  };
}
