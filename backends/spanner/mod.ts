/**
 * The `spanner` storage backend (`--storage-backend=spanner`): Cloud Spanner
 * (or its emulator), shareable by any number of hyperplane replicas.
 * Revisions are commit timestamps in microseconds; every replica's watchers
 * see every replica's writes. See README.md for schema and design.
 *
 * Flags: `--spanner-project`, `--spanner-instance`, `--spanner-database`
 * (all required) and `--spanner-emulator-host` (optional).
 *
 * @example
 * ```ts
 * const factory = await spannerBackend().open({
 *   "spanner-project": "my-project",
 *   "spanner-instance": "my-instance",
 *   "spanner-database": "hyperplane",
 *   "spanner-emulator-host": "127.0.0.1:9010",
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
  SPANNER_FLAGS,
  type SpannerConfig,
  spannerConfigFromFlags,
  validateSpannerFlags,
} from "./config.ts";
import type { SpannerStoreFactoryOptions } from "./factory.ts";
import type { SpannerLog, SpannerLogOptions } from "./spanner_log.ts";

export {
  parseHostPort,
  SPANNER_FLAGS,
  type SpannerConfig,
  spannerConfigFromFlags,
  validateSpannerFlags,
} from "./config.ts";
export type { SpannerLog, SpannerLogOptions } from "./spanner_log.ts";
export type { SpannerStoreFactoryOptions } from "./factory.ts";

// `@google-cloud/spanner` (gRPC, protobufs, Google auth) takes hundreds of
// milliseconds to load, so it is imported on first use only: a server on
// another backend does not pay for it at start-up.

/** Opens the Spanner change log (see `spanner_log.ts`); loads the client lazily. */
export async function openSpannerLog(
  config: SpannerConfig,
  opts?: SpannerLogOptions,
): Promise<SpannerLog> {
  const { openSpannerLog } = await import("./spanner_log.ts");
  return await openSpannerLog(config, opts);
}

/** Opens the Spanner `StoreFactory` (see `factory.ts`); loads the client lazily. */
export async function openSpannerStoreFactory(
  config: SpannerConfig,
  opts: SpannerStoreFactoryOptions = {},
): Promise<LogStoreFactory> {
  const { openSpannerStoreFactory } = await import("./factory.ts");
  return await openSpannerStoreFactory(config, opts);
}

/** The `spanner` backend. */
export function spannerBackend(): Backend {
  return {
    name: "spanner",
    description:
      "Cloud Spanner (or its emulator), shareable by several replicas",
    flags: SPANNER_FLAGS,
    validate: (values) => validateSpannerFlags(values),
    open: (values, ctx) => {
      const problems = validateSpannerFlags(values);
      if (problems.length > 0) {
        return Promise.reject(
          invalidArgument(`spanner: ${problems.join("; ")}`),
        );
      }
      const config = spannerConfigFromFlags(values);
      const logger = ctx.logger.with({ backend: "spanner" });
      logger.info("opening spanner storage", {
        project: config.project,
        instance: config.instance,
        database: config.database,
        emulator: config.emulatorHost ?? "",
      });
      return openSpannerStoreFactory(config, { logger });
    },
  };
}
