/**
 * Parses an API path into upstream's `RequestInfo`: API group and version,
 * namespace, resource, name, subresource and the Kubernetes verb.
 *
 * The path is the raw one (see `raw_target.ts`): segments are decoded one by
 * one and never resolved. A `.`/`..` or empty segment names nothing (404),
 * and a namespace or name that could not be a storage path segment (`.`,
 * `..`, or containing `/` or `%` once decoded) is refused with upstream's
 * key-function message (400) before anything is looked up.
 *
 * @module
 */

import { queryBool } from "../http/query_bool.ts";
import { badRequestError, pathNotFoundError } from "../status/mod.ts";

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
  return queryBool(q, "watch") === true;
}

/**
 * The decoded segments of a raw path. A single trailing slash is allowed;
 * any other empty segment, any `.`/`..` segment (also percent-encoded) and
 * a malformed escape are refused.
 */
export function pathSegments(path: string): string[] {
  if (!path.startsWith("/")) throw pathNotFoundError();
  const raw = path.slice(1).split("/");
  if (raw.length > 0 && raw[raw.length - 1] === "") raw.pop();
  return raw.map((seg) => {
    if (seg === "") throw pathNotFoundError();
    let decoded: string;
    try {
      decoded = seg.includes("%") ? decodeURIComponent(seg) : seg;
    } catch {
      throw badRequestError(`invalid escape in the request path: ${seg}`);
    }
    return decoded;
  });
}

/** Upstream's `IsValidPathSegmentName` problems of a namespace or name. */
function pathSegmentProblems(value: string): string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  const out: string[] = [];
  for (const bad of ["/", "%"]) {
    if (value.includes(bad)) out.push(`may not contain '${bad}'`);
  }
  return out;
}

function checkSegment(what: "Name" | "Namespace", value: string): void {
  const problems = pathSegmentProblems(value);
  if (problems.length) {
    throw badRequestError(
      `${what} parameter invalid: ${JSON.stringify(value)}: ${
        problems.join(";")
      }`,
    );
  }
}

function isDotSegment(s: string): boolean {
  return s === "." || s === "..";
}

/**
 * Parses the raw `path` (already without the cluster prefix). Throws a 404
 * `ApiError` for a path with empty or dot segments outside the namespace
 * and name positions, and a 400 for an invalid namespace or name there.
 */
export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo {
  const segments = pathSegments(path);
  const nonResource: NonResourceRequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
  };
  const notResource = () => {
    if (segments.some(isDotSegment)) throw pathNotFoundError();
    return nonResource;
  };
  let parts = segments;
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) {
    return notResource();
  }
  let group = "";
  if (parts[0] === "apis") {
    if (parts.length < 4) return notResource();
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
  if (parts.length === 0) return notResource();
  const [resource, name = "", subresource = "", ...extra] = parts;
  if (extra.length > 0 || isDotSegment(version) || isDotSegment(group)) {
    throw pathNotFoundError();
  }
  if (isDotSegment(resource) || isDotSegment(subresource)) {
    throw pathNotFoundError();
  }
  if (namespace) checkSegment("Namespace", namespace);
  if (name) checkSegment("Name", name);

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
      verb = ""; // upstream: any other method names no verb (405)
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
