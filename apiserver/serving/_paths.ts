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
