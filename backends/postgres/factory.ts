/**
 * The `postgres` backend's `StoreFactory`: a {@linkcode PostgresLog} wrapped by
 * the generic `LogStoreFactory` (which owns the log and closes it).
 *
 * @example
 * ```ts
 * const factory = await openPostgresStoreFactory(config);
 * await factory.close();
 * ```
 *
 * @module
 */

import {
  LogStoreFactory,
  type LogStoreFactoryOptions,
} from "../../storage/log/mod.ts";
import type { PostgresConfig } from "./config.ts";
import { openPostgresLog, type PostgresLogOptions } from "./postgres_log.ts";

/** Options for {@linkcode openPostgresStoreFactory}: the log's and the factory's. */
export type PostgresStoreFactoryOptions =
  & PostgresLogOptions
  & LogStoreFactoryOptions;

/** Connects (creating the schema when missing) and returns the factory. */
export async function openPostgresStoreFactory(
  config: PostgresConfig,
  opts: PostgresStoreFactoryOptions = {},
): Promise<LogStoreFactory> {
  const log = await openPostgresLog(config, opts);
  return new LogStoreFactory(log, {
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    watchBufferSize: opts.watchBufferSize,
  });
}
