/**
 * Cluster selection by request path: `/clusters/<name>/…` and
 * `/clusters/<name>/control-plane/…` select cluster `<name>`; any other path
 * is cluster `root`. The name `*` selects every cluster (see `wildcard.ts`).
 *
 * @module
 */

import { DEFAULT_CLUSTER } from "../../storage/mod.ts";
import { badRequestError } from "../status/mod.ts";
import { isDns1123Label } from "../validation/names.ts";
import { WILDCARD_CLUSTER } from "./wildcard.ts";
import { pathSegments } from "./request_info.ts";

/** The cluster a path selects and the path inside that cluster. */
export interface ClusterPath {
  cluster: string;
  /** The rest of the path, starting with `/` (or `/` alone). */
  path: string;
}

/**
 * Splits the cluster prefix off `pathname`. Throws a 400 `ApiError` for an
 * invalid cluster name (cluster names are DNS-1123 labels).
 */
export function splitClusterPath(pathname: string): ClusterPath {
  if (!pathname.startsWith("/clusters/")) {
    return { cluster: DEFAULT_CLUSTER, path: pathname };
  }
  const rest = pathname.slice("/clusters/".length);
  const slash = rest.indexOf("/");
  const raw = slash < 0 ? rest : rest.slice(0, slash);
  const name = raw.includes("%") ? pathSegments(`/${raw}`)[0] : raw; // 400 on a bad escape
  let path = slash < 0 ? "/" : rest.slice(slash);
  const problems = name === WILDCARD_CLUSTER ? [] : isDns1123Label(name);
  if (path === "/control-plane" || path.startsWith("/control-plane/")) {
    path = path.slice("/control-plane".length) || "/";
  }
  if (problems.length) {
    throw badRequestError(
      `invalid cluster name ${JSON.stringify(name)}: ${problems.join("; ")}`,
    );
  }
  return { cluster: name, path };
}
