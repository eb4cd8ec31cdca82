/**
 * Serves the non-resource discovery paths: `/version`, `/api`, `/apis`,
 * `/apis/<g>`, `/api/v1`, `/apis/<g>/<v>`. Computed per cluster (the same
 * content today; CRDs will make it differ).
 *
 * @module
 */

import { jsonResponse, rawJsonResponse } from "../http/response.ts";
import {
  parseMediaType,
  wantsAggregatedDiscovery,
} from "../http/media_type.ts";
import {
  isPlainAccept,
  negotiateOutput,
  OUTPUT_MEDIA_TYPES,
} from "../http/negotiate.ts";
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
  /** Groups other servers serve (API aggregation), merged in. */
  merge?: DiscoveryMerge;
}

/** Discovery of delegated groups, merged into this server's documents. */
export interface DiscoveryMerge {
  /** `/apis` (`APIGroupList`) with the delegated groups. */
  groupList(doc: Record<string, unknown>): Record<string, unknown>;
  /** The aggregated `/apis` document with the delegated groups. */
  aggregated(doc: Record<string, unknown>): Record<string, unknown>;
  /** `/apis/<group>` when the group is delegated (`own`: this server's). */
  group(
    name: string,
    own: Record<string, unknown> | undefined,
  ): Record<string, unknown> | undefined;
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
  // As upstream: always indented JSON, whatever was negotiated.
  if (p === "/version") return rawJsonResponse(src.version);
  const accept = req.headers.get("accept");
  if (p === "/api" || p === "/apis") {
    const aggregated = negotiateDiscovery(accept, true);
    if (aggregated) {
      let doc = withStaticAggregated(
        aggregatedDiscovery(src.registry, p === "/api", aggregated),
        p === "/apis" ? src.statics ?? [] : [],
      );
      if (p === "/apis" && src.merge) doc = src.merge.aggregated(doc);
      // The ETag changes with the served kinds (CRDs come and go), as
      // upstream's aggregated discovery handler; If-None-Match → 304.
      const etag = `"${hashOf(JSON.stringify(doc))}"`;
      const type =
        `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`;
      if (req.headers.get("if-none-match") === etag) {
        return new Response(null, {
          status: 304,
          headers: { etag, "content-type": type },
        });
      }
      return jsonResponse(doc, 200, type, { etag });
    }
    if (p === "/api") {
      const host = req.headers.get("host") ?? new URL(req.url).host;
      return jsonResponse(apiVersions(host));
    }
    const list = withStaticGroups(
      apiGroupList(src.registry),
      src.statics ?? [],
    );
    return jsonResponse(src.merge ? src.merge.groupList(list) : list);
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
  if (src.merge && parts[0] === "apis" && parts.length === 2) {
    doc = src.merge.group(parts[1], doc as Record<string, unknown>) ?? doc;
  }
  if (!doc) throw pathNotFoundError();
  negotiateDiscovery(accept, false);
  return jsonResponse(doc);
}

/**
 * How a discovery document is answered, as upstream's aggregated discovery
 * wrapper and discovery handlers negotiate (`NegotiateMediaTypeOptions`):
 * the first media range that can be served decides. With `aggregatable`
 * (`/api`, `/apis`), an `application/json` range asking for
 * `as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2` (or `v2beta1`)
 * picks the aggregated document (its version is returned); a JSON, YAML or
 * protobuf range without a conversion picks the plain document
 * (`undefined`). Ranges asking for anything else (a `meta.k8s.io` Table,
 * an aggregated document in YAML or protobuf, which are not written) are
 * passed over. Nothing left: 406 with the media types upstream lists.
 */
function negotiateDiscovery(
  accept: string | null,
  aggregatable: boolean,
): string | undefined {
  if (isPlainAccept(accept)) return undefined;
  for (const range of accept!.split(",")) {
    if (range.trim() === "") continue;
    if (aggregatable) {
      const version = wantsAggregatedDiscovery([parseMediaType(range)]);
      if (version) return version;
    }
    if (negotiateOutput(range, { protobuf: true })) return undefined;
  }
  throw notAcceptableError([...OUTPUT_MEDIA_TYPES]);
}

/** Two 32-bit FNV-1a hashes of `text` (different seeds), as hex (an ETag). */
function hashOf(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, "0") +
    (b >>> 0).toString(16).padStart(8, "0");
}
