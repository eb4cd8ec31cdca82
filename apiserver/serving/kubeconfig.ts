/**
 * The admin kubeconfig: the CA to trust, the server URL and the admin's
 * bearer token, written mode 0600 (by default `<data-dir>/admin.kubeconfig`).
 *
 * @module
 */

import { loadYaml } from "../../internal/lazy_npm.ts";
import { readIfExists, writeFileAtomic } from "../../storage/files.ts";
import { canonicalIp } from "./_ip.ts";
import { digestHex } from "../../internal/hex.ts";

/** Options for {@linkcode writeAdminKubeconfig}. */
export interface AdminKubeconfigOptions {
  /** Where to write; the directory is created when missing. */
  path: string;
  /** The API server URL, e.g. from {@linkcode serverUrl}. */
  server: string;
  /** The CA certificate (PEM) clients must trust; omitted when undefined. */
  caCert?: string;
  /** The admin's bearer token. */
  token: string;
  /** Cluster, context and user entry names. Default `hyperplane`/`admin`. */
  clusterName?: string;
  userName?: string;
}

/**
 * The URL clients use to reach a server bound to `bindAddress:port`:
 * `127.0.0.1` when bound to every interface (`0.0.0.0`, `::` or empty),
 * otherwise the bind address (IPv6 in brackets).
 */
export function serverUrl(bindAddress: string, port: number): string {
  const bare = bindAddress.replace(/^\[(.*)\]$/, "$1");
  const ip = canonicalIp(bare);
  let host = bare;
  if (bare === "" || ip === "0.0.0.0" || ip === "0:0:0:0:0:0:0:0") {
    host = "127.0.0.1";
  } else if (bare.includes(":")) {
    host = `[${bare}]`;
  }
  return `https://${host}:${port}`;
}

/** Builds the admin kubeconfig document (a `kind: Config` object). */
export function adminKubeconfig(
  opts: Omit<AdminKubeconfigOptions, "path">,
): Record<string, unknown> {
  const cluster = opts.clusterName ?? "hyperplane";
  const user = opts.userName ?? "admin";
  const clusterEntry: Record<string, string> = { server: opts.server };
  if (opts.caCert !== undefined) {
    clusterEntry["certificate-authority-data"] = btoa(opts.caCert);
  }
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: cluster, cluster: clusterEntry }],
    contexts: [{ name: cluster, context: { cluster, user } }],
    "current-context": cluster,
    preferences: {},
    users: [{ name: user, user: { token: opts.token } }],
  };
}

/**
 * Writes the admin kubeconfig atomically (temporary file, fsync, rename)
 * with mode 0600; a missing directory is created 0700. A file that already
 * holds exactly this kubeconfig with mode 0600 is left alone (a restart
 * then costs no write and no fsyncs). "Exactly" is decided without the
 * YAML library (issue 21: loading it on every restart cost ~30 ms while
 * the first `/readyz` waited): the file's first line is a comment with a
 * SHA-256 digest of the document and of the YAML below it, so a changed
 * server, CA or token, or an edited file, is rewritten.
 *
 * @example
 * ```ts
 * await writeAdminKubeconfig({
 *   path: `${dataDir}/admin.kubeconfig`,
 *   server: serverUrl("0.0.0.0", 6443),
 *   caCert: tls.caCert,
 *   token: admin.token,
 * });
 * ```
 */
export async function writeAdminKubeconfig(
  opts: AdminKubeconfigOptions,
): Promise<void> {
  const { path, ...rest } = opts;
  const doc = adminKubeconfig(rest);
  const existing = await readOwnerOnly(path);
  if (existing !== undefined && await carriesDigest(existing, doc)) return;
  const body = (await loadYaml()).stringify(doc);
  await writeFileAtomic(
    path,
    `${DIGEST_PREFIX}${await digest(doc, body)}\n${body}`,
  );
}

/** The first line of a written kubeconfig, before the digest. */
const DIGEST_PREFIX = "# written by hyperplane, sha256:";

/** SHA-256 (hex) of the document (its JSON) and of its YAML rendering. */
async function digest(doc: unknown, body: string): Promise<string> {
  return await digestHex("SHA-256", `${JSON.stringify(doc)}\n${body}`);
}

/** True when `text`'s digest line matches `doc` and the YAML below it. */
async function carriesDigest(text: string, doc: unknown): Promise<boolean> {
  const eol = text.indexOf("\n");
  if (eol < 0 || !text.startsWith(DIGEST_PREFIX)) return false;
  return text.slice(DIGEST_PREFIX.length, eol) ===
    await digest(doc, text.slice(eol + 1));
}

/** The content of `path` when it is a 0600 file, else `undefined`. */
async function readOwnerOnly(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || (info.mode !== null && (info.mode & 0o777) !== 0o600)) {
      return undefined;
    }
    return await readIfExists(path);
  } catch {
    return undefined; // missing or unreadable: write it
  }
}

/** Options of {@linkcode userKubeconfig}. */
export interface UserKubeconfigOptions {
  /** The API server URL (a virtual cluster's path included). */
  server: string;
  /** The CA to trust (PEM); omitted when undefined. */
  caCert?: string;
  /** The user's client certificate and key (PEM). */
  clientCert: string;
  clientKey: string;
  /** Cluster entry name. */
  clusterName: string;
  /** User entry name. */
  userName: string;
}

/**
 * A kubeconfig (`kind: Config`) that logs in with a client certificate;
 * its context is `<user>@<cluster>`.
 */
export function userKubeconfig(
  opts: UserKubeconfigOptions,
): Record<string, unknown> {
  const cluster: Record<string, string> = { server: opts.server };
  if (opts.caCert !== undefined) {
    cluster["certificate-authority-data"] = btoa(opts.caCert);
  }
  const context = `${opts.userName}@${opts.clusterName}`;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: opts.clusterName, cluster }],
    contexts: [{
      name: context,
      context: { cluster: opts.clusterName, user: opts.userName },
    }],
    "current-context": context,
    preferences: {},
    users: [{
      name: opts.userName,
      user: {
        "client-certificate-data": btoa(opts.clientCert),
        "client-key-data": btoa(opts.clientKey),
      },
    }],
  };
}
