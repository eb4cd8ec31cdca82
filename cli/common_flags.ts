/**
 * The flags every serving subcommand shares, and the typed configuration
 * built from them.
 *
 * @module
 */

import { join } from "node:path";
import type { CliFlag, ParsedFlags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";
import { parseDuration } from "./duration.ts";
import {
  AUTHORIZATION_MODES,
  type AuthorizationMode,
} from "../apiserver/mod.ts";
import {
  VIRTUAL_CLUSTERS_MODES,
  type VirtualClustersMode,
} from "../apiserver/tenancy/mod.ts";

/** The default data directory: `~/.hyperplane`. */
export function defaultDataDir(): string {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return join(home, ".hyperplane");
}

/** Flags of the storage selection. */
export const STORAGE_FLAGS: readonly CliFlag[] = [
  {
    name: "storage-backend",
    description: "storage backend to use (see the backend flag blocks below)",
    default: "sqlite",
    placeholder: "NAME",
  },
];

/** Flags shared by `server` and `apiserver`. */
export const SERVING_FLAGS: readonly CliFlag[] = [
  {
    name: "data-dir",
    description:
      "directory for state, certificates and credentials (default ~/.hyperplane)",
    placeholder: "DIR",
  },
  {
    name: "bind-address",
    description: "address to serve on",
    default: "0.0.0.0",
    placeholder: "IP",
  },
  {
    name: "secure-port",
    description: "HTTPS port to serve on (0 picks a free port)",
    default: "6443",
    placeholder: "PORT",
  },
  {
    name: "write-kubeconfig",
    description:
      "where to write the admin kubeconfig (default <data-dir>/admin.kubeconfig)",
    placeholder: "FILE",
  },
  {
    name: "tls-san",
    description:
      "extra subject alternative name for the serving certificate (repeatable)",
    multiple: true,
    placeholder: "NAME|IP",
  },
  {
    name: "tls-cert-file",
    description:
      "serving certificate (PEM) to use instead of the generated one",
    placeholder: "FILE",
  },
  {
    name: "tls-private-key-file",
    description: "private key (PEM) for --tls-cert-file",
    placeholder: "FILE",
  },
  {
    name: "client-ca-file",
    description:
      "CA bundle (PEM) whose client certificates authenticate (CN user, O groups); default <data-dir>/tls/client-ca.crt, generated, which also signs `hyperplane kubeconfig` and approved CSRs",
    placeholder: "FILE",
  },
  {
    name: "max-connections",
    description:
      "open connections beyond which new ones are closed at once (0: derived from the open-file limit, 3 descriptors per connection)",
    default: "0",
    placeholder: "N",
  },
  {
    name: "shutdown-delay-duration",
    description:
      "on SIGTERM, keep serving with /readyz failing this long before shutting down, so load balancers stop sending traffic",
    default: "0s",
    placeholder: "DURATION",
  },
  {
    name: "shutdown-grace-period",
    description:
      "after shutdown begins, how long in-flight requests may take to finish and deliver their replies before the remaining connections are cut",
    default: "60s",
    placeholder: "DURATION",
  },
  {
    name: "readycheck-timeout",
    description:
      "how long one /readyz or /livez check (storage) may take before it counts as failed",
    default: "2s",
    placeholder: "DURATION",
  },
  {
    name: "max-requests-inflight",
    description:
      "read-only requests served at once; more wait fairly per user and virtual cluster, then get 429 (0: no limit)",
    default: "400",
    placeholder: "N",
  },
  {
    name: "max-mutating-requests-inflight",
    description:
      "mutating requests served at once; more wait fairly per user and virtual cluster, then get 429 (0: no limit)",
    default: "200",
    placeholder: "N",
  },
  {
    name: "authorization-mode",
    description:
      "RBAC (the RBAC objects of each virtual cluster decide) or AlwaysAllow (every authenticated request is allowed: unsafe)",
    default: "RBAC",
    placeholder: "MODE",
  },
  {
    name: "virtual-clusters",
    description:
      "declared (a path naming a cluster with no VirtualCluster object in root is 404) or implicit (the first request creates the cluster)",
    default: "declared",
    placeholder: "MODE",
  },
  {
    name: "service-account-issuer",
    description:
      "issuer (iss) of service account tokens; also the API audience they must name",
    default: "https://kubernetes.default.svc.cluster.local",
    placeholder: "URL",
  },
  {
    name: "service-account-key-file",
    description:
      "ECDSA P-256 private key (PKCS#8 PEM) signing service account tokens, created when missing; replicas share one (default <data-dir>/pki/service-account.key)",
    placeholder: "FILE",
  },
  {
    name: "log-level",
    description: "least severe log level printed: debug, info, warn, error",
    default: "info",
    placeholder: "LEVEL",
  },
  {
    name: "encryption-provider-config",
    description:
      "EncryptionConfiguration file (apiserver.config.k8s.io/v1): which resources are encrypted at rest, with which providers (aesgcm, aescbc, secretbox, identity) and keys",
    placeholder: "FILE",
  },
  {
    name: "encryption-provider-config-automatic-reload",
    type: "boolean",
    description:
      "reload --encryption-provider-config when the file changes (otherwise it is read once at start)",
  },
  {
    name: "snapshot-interval",
    description:
      "sqlite backend: write a snapshot of the database to <data-dir>/snapshots/ this often (e.g. 1h, 12h; 0 disables)",
    default: "0",
    placeholder: "DURATION",
  },
  {
    name: "snapshot-retention",
    description:
      "how many scheduled snapshots to keep in <data-dir>/snapshots/ (the oldest are removed)",
    default: "5",
    placeholder: "N",
  },
];

/** Typed serving configuration. */
export interface ServingConfig {
  dataDir: string;
  bindAddress: string;
  securePort: number;
  writeKubeconfig: string;
  tlsSans: string[];
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** `--client-ca-file`; `undefined`: the generated client CA. */
  clientCaFile?: string;
  logLevel: "debug" | "info" | "warn" | "error";
  serviceAccountIssuer: string;
  serviceAccountKeyFile: string;
  authorizationMode: AuthorizationMode;
  /** `--virtual-clusters`. */
  virtualClusters: VirtualClustersMode;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  /** `undefined`: derived from the open-file limit. */
  maxConnections?: number;
  shutdownDelayMs: number;
  shutdownGraceMs: number;
  readycheckTimeoutMs: number;
  /** True when `--service-account-key-file` was given. */
  serviceAccountKeyFileGiven: boolean;
  /** `--encryption-provider-config`; `undefined`: nothing is encrypted. */
  encryptionProviderConfig?: string;
  encryptionProviderConfigAutomaticReload: boolean;
  /** Milliseconds between scheduled snapshots; 0: none. */
  snapshotIntervalMs: number;
  /** Scheduled snapshots kept. */
  snapshotRetention: number;
}

/** Builds and checks the serving configuration; every problem is reported at once. */
export function servingConfig(parsed: ParsedFlags): ServingConfig {
  const v = parsed.values;
  const problems: string[] = [];
  const dataDir = typeof v["data-dir"] === "string" && v["data-dir"] !== ""
    ? v["data-dir"]
    : defaultDataDir();
  const port = Number(v["secure-port"]);
  if (!/^[0-9]+$/.test(String(v["secure-port"])) || port > 65535) {
    problems.push(
      `--secure-port must be a port number 0-65535, got ${
        JSON.stringify(v["secure-port"])
      }`,
    );
  }
  const bind = String(v["bind-address"]);
  if (!isIpAddress(bind)) {
    problems.push(
      `--bind-address must be an IP address, got ${JSON.stringify(bind)}`,
    );
  }
  const certFile = v["tls-cert-file"] as string | undefined;
  const keyFile = v["tls-private-key-file"] as string | undefined;
  if (!!certFile !== !!keyFile) {
    problems.push(
      "--tls-cert-file and --tls-private-key-file must be given together",
    );
  }
  const level = String(v["log-level"]);
  if (!["debug", "info", "warn", "error"].includes(level)) {
    problems.push(
      `--log-level must be one of debug, info, warn, error, got ${
        JSON.stringify(level)
      }`,
    );
  }
  const sans = (v["tls-san"] as string[] | undefined) ?? [];
  for (const san of sans) {
    if (san === "" || /[\s,/]/.test(san)) {
      problems.push(
        `--tls-san ${JSON.stringify(san)} is not a host name or IP`,
      );
    }
  }
  const issuer = String(v["service-account-issuer"]);
  if (
    issuer === "" || /[\s]/.test(issuer) ||
    issuer.includes(":") && !URL.canParse(issuer)
  ) {
    problems.push(
      `--service-account-issuer must be a URL or a name without spaces, got ${
        JSON.stringify(issuer)
      }`,
    );
  }
  const inflight = (flag: string, fallback: string): number => {
    const raw = String(v[flag] ?? fallback);
    if (!/^[0-9]+$/.test(raw)) {
      problems.push(
        `--${flag} must be a whole number (0: no limit), got ${
          JSON.stringify(raw)
        }`,
      );
      return 0;
    }
    return Number(raw);
  };
  const maxRequestsInflight = inflight("max-requests-inflight", "400");
  const maxMutatingRequestsInflight = inflight(
    "max-mutating-requests-inflight",
    "200",
  );
  const maxConnections = inflight("max-connections", "0");
  const duration = (flag: string, fallback: string, allowZero: boolean) => {
    try {
      return parseDuration(flag, String(v[flag] ?? fallback), { allowZero });
    } catch (err) {
      problems.push((err as Error).message);
      return 0;
    }
  };
  const shutdownDelayMs = duration("shutdown-delay-duration", "0s", true);
  const shutdownGraceMs = duration("shutdown-grace-period", "60s", false);
  const readycheckTimeoutMs = duration("readycheck-timeout", "2s", false);
  const snapshotIntervalMs = duration("snapshot-interval", "0", true);
  const retention = String(v["snapshot-retention"] ?? "5");
  const snapshotRetention = Number(retention);
  if (!/^[0-9]+$/.test(retention) || snapshotRetention < 1) {
    problems.push(
      `--snapshot-retention must be a whole number of at least 1, got ${
        JSON.stringify(retention)
      }`,
    );
  }
  const encryptionConfig = v["encryption-provider-config"];
  if (
    v["encryption-provider-config-automatic-reload"] === true &&
    !encryptionConfig
  ) {
    problems.push(
      "--encryption-provider-config-automatic-reload needs --encryption-provider-config",
    );
  }
  const mode = String(v["authorization-mode"] ?? "RBAC");
  if (!(AUTHORIZATION_MODES as readonly string[]).includes(mode)) {
    problems.push(
      `--authorization-mode must be one of ${
        AUTHORIZATION_MODES.join(", ")
      }, got ${JSON.stringify(mode)}`,
    );
  }
  const virtualClusters = String(v["virtual-clusters"] ?? "declared");
  if (
    !(VIRTUAL_CLUSTERS_MODES as readonly string[]).includes(virtualClusters)
  ) {
    problems.push(
      `--virtual-clusters must be one of ${
        VIRTUAL_CLUSTERS_MODES.join(", ")
      }, got ${JSON.stringify(virtualClusters)}`,
    );
  }
  if (problems.length) throw new UsageError(problems.join("; "));
  return {
    dataDir,
    authorizationMode: mode as AuthorizationMode,
    virtualClusters: virtualClusters as VirtualClustersMode,
    maxRequestsInflight,
    maxMutatingRequestsInflight,
    maxConnections: maxConnections > 0 ? maxConnections : undefined,
    shutdownDelayMs,
    shutdownGraceMs,
    readycheckTimeoutMs,
    bindAddress: bind,
    securePort: port,
    writeKubeconfig:
      typeof v["write-kubeconfig"] === "string" && v["write-kubeconfig"] !== ""
        ? v["write-kubeconfig"]
        : join(dataDir, "admin.kubeconfig"),
    tlsSans: sans,
    tlsCertFile: certFile,
    tlsPrivateKeyFile: keyFile,
    clientCaFile: typeof v["client-ca-file"] === "string" &&
        v["client-ca-file"] !== ""
      ? v["client-ca-file"]
      : undefined,
    logLevel: level as ServingConfig["logLevel"],
    serviceAccountIssuer: issuer,
    serviceAccountKeyFile: typeof v["service-account-key-file"] === "string" &&
        v["service-account-key-file"] !== ""
      ? v["service-account-key-file"]
      : join(dataDir, "pki", "service-account.key"),
    serviceAccountKeyFileGiven:
      typeof v["service-account-key-file"] === "string" &&
      v["service-account-key-file"] !== "",
    encryptionProviderConfig: typeof encryptionConfig === "string" &&
        encryptionConfig !== ""
      ? encryptionConfig
      : undefined,
    encryptionProviderConfigAutomaticReload:
      v["encryption-provider-config-automatic-reload"] === true,
    snapshotIntervalMs,
    snapshotRetention,
  };
}

function isIpAddress(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) {
    return s.split(".").every((p) => Number(p) <= 255);
  }
  return s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s);
}
