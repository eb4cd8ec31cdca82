/**
 * The `postgres` backend's configuration: the `--postgres-*` flag block,
 * validation that reports every problem at once, and the typed config built
 * from the flag values (the password and TLS files are read here, once).
 *
 * @module
 */

import type { FlagSpec, FlagValues } from "../../registry/mod.ts";
import { parseDuration } from "../../internal/duration.ts";
import { type PemContent, pemFileProblem } from "../../internal/pem.ts";

/** libpq's `sslmode` values (`allow` is folded into `prefer`). */
export const SSL_MODES = [
  "disable",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
] as const;

/** How the connection uses TLS. */
export type SslMode = typeof SSL_MODES[number];

/** Everything needed to reach one PostgreSQL database. */
export interface PostgresConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslMode: SslMode;
  /** PEM text of the CA, client certificate and client key, when given. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Connections per replica for queries (one more is used for LISTEN). */
  poolSize: number;
  /** The schema holding the tables; created when missing. */
  schema: string;
  /** Periodic compaction interval in ms; 0 = off. */
  compactionIntervalMs: number;
  /** `host:port/database`, for messages (never the password). */
  endpoint: string;
}

/** The backend's flag block (`--postgres-*`). */
export const POSTGRES_FLAGS: readonly FlagSpec[] = [
  {
    name: "postgres-url",
    description:
      "connection URL postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE] (required)",
    placeholder: "URL",
  },
  {
    name: "postgres-password-file",
    description:
      "file holding the password (first line); instead of one in the URL",
    placeholder: "FILE",
  },
  {
    name: "postgres-sslmode",
    description:
      "disable, prefer, require, verify-ca or verify-full (default: the URL's sslmode, else prefer)",
    placeholder: "MODE",
  },
  {
    name: "postgres-ca-file",
    description: "PEM CA bundle that signs the server certificate",
    placeholder: "FILE",
  },
  {
    name: "postgres-cert-file",
    description: "PEM client certificate (with --postgres-key-file)",
    placeholder: "FILE",
  },
  {
    name: "postgres-key-file",
    description: "PEM client private key (with --postgres-cert-file)",
    placeholder: "FILE",
  },
  {
    name: "postgres-pool-size",
    description: "query connections per replica (plus one for LISTEN)",
    default: "10",
    placeholder: "N",
  },
  {
    name: "postgres-schema",
    description: "schema holding hyperplane's tables (created when missing)",
    default: "hyperplane",
    placeholder: "NAME",
  },
  {
    name: "postgres-compaction-interval",
    description:
      "compact history older than one interval this often (30s, 5m, 1h; 0 = never)",
    default: "5m",
    placeholder: "DURATION",
  },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;
interface ParsedUrl {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslMode?: string;
}

function parseUrl(raw: string, problems: string[]): ParsedUrl | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`--postgres-url is not a URL (postgres://USER@HOST/DB)`);
    return undefined;
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    problems.push(
      `--postgres-url must start with postgres:// or postgresql://, not ${url.protocol}//`,
    );
    return undefined;
  }
  const ok = problems.length;
  if (!url.hostname) problems.push("--postgres-url has no host");
  if (!url.username) problems.push("--postgres-url has no user");
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database || database.includes("/")) {
    problems.push("--postgres-url must name one database (…/DATABASE)");
  }
  const port = url.port ? Number(url.port) : 5432;
  const sslMode = url.searchParams.get("sslmode") ?? undefined;
  if (sslMode !== undefined && !isSslMode(sslMode) && sslMode !== "allow") {
    problems.push(
      `--postgres-url sslmode=${sslMode} is not one of ${SSL_MODES.join(", ")}`,
    );
  }
  for (const name of url.searchParams.keys()) {
    if (name !== "sslmode") {
      problems.push(
        `--postgres-url parameter ${name} is not supported (use the --postgres-* flags)`,
      );
    }
  }
  if (problems.length > ok) return undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port,
    database,
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    sslMode,
  };
}

function isSslMode(value: string): value is SslMode {
  return (SSL_MODES as readonly string[]).includes(value);
}

/** The TLS files and what each must hold. */
const PEM_FILES: [string, PemContent][] = [
  ["ca", "certificates"],
  ["cert", "certificates"],
  ["key", "private key"],
];

function checkFile(flag: string, path: string | undefined, problems: string[]) {
  if (!path) return;
  try {
    if (!Deno.statSync(path).isFile) {
      problems.push(`--${flag} ${path} is not a file`);
    }
  } catch (err) {
    problems.push(
      `--${flag} ${path} cannot be read: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
}

/** Every problem with `values`, one line each; empty when valid. */
export function validatePostgresFlags(values: FlagValues): string[] {
  const problems: string[] = [];
  const raw = values["postgres-url"];
  let parsed: ParsedUrl | undefined;
  if (!raw) {
    problems.push(`storage backend "postgres" requires --postgres-url`);
  } else {
    parsed = parseUrl(raw, problems);
  }
  const pwFile = values["postgres-password-file"];
  if (parsed?.password && pwFile) {
    problems.push(
      "give the password either in --postgres-url or in --postgres-password-file, not both",
    );
  }
  checkFile("postgres-password-file", pwFile, problems);
  const mode = values["postgres-sslmode"];
  if (mode && !isSslMode(mode)) {
    problems.push(
      `--postgres-sslmode ${JSON.stringify(mode)} is not one of ${
        SSL_MODES.join(", ")
      }`,
    );
  }
  for (const [f, content] of PEM_FILES) {
    const path = values[`postgres-${f}-file`];
    const problem = path ? pemFileProblem(path, content) : undefined;
    if (problem) problems.push(`--postgres-${f}-file ${path} ${problem}`);
  }
  if (!!values["postgres-cert-file"] !== !!values["postgres-key-file"]) {
    problems.push(
      "--postgres-cert-file and --postgres-key-file must be given together",
    );
  }
  const effective = mode || parsed?.sslMode;
  if (effective === "disable") {
    for (const f of ["ca", "cert", "key"]) {
      if (values[`postgres-${f}-file`]) {
        problems.push(`--postgres-${f}-file needs TLS, but sslmode is disable`);
      }
    }
  }
  const pool = values["postgres-pool-size"] ?? "10";
  if (!/^[0-9]+$/.test(pool) || Number(pool) < 1 || Number(pool) > 1000) {
    problems.push(
      `--postgres-pool-size ${JSON.stringify(pool)} must be an integer 1–1000`,
    );
  }
  const schema = values["postgres-schema"] ?? "hyperplane";
  if (!SCHEMA_NAME.test(schema) || schema.startsWith("pg_")) {
    problems.push(
      `--postgres-schema ${
        JSON.stringify(schema)
      } must be a lower-case SQL name (a-z, 0-9, _; at most 48; not pg_*)`,
    );
  }
  const interval = values["postgres-compaction-interval"] ?? "5m";
  if (parseDuration(interval) === undefined) {
    problems.push(
      `--postgres-compaction-interval ${
        JSON.stringify(interval)
      } is not a duration (30s, 5m, 1h30m, 0)`,
    );
  }
  return problems;
}

function readPem(path: string | undefined): string | undefined {
  return path ? Deno.readTextFileSync(path) : undefined;
}

/**
 * Builds the config from flag values (reading the password and TLS files).
 * Throws an `Error` listing every problem when the values are invalid.
 */
export function postgresConfigFromFlags(values: FlagValues): PostgresConfig {
  const problems = validatePostgresFlags(values);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const url = parseUrl(values["postgres-url"]!, [])!;
  const pwFile = values["postgres-password-file"];
  const password = pwFile
    ? Deno.readTextFileSync(pwFile).split(/\r?\n/)[0]
    : url.password;
  const rawMode = values["postgres-sslmode"] || url.sslMode || "prefer";
  const sslMode: SslMode = rawMode === "allow" ? "prefer" : rawMode as SslMode;
  return {
    host: url.host,
    port: url.port,
    database: url.database,
    user: url.user,
    ...(password !== undefined ? { password } : {}),
    sslMode,
    ca: readPem(values["postgres-ca-file"]),
    cert: readPem(values["postgres-cert-file"]),
    key: readPem(values["postgres-key-file"]),
    poolSize: Number(values["postgres-pool-size"] ?? "10"),
    schema: values["postgres-schema"] ?? "hyperplane",
    compactionIntervalMs: parseDuration(
      values["postgres-compaction-interval"] ?? "5m",
    )!,
    endpoint: `${url.host}:${url.port}/${url.database}`,
  };
}
