/**
 * Service resolution: hyperplane serves no Services, so the address an
 * APIService's `spec.service` names comes from elsewhere. Two sources, tried
 * in the order the server is configured with (default: the static map, then
 * DNS):
 *
 * - **static**: a map `namespace/name:port → https://host:port`, from
 *   `--aggregator-service-map` entries and `--aggregator-service-map-file`
 *   (one entry a line, `#` comments) — for extension servers next to a
 *   standalone hyperplane;
 * - **dns**: `https://<name>.<namespace>.svc[.<domain>]:<port>` when that
 *   name resolves — for hyperplane running inside a Kubernetes cluster,
 *   where the cluster DNS knows the Service (the same name upstream's
 *   serving certificates are issued for).
 *
 * A service no source knows is {@linkcode ServiceNotFoundError}: the
 * APIService becomes unavailable (`ServiceNotFound`), the server does not.
 *
 * @module
 */

import type { ServiceReference } from "../resources/apiservices.ts";

/** Where resolution looks, in order. */
export type ResolutionSource = "static" | "dns";

/** The service is unknown to every source (upstream's `ServiceNotFound`). */
export class ServiceNotFoundError extends Error {
  constructor(ref: ServiceReference, detail: string) {
    super(
      `service/${ref.name} in ${JSON.stringify(ref.namespace)} is not present${
        detail ? ` (${detail})` : ""
      }`,
    );
    this.name = "ServiceNotFoundError";
  }
}

/** Turns `spec.service` into the base URL of the extension server. */
export interface ServiceResolver {
  /** Throws {@linkcode ServiceNotFoundError} when nothing resolves it. */
  resolve(ref: ServiceReference): Promise<URL>;
}

/** Options for {@linkcode createServiceResolver}. */
export interface ResolverOptions {
  /** `namespace/name:port` → `https://host:port`. */
  staticMap?: ReadonlyMap<string, string>;
  /** The sources, in order; default `["static", "dns"]`. */
  sources?: readonly ResolutionSource[];
  /** Appended to `<name>.<namespace>.svc` (e.g. `cluster.local`). */
  dnsDomain?: string;
  /** Resolves a host name to addresses (default `Deno.resolveDns` A + AAAA). */
  lookup?: (host: string) => Promise<string[]>;
}

/** The key of a static map entry. */
export function serviceKey(ref: ServiceReference): string {
  return `${ref.namespace}/${ref.name}:${ref.port}`;
}

/**
 * Parses one static map entry, `namespace/name:port=https://host:port`
 * (`:port` defaults to 443 on both sides); throws a one-line message.
 */
export function parseServiceMapEntry(entry: string): [string, string] {
  const at = entry.indexOf("=");
  const bad = (why: string) =>
    new Error(
      `service map entry ${
        JSON.stringify(entry)
      }: ${why} (want namespace/name:port=https://host:port)`,
    );
  if (at < 0) throw bad("no '='");
  const left = entry.slice(0, at).trim();
  const right = entry.slice(at + 1).trim();
  const m =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(:(\d+))?$/
      .exec(left);
  if (!m) throw bad("the service must be namespace/name[:port]");
  const port = m[6] === undefined ? 443 : Number(m[6]);
  if (port < 1 || port > 65535) throw bad("the port must be 1-65535");
  let url: URL;
  try {
    url = new URL(right);
  } catch {
    throw bad("the target is not a URL");
  }
  if (url.protocol !== "https:") throw bad("the target must be https://");
  if (url.pathname !== "/" || url.search || url.hash) {
    throw bad("the target may not have a path");
  }
  return [`${m[1]}/${m[3]}:${port}`, url.origin];
}

/** Parses a service map file: one entry a line, blank lines and `#` comments. */
export function parseServiceMapFile(
  text: string,
  file: string,
): Map<string, string> {
  const out = new Map<string, string>();
  text.split("\n").forEach((line, i) => {
    const l = line.replace(/#.*$/, "").trim();
    if (!l) return;
    try {
      const [k, v] = parseServiceMapEntry(l);
      out.set(k, v);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: ${(e as Error).message}`);
    }
  });
  return out;
}

async function denoLookup(host: string): Promise<string[]> {
  const found: string[] = [];
  for (const type of ["A", "AAAA"] as const) {
    try {
      // Bounded: an unreachable name server must not hold a request.
      found.push(
        ...await Deno.resolveDns(host, type, {
          signal: AbortSignal.timeout(2000),
        }),
      );
    } catch {
      // NXDOMAIN or no record of this type
    }
  }
  return found;
}

/** A resolver over the configured sources. */
export function createServiceResolver(
  opts: ResolverOptions = {},
): ServiceResolver {
  const sources = opts.sources ?? ["static", "dns"];
  const map = opts.staticMap ?? new Map();
  const lookup = opts.lookup ?? denoLookup;
  return {
    async resolve(ref) {
      const tried: string[] = [];
      for (const source of sources) {
        if (source === "static") {
          const hit = map.get(serviceKey(ref));
          if (hit) return new URL(hit);
          tried.push(`no static map entry ${serviceKey(ref)}`);
        } else {
          const host = `${ref.name}.${ref.namespace}.svc${
            opts.dnsDomain ? `.${opts.dnsDomain}` : ""
          }`;
          if ((await lookup(host)).length > 0) {
            return new URL(`https://${host}:${ref.port}`);
          }
          tried.push(`${host} does not resolve`);
        }
      }
      throw new ServiceNotFoundError(ref, tried.join("; "));
    },
  };
}
