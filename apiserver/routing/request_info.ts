/**
 * Parses an API path into upstream's `RequestInfo`: API group and version,
 * namespace, resource, name, subresource and the Kubernetes verb.
 *
 * @module
 */

/** A request for a resource (`/api/v1/namespaces/x/configmaps/y`). */
export interface ResourceRequestInfo {
  isResourceRequest: true;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  /** True when the path used the legacy `/watch/` prefix. */
  watchPath: boolean;
}

/** Anything else (discovery, `/version`, unknown paths). */
export interface NonResourceRequestInfo {
  isResourceRequest: false;
  path: string;
  /** Lower-case HTTP method as a verb (`get`, `post`, …). */
  verb: string;
}

/** What a request is about. */
export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

function isWatchQuery(q: URLSearchParams): boolean {
  const w = q.get("watch");
  return w === "true" || w === "1";
}

/** Parses `path` (already without the cluster prefix). */
export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo {
  const nonResource: NonResourceRequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
  };
  let parts = path.split("/").filter((p) => p !== "").map((p) =>
    decodeURIComponent(p)
  );
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) {
    return nonResource;
  }
  let group = "";
  if (parts[0] === "apis") {
    if (parts.length < 4) return nonResource;
    group = parts[1];
    parts = parts.slice(2);
  } else {
    parts = parts.slice(1);
  }
  const version = parts[0];
  parts = parts.slice(1);

  let watchPath = false;
  if (parts[0] === "watch") {
    watchPath = true;
    parts = parts.slice(1);
  }
  let namespace = "";
  if (parts[0] === "namespaces" && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) {
      parts = parts.slice(2);
    }
  }
  if (parts.length === 0) return nonResource;
  const [resource, name = "", subresource = "", ...extra] = parts;
  if (extra.length > 0) return nonResource;

  let verb: string;
  switch (method) {
    case "GET":
    case "HEAD":
      verb = name === ""
        ? (watchPath || isWatchQuery(query) ? "watch" : "list")
        : (watchPath ? "watch" : "get");
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = name === "" ? "deletecollection" : "delete";
      break;
    default:
      verb = method.toLowerCase();
  }
  return {
    isResourceRequest: true,
    group,
    version,
    namespace,
    resource,
    name,
    subresource,
    verb,
    watchPath,
  };
}
