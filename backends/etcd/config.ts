/**
 * The `--etcd-*` flag block and its validation into an {@linkcode EtcdConfig}.
 * Validation reports every missing or malformed flag at once.
 *
 * @module
 */

import type { FlagSpec, FlagValues } from "../../registry/mod.ts";
import { parseDuration } from "../../internal/duration.ts";
import { type PemContent, pemFileProblem } from "../../internal/pem.ts";

/** The flags of the etcd backend, as the CLI lists them. */
export const ETCD_FLAGS: readonly FlagSpec[] = [
  {
    name: "etcd-servers",
    description: "comma-separated etcd client URLs (required)",
    placeholder: "URLS",
  },
  {
    name: "etcd-prefix",
    description: "key prefix in etcd (replaces the leading /registry of keys)",
    default: "/registry",
    placeholder: "PREFIX",
  },
  {
    name: "etcd-cafile",
    description: "CA bundle to verify etcd servers (enables TLS)",
    placeholder: "FILE",
  },
  {
    name: "etcd-certfile",
    description: "client certificate for etcd (with --etcd-keyfile)",
    placeholder: "FILE",
  },
  {
    name: "etcd-keyfile",
    description: "client key for etcd (with --etcd-certfile)",
    placeholder: "FILE",
  },
  {
    name: "etcd-compaction-interval",
    description: "how often to compact etcd history (0 disables)",
    default: "5m",
    placeholder: "DURATION",
  },
];

/** The validated settings of the etcd backend. */
export interface EtcdConfig {
  /** Client endpoints as `host:port`, with the scheme they were given in. */
  servers: string[];
  /** True when the servers use `https://` (or a CA file is given). */
  tls: boolean;
  /** Key prefix in etcd, without a trailing slash (e.g. `/registry`). */
  prefix: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Milliseconds between compactions; 0 disables compaction. */
  compactionIntervalMs: number;
  /** Deadline of every unary request, in milliseconds. */
  requestTimeoutMs: number;
}

function fileProblem(
  flag: string,
  path: string | undefined,
  content: PemContent,
): string[] {
  if (path === undefined || path === "") return [];
  const problem = pemFileProblem(path, content);
  return problem ? [`--${flag}: ${path} ${problem}`] : [];
}

/**
 * Checks the flag values (defaults applied by the caller or here) and returns
 * the config or every problem found, one line each.
 */
export function parseEtcdConfig(
  values: FlagValues,
): { config?: EtcdConfig; problems: string[] } {
  const problems: string[] = [];
  const servers: string[] = [];
  let tls = false;
  const rawServers = (values["etcd-servers"] ?? "").trim();
  if (rawServers === "") {
    problems.push("--etcd-servers is required (comma-separated client URLs)");
  } else {
    for (const part of rawServers.split(",")) {
      const s = part.trim();
      let url: URL | undefined;
      try {
        url = new URL(s);
      } catch {
        url = undefined;
      }
      if (
        !url || (url.protocol !== "http:" && url.protocol !== "https:") ||
        url.hostname === "" || url.port === "" ||
        (url.pathname !== "/" && url.pathname !== "")
      ) {
        problems.push(
          `--etcd-servers: ${
            JSON.stringify(s)
          } is not a URL like http://127.0.0.1:2379`,
        );
        continue;
      }
      if (url.protocol === "https:") tls = true;
      servers.push(`${url.protocol}//${url.host}`);
    }
  }

  const prefix = values["etcd-prefix"] ?? "/registry";
  if (
    !prefix.startsWith("/") || prefix.includes("\u0000") ||
    prefix.endsWith("/") && prefix !== "/"
  ) {
    problems.push(
      `--etcd-prefix: ${
        JSON.stringify(prefix)
      } must start with "/" and not end with "/"`,
    );
  }

  const caFile = values["etcd-cafile"] || undefined;
  const certFile = values["etcd-certfile"] || undefined;
  const keyFile = values["etcd-keyfile"] || undefined;
  problems.push(
    ...fileProblem("etcd-cafile", caFile, "certificates"),
    ...fileProblem("etcd-certfile", certFile, "certificates"),
    ...fileProblem("etcd-keyfile", keyFile, "private key"),
  );
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push("--etcd-certfile and --etcd-keyfile must be given together");
  }
  if (caFile || certFile) tls = true;

  const rawInterval = values["etcd-compaction-interval"] ?? "5m";
  const compactionIntervalMs = parseDuration(rawInterval);
  if (compactionIntervalMs === undefined) {
    problems.push(
      `--etcd-compaction-interval: ${
        JSON.stringify(rawInterval)
      } is not a duration like 5m, 90s or 0`,
    );
  }

  if (problems.length > 0) return { problems };
  return {
    problems,
    config: {
      servers,
      tls,
      prefix: prefix === "/" ? "" : prefix,
      caFile,
      certFile,
      keyFile,
      compactionIntervalMs: compactionIntervalMs!,
      requestTimeoutMs: 10_000,
    },
  };
}
