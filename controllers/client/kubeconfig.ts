/**
 * Reads the parts of a kubeconfig the controller manager needs: server URL,
 * CA (PEM), and the bearer token or client certificate of the current
 * context.
 *
 * @module
 */

import { loadYaml, yaml } from "../../internal/lazy_npm.ts";

/** What a client needs from a kubeconfig. */
export interface Kubeconfig {
  /** e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** The CA to trust (PEM), if the kubeconfig has one. */
  caCert?: string;
  /** The bearer token, if any. */
  token?: string;
  /** The client certificate and its key (PEM), if any. */
  clientCert?: string;
  /** The client certificate's private key (PEM). */
  clientKey?: string;
}

/** A kubeconfig that cannot be used. */
export class KubeconfigError extends Error {
  /** An error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

type Named = { name?: string; [k: string]: unknown };

function entry(list: unknown, name: string, what: string) {
  const found = Array.isArray(list)
    ? (list as Named[]).find((e) => e?.name === name)
    : undefined;
  if (!found) throw new KubeconfigError(`${what} "${name}" not found`);
  return (found[what] ?? {}) as Record<string, unknown>;
}

/**
 * Parses kubeconfig text. `readFile` resolves `certificate-authority`,
 * `client-certificate`, `client-key` and `tokenFile` paths.
 */
export function parseKubeconfig(
  text: string,
  readFile: (path: string) => string = Deno.readTextFileSync,
): Kubeconfig {
  let doc: Record<string, unknown>;
  try {
    doc = yaml().parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new KubeconfigError(`invalid YAML: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== "object") {
    throw new KubeconfigError("not a kubeconfig document");
  }
  const contexts = doc.contexts as Named[] | undefined;
  const current = typeof doc["current-context"] === "string"
    ? doc["current-context"] as string
    : contexts?.[0]?.name;
  if (!current) throw new KubeconfigError("no current context");
  const ctx = entry(contexts, current, "context");
  const cluster = entry(doc.clusters, String(ctx.cluster ?? ""), "cluster");
  const user = ctx.user !== undefined
    ? entry(doc.users, String(ctx.user), "user")
    : {};
  const server = cluster.server;
  if (typeof server !== "string" || server === "") {
    throw new KubeconfigError(`cluster "${ctx.cluster}" has no server`);
  }
  let caCert: string | undefined;
  const caData = cluster["certificate-authority-data"];
  if (typeof caData === "string") caCert = atob(caData);
  else if (typeof cluster["certificate-authority"] === "string") {
    caCert = readFile(cluster["certificate-authority"] as string);
  }
  let token = typeof user.token === "string" ? user.token : undefined;
  if (!token && typeof user.tokenFile === "string") {
    token = readFile(user.tokenFile).trim();
  }
  const pem = (data: string, file: string): string | undefined =>
    typeof user[data] === "string"
      ? atob(user[data] as string)
      : typeof user[file] === "string"
      ? readFile(user[file] as string)
      : undefined;
  const clientCert = pem("client-certificate-data", "client-certificate");
  const clientKey = pem("client-key-data", "client-key");
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    throw new KubeconfigError(
      `user "${ctx.user}" has a client certificate without its key, or a key without its certificate`,
    );
  }
  const out: Kubeconfig = { server, caCert, token };
  if (clientCert !== undefined) {
    out.clientCert = clientCert;
    out.clientKey = clientKey;
  }
  return out;
}

/** Reads and parses a kubeconfig file. */
export async function loadKubeconfig(path: string): Promise<Kubeconfig> {
  const text = await Deno.readTextFile(path);
  await loadYaml();
  return parseKubeconfig(text);
}
