/**
 * Path classification for the serving layer: which requests are health
 * probes and which may be served without credentials. A virtual cluster
 * prefix (`/clusters/<name>/` or `/clusters/<name>/control-plane/`) is
 * looked through, so a per-cluster kubeconfig reaches the same endpoints.
 *
 * @module
 */

import type { HealthEndpoint } from "./health.ts";

const CLUSTER_PREFIX = /^\/clusters\/([^/]+)(\/control-plane)?(?=\/|$)/;

/** A path `new URL()` leaves as it is: no dots, escapes or characters it encodes. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/;

/**
 * `new URL(url).pathname` for a request URL from `Deno.serve`, without
 * parsing the URL when its raw path is one the parser would not change
 * (most API paths; ~0.6 µs a request in a profile of GETs).
 */
export function requestPathname(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme < 0 ? -1 : url.indexOf("/", scheme + 3);
  if (start >= 0) {
    let end = url.indexOf("?", start);
    const hash = url.indexOf("#", start);
    if (end < 0 || (hash >= 0 && hash < end)) end = hash;
    const path = end < 0 ? url.slice(start) : url.slice(start, end);
    if (PLAIN_PATH.test(path)) return path;
  }
  return new URL(url).pathname;
}

/** The virtual cluster a path selects (`root` without a prefix). */
export function clusterOfPath(path: string): string {
  const m = CLUSTER_PREFIX.exec(path);
  if (!m) return "root";
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** The path without a virtual cluster prefix (`/` when nothing is left). */
export function withoutClusterPrefix(path: string): string {
  const rest = path.replace(CLUSTER_PREFIX, "");
  return rest === "" ? "/" : rest;
}

/** A health probe: the endpoint and an optional single check name. */
export interface HealthPath {
  endpoint: HealthEndpoint;
  check?: string;
}

const HEALTH = /^\/(healthz|livez|readyz)(?:\/([^/]+))?\/?$/;

/** Recognises `/healthz`, `/livez`, `/readyz` and `/<endpoint>/<check>`. */
export function healthPath(rest: string): HealthPath | undefined {
  const m = HEALTH.exec(rest);
  if (!m) return undefined;
  let check = m[2];
  try {
    if (check !== undefined) check = decodeURIComponent(check);
  } catch {
    // a malformed escape is kept as is; it will not name a check
  }
  return { endpoint: m[1] as HealthEndpoint, check };
}

/** Paths served to anonymous callers (kube's `system:public-info-viewer`). */
export function isPublicPath(rest: string): boolean {
  return rest === "/version" || rest.startsWith("/version/");
}
