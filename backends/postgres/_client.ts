/**
 * The PostgreSQL connection (the `postgres` npm driver): pool options from
 * the config, TLS from `sslmode`, and the one place where driver errors
 * become typed storage errors.
 *
 * @module
 */

import postgres from "postgres";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import {
  internal,
  isStorageError,
  type StorageError,
  unavailable,
} from "../../storage/mod.ts";
import type { PostgresConfig } from "./config.ts";

/** A driver instance (tagged-template client with a pool). */
export type Sql = postgres.Sql;

/** The TLS setting the driver takes for `config.sslMode`. */
export function tlsOption(
  config: PostgresConfig,
): boolean | "prefer" | "require" | Record<string, unknown> {
  const files = {
    ...(config.ca ? { ca: config.ca } : {}),
    ...(config.cert ? { cert: config.cert } : {}),
    ...(config.key ? { key: config.key } : {}),
  };
  switch (config.sslMode) {
    case "disable":
      return false;
    case "prefer":
      return Object.keys(files).length ? { ...files } : "prefer";
    case "require":
      // As libpq: encrypted but unverified — unless a CA is given, which
      // libpq treats as verify-ca.
      return config.ca
        ? { ...files, rejectUnauthorized: true, checkServerIdentity: noCheck }
        : { ...files, rejectUnauthorized: false };
    case "verify-ca":
      return {
        ...files,
        rejectUnauthorized: true,
        checkServerIdentity: noCheck,
      };
    case "verify-full":
      // The certificate must name the configured host. Checked explicitly:
      // the driver hands TLS a connected socket, and for an IP address it
      // sets no server name (TLS forbids one), so the default check would
      // look for "localhost".
      return {
        ...files,
        rejectUnauthorized: true,
        checkServerIdentity: (_name: string, cert: PeerCertificate) =>
          checkServerIdentity(config.host, cert),
      };
  }
}

function noCheck(): undefined {
  return undefined;
}

/**
 * Seconds before a closed connection connects again after `failures`
 * failed ones: 50 ms doubling up to 1 s, each with a random 50–100% of it so
 * that a pool's connections do not reconnect in step.
 */
export function reconnectDelay(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
}

/** Options shared by the query pool and the LISTEN connection. */
function baseOptions(config: PostgresConfig): postgres.Options<never> {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    username: config.user,
    ...(config.password !== undefined ? { password: config.password } : {}),
    ssl: tlsOption(config) as postgres.Options<never>["ssl"],
    connect_timeout: 10,
    // Reconnect delay after a connection failed, in seconds, growing with
    // the failures counted across the pool: at most 1 s. The driver's own
    // grows to 20 s, so after an outage a request could wait that long for
    // a connection although PostgreSQL was back.
    backoff: reconnectDelay,
    // No idle_timeout: it arms a timer after every query (a quarter of a
    // point read's cost). int8 columns (revisions, counts) arrive as
    // strings; the log converts them (a custom parser costs more).
    onnotice: () => {},
    connection: { application_name: "hyperplane" },
  };
}

/**
 * The query pool. It does not fetch the server's array types on connect
 * (`fetch_types: false`): the driver runs that query from a connection's
 * first `ReadyForQuery` and nothing awaits it, so a server that goes away
 * at that moment rejected a promise no one handled and ended the process.
 * The one array-typed parameter set, the batched write's, is sent as text
 * array literals instead (`textArray`).
 */
export function connectPool(config: PostgresConfig): Sql {
  return postgres({
    ...baseOptions(config),
    max: config.poolSize,
    fetch_types: false,
  } as postgres.Options<never>) as unknown as Sql;
}

/**
 * A PostgreSQL array literal of `values` for a `text[]` parameter: each
 * element double-quoted with its quotes and backslashes escaped, `null` as
 * an unquoted `NULL`.
 */
export function textArray(values: readonly (string | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    out += v === null ? "NULL" : `"${v.replace(/["\\]/g, "\\$&")}"`;
  }
  return out + "}";
}

/** A one-connection client for `LISTEN`, kept open (no idle timeout). */
export function connectListener(
  config: PostgresConfig,
  hooks: {
    onnotify: (channel: string, payload: string) => void;
    onclose: () => void;
  },
): Sql {
  return postgres({
    ...baseOptions(config),
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    onnotify: hooks.onnotify,
    onclose: hooks.onclose,
  } as postgres.Options<never>) as unknown as Sql;
}

/** SQLSTATEs raised by our write function (see `_schema.ts`). */
export const HP_KEY_EXISTS = "HP409";
export const HP_NOT_FOUND = "HP404";
export const HP_CONFLICT = "HP412";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/** The SQLSTATE or network code of a driver error, if any. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** True when `err` means the server could not be reached or went away. */
export function isConnectionError(err: unknown): boolean {
  const code = errorCode(err);
  if (!code) return false;
  // 08xxx: connection exceptions; 57P01-03: shutdown, crash, starting up;
  // 53300: too many connections.
  return NETWORK_CODES.has(code) || code.startsWith("08") ||
    code === "57P01" || code === "57P02" || code === "57P03" ||
    code === "53300";
}

/**
 * Maps a driver error to a `StorageError`: an unreachable or restarting
 * server, and failures below SQL (TLS, sockets), are `Unavailable` (API 503)
 * naming the endpoint; anything PostgreSQL itself reported is `Internal`
 * with its message and SQLSTATE.
 */
export function toStorageError(
  err: unknown,
  endpoint: string,
  what: string,
): StorageError {
  if (isStorageError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  const fromServer = typeof (err as { severity?: unknown })?.severity ===
    "string";
  if (isConnectionError(err) || (code && !fromServer)) {
    return unavailable(
      `postgres: ${endpoint} is not reachable (${what}: ${message}${
        code && !message.includes(code) ? `, ${code}` : ""
      })`,
      err,
    );
  }
  return internal(
    `postgres: ${endpoint}: ${what} failed: ${message}${
      code ? ` (SQLSTATE ${code})` : ""
    }`,
    err,
  );
}
