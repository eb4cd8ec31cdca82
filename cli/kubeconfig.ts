/**
 * `hyperplane kubeconfig`: hands a teammate access to one virtual cluster.
 * It mints a client certificate for the user and groups, signed by the
 * client CA of the data directory (`<data-dir>/tls/client-ca.{crt,key}`,
 * which the server trusts), and writes a kubeconfig whose server URL ends
 * in `/clusters/<cluster>` (not for `root`). What the user may do there is
 * up to RBAC in that cluster.
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import { defaultDataDir } from "./common_flags.ts";
import { type CliFlag, parseFlags } from "./flags.ts";
import { renderHelp } from "./help.ts";
import { UsageError } from "./usage_error.ts";
import { DEFAULT_CLUSTER, isDns1123Label, writeFileAtomic } from "../mod.ts";
import {
  ensureClientCa,
  issueClientCertificate,
  TLS_FILES,
  userKubeconfig,
} from "../apiserver/serving/mod.ts";

const FLAGS: CliFlag[] = [
  {
    name: "data-dir",
    description:
      "the server's data directory, whose client CA signs the certificate (default ~/.hyperplane)",
    placeholder: "DIR",
  },
  {
    name: "user",
    description: "user name (the certificate's CN); required",
    placeholder: "NAME",
  },
  {
    name: "group",
    description: "a group of the user (the certificate's O); repeatable",
    multiple: true,
    placeholder: "GROUP",
  },
  {
    name: "cluster",
    description: "the virtual cluster the kubeconfig points at",
    default: DEFAULT_CLUSTER,
    placeholder: "NAME",
  },
  {
    name: "expiration",
    description: "how long the certificate is valid (at least 10m)",
    default: "8760h",
    placeholder: "DURATION",
  },
  {
    name: "server",
    description:
      "the API server URL (default: the server of <data-dir>/admin.kubeconfig)",
    placeholder: "URL",
  },
  {
    name: "output",
    description: "write the kubeconfig here (mode 0600) instead of stdout",
    placeholder: "FILE",
  },
];

const DESCRIPTION =
  "Mint a client certificate for a user (and groups), signed by the data directory's client CA, and print or write a kubeconfig for one virtual cluster.";

const MIN_EXPIRATION_MS = 10 * 60 * 1000;

/** `hyperplane kubeconfig --help`. */
export function kubeconfigHelp(): string {
  return renderHelp(
    "hyperplane kubeconfig --user NAME [--group G]... [--cluster C] [flags]",
    DESCRIPTION,
    [{ title: "Flags", flags: FLAGS }],
  );
}

/** What the flags ask for, checked. */
export interface KubeconfigRequest {
  dataDir: string;
  user: string;
  groups: string[];
  cluster: string;
  expirationMs: number;
  server?: string;
  output?: string;
}

/** Parses and checks the flags; a mistake is a one-line {@linkcode UsageError}. */
export function parseKubeconfigFlags(
  args: string[],
): KubeconfigRequest | "help" {
  const parsed = parseFlags(args, FLAGS);
  const v = parsed.values;
  if (v.help) return "help";
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
  }
  const user = typeof v.user === "string" ? v.user.trim() : "";
  if (user === "") throw new UsageError("--user is required");
  const groups = (v.group as string[] | undefined ?? []).map((g) => g.trim());
  if (groups.some((g) => g === "")) {
    throw new UsageError("--group must not be empty");
  }
  const cluster = String(v.cluster);
  if (isDns1123Label(cluster).length > 0) {
    throw new UsageError(
      `--cluster: invalid cluster name ${
        JSON.stringify(cluster)
      } (a DNS-1123 label)`,
    );
  }
  const expirationMs = parseDuration("expiration", String(v.expiration));
  if (expirationMs < MIN_EXPIRATION_MS) {
    throw new UsageError("--expiration must be at least 10m");
  }
  let server: string | undefined;
  if (typeof v.server === "string" && v.server !== "") {
    let url: URL;
    try {
      url = new URL(v.server);
    } catch {
      throw new UsageError(`--server: not a URL: ${JSON.stringify(v.server)}`);
    }
    if (url.protocol !== "https:") {
      throw new UsageError("--server must be an https:// URL");
    }
    server = v.server.replace(/\/+$/, "");
  }
  return {
    dataDir: typeof v["data-dir"] === "string" && v["data-dir"] !== ""
      ? v["data-dir"]
      : defaultDataDir(),
    user,
    groups,
    cluster,
    expirationMs,
    server,
    output: typeof v.output === "string" && v.output !== ""
      ? v.output
      : undefined,
  };
}

/** The server URL and CA of the admin kubeconfig of `dataDir`, if any. */
async function adminCluster(
  dataDir: string,
): Promise<{ server?: string; caCert?: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dataDir}/admin.kubeconfig`);
  } catch {
    return {};
  }
  const { parse } = await import("yaml");
  const doc = parse(text) as {
    clusters?: { cluster?: Record<string, string> }[];
  };
  const cluster = doc?.clusters?.[0]?.cluster ?? {};
  const ca = cluster["certificate-authority-data"];
  return {
    server: cluster.server,
    caCert: ca ? atob(ca) : undefined,
  };
}

/** Builds the kubeconfig text for `req` (the certificate is minted here). */
export async function mintKubeconfig(
  req: KubeconfigRequest,
  now = new Date(),
): Promise<string> {
  const admin = await adminCluster(req.dataDir);
  const base = req.server ?? admin.server?.replace(/\/clusters\/.*$/, "");
  if (!base) {
    throw new UsageError(
      `no --server given and no ${req.dataDir}/admin.kubeconfig to take it from`,
    );
  }
  let caCert: string | undefined;
  try {
    caCert = await Deno.readTextFile(`${req.dataDir}/tls/${TLS_FILES.caCert}`);
  } catch {
    caCert = admin.caCert;
  }
  const ca = await ensureClientCa({ dataDir: req.dataDir, now });
  const pair = await issueClientCertificate(ca, {
    user: req.user,
    groups: req.groups,
    validForMs: req.expirationMs,
    now,
  });
  const server = req.cluster === DEFAULT_CLUSTER
    ? base
    : `${base.replace(/\/+$/, "")}/clusters/${req.cluster}`;
  const { stringify } = await import("yaml");
  return stringify(userKubeconfig({
    server,
    caCert,
    clientCert: pair.certPem,
    clientKey: pair.keyPem,
    clusterName: `hyperplane-${req.cluster}`,
    userName: req.user,
  }));
}

/** Runs `hyperplane kubeconfig`; returns the exit status. */
export async function runKubeconfig(args: string[]): Promise<number> {
  const req = parseKubeconfigFlags(args);
  if (req === "help") {
    console.log(kubeconfigHelp());
    return 0;
  }
  const text = await mintKubeconfig(req);
  if (req.output) {
    await writeFileAtomic(req.output, text);
  } else {
    await Deno.stdout.write(new TextEncoder().encode(text));
  }
  return 0;
}
