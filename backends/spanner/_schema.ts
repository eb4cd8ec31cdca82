/**
 * Creates the instance (emulator only), the database and the schema on
 * start. Every step treats "already exists" as success, so every start is
 * safe — the first, a restart, or several replicas starting together. Later
 * schema versions append statements to {@linkcode SCHEMA}; a start applies
 * the ones the database lacks, in order.
 *
 * @module
 */

import { Spanner } from "@google-cloud/spanner";
import { StorageError, unavailable } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { SpannerConfig } from "./config.ts";
import { GRPC, grpcCode, type SpannerHandle } from "./_client.ts";

/** One schema object, named so a start can tell whether it exists. */
export interface SchemaStatement {
  /** The table or index the statement creates. */
  name: string;
  ddl: string;
}

/**
 * The schema, oldest first. Revisions are commit timestamps
 * (`allow_commit_timestamp` columns filled with `PENDING_COMMIT_TIMESTAMP()`).
 */
export const SCHEMA: readonly SchemaStatement[] = [
  {
    // One row (id = 1). Every write transaction writes `last_commit`, which
    // serialises writers and gives each commit a distinct, ordered timestamp.
    name: "hp_meta",
    ddl: `CREATE TABLE hp_meta (
  id INT64 NOT NULL,
  last_commit TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  compacted INT64 NOT NULL,
  purged INT64 NOT NULL,
) PRIMARY KEY (id)`,
  },
  {
    // The live state; older states are read with Spanner's own MVCC (stale
    // reads at the revision's timestamp).
    name: "hp_kv",
    ddl: `CREATE TABLE hp_kv (
  key STRING(MAX) NOT NULL,
  value STRING(MAX) NOT NULL,
  create_revision TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  mod_revision TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (key)`,
  },
  {
    // The commit-ordered change log every replica tails for watch.
    name: "hp_changes",
    ddl: `CREATE TABLE hp_changes (
  revision TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  kind STRING(8) NOT NULL,
  key STRING(MAX) NOT NULL,
  value STRING(MAX) NOT NULL,
  prev_value STRING(MAX),
  prev_revision INT64,
) PRIMARY KEY (revision)`,
  },
  {
    // The keys a deletePrefix removed: one commit (one revision) removes
    // many keys, but hp_changes holds one row per revision, so that row
    // (kind "prefix", key = the prefix) stands for these rows.
    name: "hp_bulk_deletes",
    ddl: `CREATE TABLE hp_bulk_deletes (
  revision TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  key STRING(MAX) NOT NULL,
  prev_value STRING(MAX) NOT NULL,
  prev_revision INT64 NOT NULL,
) PRIMARY KEY (revision, key)`,
  },
];

/** Options for {@linkcode ensureSchema}. */
export interface EnsureSchemaOptions {
  /** Bound on the whole step. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Makes the database ready to serve: instance (emulator only), database,
 * missing schema statements, the meta row. Rejects with an `Unavailable`
 * error naming the endpoint when it cannot finish within `timeoutMs`.
 */
export async function ensureSchema(
  handle: SpannerHandle,
  config: SpannerConfig,
  opts: EnsureSchemaOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const timedOut = () =>
    unavailable(
      `spanner: could not prepare ${handle.endpoint} within ${
        opts.timeoutMs / 1000
      }s: the endpoint is unreachable or not answering`,
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), opts.timeoutMs);
  });
  // Every call also carries the deadline as its own gRPC timeout, so the
  // work ends by itself and the client can then be closed with nothing in
  // flight (closing under a pending admin call leaves a stray rejection).
  const work = prepare(handle, config, deadline, opts.logger);
  work.catch(() => {});
  try {
    const first = await Promise.race([work, timeout]);
    if (first === "timeout") {
      await Promise.race([work.catch(() => {}), grace(5_000)]);
      throw timedOut();
    }
  } catch (err) {
    if (err instanceof StorageError) throw err;
    if (Date.now() >= deadline || grpcCode(err) === GRPC.DEADLINE_EXCEEDED) {
      throw timedOut();
    }
    throw unavailable(
      `spanner: could not prepare ${handle.endpoint}: ${
        err instanceof Error ? err.message : String(err)
      }`,
      err,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, clearing its timer when the process is done with it. */
function grace(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    // Let the process exit while waiting; the race above owns the wait.
    Deno.unrefTimer(t);
  });
}

/** gRPC options giving a call what is left of the deadline. */
function left(deadline: number) {
  return { timeout: Math.max(1, deadline - Date.now()), retry: null };
}

async function prepare(
  handle: SpannerHandle,
  config: SpannerConfig,
  deadline: number,
  logger: Logger,
): Promise<"done"> {
  const instance = handle.spanner.instance(config.instance);
  if (config.emulatorHost) {
    try {
      const [, op] = await instance.create({
        config: "emulator-config",
        nodes: 1,
        displayName: config.instance,
        gaxOptions: left(deadline),
      });
      await op.promise();
      logger.info("spanner instance created", { instance: config.instance });
    } catch (err) {
      if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
    }
  } else {
    const [exists] = await instance.exists(left(deadline));
    if (!exists) {
      throw unavailable(
        `spanner: instance projects/${config.project}/instances/${config.instance} ` +
          "does not exist; create it first (only the emulator gets one created)",
      );
    }
  }
  try {
    const [, op] = await instance.createDatabase(config.database, {
      gaxOptions: left(deadline),
    });
    await op.promise();
    logger.info("spanner database created", { database: config.database });
  } catch (err) {
    if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
  }
  await applyMissingStatements(handle, deadline, logger);
  await ensureMetaRow(handle, deadline);
  return "done";
}

/** The names of the tables and indexes in `ddl`. */
function existingNames(ddl: string[]): Set<string> {
  const names = new Set<string>();
  for (const stmt of ddl) {
    const m =
      /^\s*CREATE\s+(?:UNIQUE\s+)?(?:NULL_FILTERED\s+)?(?:TABLE|INDEX)\s+`?(\w+)`?/i
        .exec(stmt);
    if (m) names.add(m[1].toLowerCase());
  }
  return names;
}

async function applyMissingStatements(
  handle: SpannerHandle,
  deadline: number,
  logger: Logger,
): Promise<void> {
  // A replica starting at the same moment may apply the same statement; its
  // "duplicate name" failure is success, so re-read and go on. The emulator
  // refuses a schema change while another one (or a read-write transaction)
  // is in progress: wait a moment and look again.
  for (let attempt = 0;; attempt++) {
    const [ddl] = await handle.database.getSchema(left(deadline));
    const have = existingNames(ddl as string[]);
    const missing = SCHEMA.filter((s) => !have.has(s.name));
    if (missing.length === 0) return;
    try {
      const [op] = await handle.database.updateSchema(
        missing.map((s) => s.ddl),
        left(deadline),
      );
      await op.promise();
      logger.info("spanner schema applied", {
        statements: missing.map((s) => s.name).join(","),
      });
      return;
    } catch (err) {
      const msg = err instanceof Error ? err.message : "";
      const duplicate = grpcCode(err) === GRPC.ALREADY_EXISTS ||
        /duplicate name|already exists/i.test(msg);
      const busy = grpcCode(err) === GRPC.FAILED_PRECONDITION &&
        /concurrent schema change|already in progress/i.test(msg);
      if (!(duplicate || busy) || attempt >= 20) throw err;
      if (busy) {
        const wait = Math.min(100 * 2 ** Math.min(attempt, 4), 1_000);
        if (Date.now() + wait >= deadline) throw err;
        await new Promise((r) => setTimeout(r, wait * (0.5 + Math.random())));
      }
    }
  }
}

async function ensureMetaRow(
  handle: SpannerHandle,
  deadline: number,
): Promise<void> {
  try {
    await handle.database.runTransactionAsync({
      timeout: Math.max(1, deadline - Date.now()),
    }, async (tx) => {
      const [rows] = await tx.run({
        sql: "SELECT id FROM hp_meta WHERE id = 1",
        gaxOptions: left(deadline),
      });
      if (rows.length === 0) {
        tx.insert("hp_meta", {
          id: 1,
          last_commit: Spanner.COMMIT_TIMESTAMP,
          compacted: 0,
          purged: 0,
        });
        await tx.commit();
      } else {
        await tx.rollback();
      }
    });
  } catch (err) {
    if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
  }
}
