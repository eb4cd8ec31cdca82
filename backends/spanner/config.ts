/**
 * The `spanner` backend's configuration: the flag block, validation that
 * lists every problem at once, and the typed config built from flag values.
 *
 * @module
 */

import type { FlagSpec, FlagValues } from "../../registry/mod.ts";

/** Everything needed to reach one Spanner database. */
export interface SpannerConfig {
  /** Google Cloud project ID. */
  project: string;
  /** Spanner instance ID. */
  instance: string;
  /** Spanner database ID. */
  database: string;
  /**
   * `host:port` of the Cloud Spanner emulator. When set, the backend talks
   * plaintext gRPC to it and creates the instance if it is missing; when
   * unset it talks to real Spanner, whose instance must already exist.
   */
  emulatorHost?: string;
}

/** The backend's flag block (`--spanner-*`). */
export const SPANNER_FLAGS: readonly FlagSpec[] = [
  {
    name: "spanner-project",
    description: "Google Cloud project (required)",
    placeholder: "ID",
  },
  {
    name: "spanner-instance",
    description: "Spanner instance (required; must exist unless emulated)",
    placeholder: "ID",
  },
  {
    name: "spanner-database",
    description: "Spanner database (required; created with its schema)",
    placeholder: "ID",
  },
  {
    name: "spanner-emulator-host",
    description:
      "talk to the Spanner emulator at HOST:PORT (creates the instance if missing)",
    placeholder: "HOST:PORT",
  },
];

const REQUIRED = ["spanner-project", "spanner-instance", "spanner-database"];

// Spanner's own ID rules, checked up front so a typo is a flag error rather
// than a gRPC INVALID_ARGUMENT at startup.
const INSTANCE_ID = /^[a-z][-a-z0-9]{0,62}[a-z0-9]$/;
const DATABASE_ID = /^[a-z][a-z0-9_-]{0,28}[a-z0-9]$/;
const PROJECT_ID = /^[a-z][-a-z0-9.:]{4,61}[a-z0-9]$|^[a-z][-a-z0-9]{0,61}$/;

/** Every problem with `values`, one line each; empty when valid. */
export function validateSpannerFlags(values: FlagValues): string[] {
  const problems: string[] = [];
  const missing = REQUIRED.filter((name) => !values[name]);
  if (missing.length > 0) {
    problems.push(
      `storage backend "spanner" requires ${
        missing.map((n) => `--${n}`).join(", ")
      }`,
    );
  }
  const project = values["spanner-project"];
  if (project && !PROJECT_ID.test(project)) {
    problems.push(
      `--spanner-project ${JSON.stringify(project)} is not a valid project ID`,
    );
  }
  const instance = values["spanner-instance"];
  if (instance && !INSTANCE_ID.test(instance)) {
    problems.push(
      `--spanner-instance ${
        JSON.stringify(instance)
      } must be 2-64 lowercase letters, digits or hyphens, starting with a letter`,
    );
  }
  const database = values["spanner-database"];
  if (database && !DATABASE_ID.test(database)) {
    problems.push(
      `--spanner-database ${
        JSON.stringify(database)
      } must be 2-30 lowercase letters, digits, "_" or "-", starting with a letter`,
    );
  }
  const host = values["spanner-emulator-host"];
  if (host !== undefined && host !== "" && !parseHostPort(host)) {
    problems.push(
      `--spanner-emulator-host ${
        JSON.stringify(host)
      } must be HOST:PORT (no scheme)`,
    );
  }
  return problems;
}

/** Splits `host:port`; `undefined` when malformed. */
export function parseHostPort(
  value: string,
): { host: string; port: number } | undefined {
  const m = /^([^\s:/]+|\[[0-9a-fA-F:]+\]):([0-9]{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

/**
 * Builds the config from flag values. Throws an `Error` listing every
 * problem when the values are invalid.
 */
export function spannerConfigFromFlags(values: FlagValues): SpannerConfig {
  const problems = validateSpannerFlags(values);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const host = values["spanner-emulator-host"];
  return {
    project: values["spanner-project"]!,
    instance: values["spanner-instance"]!,
    database: values["spanner-database"]!,
    ...(host ? { emulatorHost: host } : {}),
  };
}
