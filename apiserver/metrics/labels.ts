/**
 * The metrics labels of a request, from its parsed request info.
 *
 * @module
 */

import type { ResourceRequestInfo } from "../routing/request_info.ts";
import {
  reportedVerb,
  type RequestLabels,
  scopeOf,
} from "./request_metrics.ts";

/** Metrics labels of a non-resource request (and of unknown paths). */
export function nonResourceLabels(method: string): RequestLabels {
  return {
    verb: method.toUpperCase(),
    dryRun: false,
    group: "",
    version: "",
    resource: "",
    subresource: "",
    scope: "",
  };
}

/** Metrics labels of a request for a served resource. */
export function resourceLabels(
  req: Request,
  query: URLSearchParams,
  info: ResourceRequestInfo,
  group: string,
  resource: string,
): RequestLabels {
  return {
    // Only a patch's verb label depends on its content type.
    verb: reportedVerb(
      info.verb,
      req.method,
      info.verb === "patch" ? req.headers.get("content-type") : null,
    ),
    dryRun: query.has("dryRun"),
    group,
    version: info.version,
    resource,
    subresource: info.subresource,
    scope: scopeOf(info),
  };
}
