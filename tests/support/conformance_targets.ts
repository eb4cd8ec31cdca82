/**
 * The networked revision-log backends as the conformance suites open them,
 * once for the plain and the watch-cache runs: every case's factory on the
 * same database (as replicas would be; cases use resources of their own),
 * and the corrupt-object cases' raw writes through a log of its own on that
 * database, as another replica's.
 *
 * @module
 */

import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import {
  type LogRawWriter,
  sharedLogRawWriter,
} from "../../storage/testing/mod.ts";
import {
  openPostgresLog,
  postgresBackend,
  postgresConfigFromFlags,
} from "../../backends/postgres/mod.ts";
import {
  openSpannerLog,
  spannerBackend,
  spannerConfigFromFlags,
} from "../../backends/spanner/mod.ts";
import type { PostgresServer } from "./postgres.ts";
import type { SpannerEmulator } from "./spanner.ts";

/** A backend for the suite: `open` per case, `writeRaw` below the store. */
export interface ConformanceTarget {
  open(): Promise<StoreFactory>;
  writeRaw: LogRawWriter["write"];
  /** Closes the raw writer's log. */
  close(): Promise<void>;
}

/** The postgres backend on the server `pg` (no compaction). */
export function postgresTarget(pg: PostgresServer): ConformanceTarget {
  const flags = {
    "postgres-url": pg.url,
    "postgres-password-file": pg.passwordFile,
    "postgres-sslmode": "disable",
    "postgres-pool-size": "4",
    "postgres-compaction-interval": "0",
  };
  const raw = sharedLogRawWriter(() =>
    openPostgresLog(postgresConfigFromFlags(flags), { logger: silentLogger })
  );
  return {
    open: () =>
      postgresBackend().open(flags, {
        dataDir: "/nonexistent",
        logger: silentLogger,
      }),
    writeRaw: raw.write,
    close: raw.close,
  };
}

/**
 * The spanner backend on database `database` of the emulator `emu` (the raw
 * writer's log does no compaction of its own).
 */
export function spannerTarget(
  emu: SpannerEmulator,
  database: string,
): ConformanceTarget {
  const flags = {
    "spanner-project": "test-project",
    "spanner-instance": "test-instance",
    "spanner-database": database,
    "spanner-emulator-host": emu.host,
  };
  const raw = sharedLogRawWriter(() =>
    openSpannerLog(spannerConfigFromFlags(flags), {
      logger: silentLogger,
      retentionMs: 0,
    })
  );
  return {
    open: () =>
      spannerBackend().open(flags, {
        dataDir: "/nonexistent",
        logger: silentLogger,
      }),
    writeRaw: raw.write,
    close: raw.close,
  };
}
