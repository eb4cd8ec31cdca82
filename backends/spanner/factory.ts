/**
 * The `spanner` backend's `StoreFactory`: a {@linkcode SpannerLog} wrapped by
 * the generic `LogStoreFactory` (which owns the log and closes it).
 *
 * @example
 * ```ts
 * const factory = await openSpannerStoreFactory({
 *   project: "p", instance: "i", database: "d", emulatorHost: "127.0.0.1:9010",
 * });
 * await factory.close();
 * ```
 *
 * @module
 */

import {
  LogStoreFactory,
  type LogStoreFactoryOptions,
} from "../../storage/log/mod.ts";
import type { SpannerConfig } from "./config.ts";
import { openSpannerLog, type SpannerLogOptions } from "./spanner_log.ts";

/** Options for {@linkcode openSpannerStoreFactory}: the log's and the factory's. */
export type SpannerStoreFactoryOptions =
  & SpannerLogOptions
  & LogStoreFactoryOptions;

/** Opens the database (creating what is missing) and returns the factory. */
export async function openSpannerStoreFactory(
  config: SpannerConfig,
  opts: SpannerStoreFactoryOptions = {},
): Promise<LogStoreFactory> {
  const log = await openSpannerLog(config, opts);
  return new LogStoreFactory(log, {
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    watchBufferSize: opts.watchBufferSize,
  });
}
