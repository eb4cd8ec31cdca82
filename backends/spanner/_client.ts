/**
 * Builds the `@google-cloud/spanner` client for a {@linkcode SpannerConfig}
 * and maps its gRPC errors to storage errors.
 *
 * @module
 */

import process from "node:process";
import { Spanner } from "@google-cloud/spanner";
// The single @grpc/grpc-js copy that google-gax (and so Spanner) uses.
import { credentials } from "@grpc/grpc-js";
import type { Database } from "@google-cloud/spanner";
import { internal, StorageError, unavailable } from "../../storage/mod.ts";
import { parseHostPort, type SpannerConfig } from "./config.ts";

/** gRPC status codes the backend looks at. */
export const GRPC = {
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  DEADLINE_EXCEEDED: 4,
  UNAVAILABLE: 14,
} as const;

/** The gRPC status code of `err`, if it carries one. */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** A connected client and the handle of the configured database. */
export interface SpannerHandle {
  spanner: Spanner;
  database: Database;
  /** Human-readable endpoint for error messages. */
  endpoint: string;
  /** Closes the session pool and every gRPC channel. */
  close(): Promise<void>;
}

/**
 * gRPC channel settings, as the etcd backend's: a connection whose peer is
 * gone without a word (a partition, a lost firewall state) is found by a
 * keepalive ping unanswered for 5 s (the library's own ping interval is 2
 * minutes, and TCP alone takes up to ~15 minutes to give up, every call
 * meanwhile passing its deadline), and a closed channel connects again
 * after at most 1 s instead of gRPC's up to 2 minutes.
 */
const CHANNEL_OPTIONS = {
  "grpc.keepalive_time_ms": 10_000,
  "grpc.keepalive_timeout_ms": 5_000,
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.min_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1_000,
} as const;

/**
 * Creates the client. With an emulator host the client speaks plaintext gRPC
 * to it, and — because `@google-cloud/spanner` v9 fails against the emulator
 * on the first query with multiplexed sessions — sets
 * `GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS=false` in the process
 * environment: the library reads that variable itself and has no option for
 * it. This is the one place below `cli/` that writes the environment.
 */
export function connectSpanner(config: SpannerConfig): SpannerHandle {
  let spanner: Spanner;
  let endpoint: string;
  if (config.emulatorHost) {
    const hp = parseHostPort(config.emulatorHost);
    if (!hp) throw internal(`bad emulator host ${config.emulatorHost}`);
    process.env.GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS = "false";
    endpoint = `emulator ${config.emulatorHost}`;
    // Passing the endpoint explicitly (rather than SPANNER_EMULATOR_HOST)
    // lets two clients in one process talk to different emulators.
    spanner = new Spanner({
      projectId: config.project,
      servicePath: hp.host,
      port: hp.port,
      sslCreds: credentials.createInsecure(),
      disableBuiltInMetrics: true,
      // Known up front, so google-auth does not probe the GCE metadata
      // server (a DNS lookup and a warning) to discover it.
      universeDomain: "googleapis.com",
      ...CHANNEL_OPTIONS,
    });
  } else {
    endpoint = "spanner.googleapis.com";
    spanner = new Spanner({ projectId: config.project, ...CHANNEL_OPTIONS });
  }
  const database = spanner.instance(config.instance).database(
    config.database,
    // min 0: no session is created before the schema step has reached the
    // endpoint, so a failed start has no session RPC in flight to abandon.
    { min: 0, max: 64, incStep: 4 },
  );
  let closed = false;
  return {
    spanner,
    database,
    endpoint:
      `${endpoint} (projects/${config.project}/instances/${config.instance}/databases/${config.database})`,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await database.close();
      } catch { /* the pool may never have connected */ }
      spanner.close();
    },
  };
}

/** Maps a client error to a `StorageError` (typed errors pass through). */
export function toStorageError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = grpcCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (code === GRPC.UNAVAILABLE || code === GRPC.DEADLINE_EXCEEDED) {
    return unavailable(`spanner: ${what}: ${msg}`, err);
  }
  return internal(`spanner: ${what}: ${msg}`, err);
}
