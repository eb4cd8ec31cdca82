/**
 * Serves the non-resource discovery paths: `/version`, `/api`, `/apis`,
 * `/apis/<g>`, `/api/v1`, `/apis/<g>/<v>`. Computed per cluster (the same
 * content today; CRDs will make it differ).
 *
 * @module
 */

import { jsonResponse } from "../http/response.ts";
import {
  acceptsJson,
  parseAccept,
  wantsAggregatedDiscovery,
} from "../http/media_type.ts";
import type { ResourceRegistry } from "../resources/registry.ts";
import {
  methodNotAllowedError,
  notAcceptableError,
  pathNotFoundError,
} from "../status/mod.ts";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from "./documents.ts";
import type { VersionInfo } from "./version.ts";
import {
  staticApiGroup,
  type StaticResource,
  staticResourceList,
  withStaticAggregated,
  withStaticGroups,
} from "./static_resources.ts";

/** What discovery needs to answer for one cluster. */
export interface DiscoverySource {
  registry: ResourceRegistry;
  version: VersionInfo;
  /** Resources listed beside the registry's kinds (the review resources). */
  statics?: readonly StaticResource[];
}

/** True when `path` is one of the discovery paths. */
export function isDiscoveryPath(path: string): boolean {
  const p = path.replace(/\/+$/, "") || "/";
  return p === "/version" || p === "/api" || p === "/apis" ||
    /^\/api\/[^/]+$/.test(p) || /^\/apis\/[^/]+(\/[^/]+)?$/.test(p);
}

/** Serves a discovery path (404 Status when it names nothing served). */
export function serveDiscovery(
  req: Request,
  path: string,
  src: DiscoverySource,
): Response {
  if (req.method !== "GET" && req.method !== "HEAD") {
    throw methodNotAllowedError();
  }
  const p = path.replace(/\/+$/, "") || "/";
  const accept = parseAccept(req.headers.get("accept"));
  if (p === "/version") return jsonResponse(src.version);
  if (p === "/api" || p === "/apis") {
    const aggregated = wantsAggregatedDiscovery(accept);
    if (aggregated) {
      const doc = aggregatedDiscovery(src.registry, p === "/api", aggregated);
      return jsonResponse(
        p === "/apis" ? withStaticAggregated(doc, src.statics ?? []) : doc,
        200,
        `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
      );
    }
    if (!acceptsJson(accept)) {
      throw notAcceptableError([
        "application/json",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
      ]);
    }
    if (p === "/api") {
      const host = req.headers.get("host") ?? new URL(req.url).host;
      return jsonResponse(apiVersions(host));
    }
    return jsonResponse(
      withStaticGroups(apiGroupList(src.registry), src.statics ?? []),
    );
  }
  const parts = p.split("/").slice(1);
  let doc: unknown;
  if (parts[0] === "api" && parts.length === 2) {
    doc = apiResourceList(src.registry, "", parts[1]);
  } else if (parts[0] === "apis" && parts.length === 2) {
    doc = apiGroup(src.registry, parts[1]);
  } else if (parts[0] === "apis" && parts.length === 3) {
    doc = apiResourceList(src.registry, parts[1], parts[2]);
  }
  if (!doc && parts[0] === "apis" && parts.length === 2) {
    doc = staticApiGroup(src.statics ?? [], parts[1]);
  } else if (!doc && parts[0] === "apis" && parts.length === 3) {
    doc = staticResourceList(src.statics ?? [], parts[1], parts[2]);
  }
  if (!doc) throw pathNotFoundError();
  return jsonResponse(doc);
}
