/**
 * Serving `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version>`
 * as kube-apiserver does (kube-openapi `handler` and `handler3`): JSON
 * bodies, SHA-512 ETags, `?hash=` answered immutable or redirected (301)
 * to the current hash, `If-None-Match` → 304, `/openapi/v2` also in gnostic
 * protobuf (what kubectl asks for first), and `406 Not Acceptable` when the
 * client accepts nothing served (v3 in protobuf).
 *
 * @module
 */

import { DocumentCache, serialize, type Serialized } from "./_cache.ts";
import type { ServedKind } from "./types.ts";

/** The content type kubectl asks `/openapi/v2` for first. */
export const OPENAPI_V2_PROTOBUF =
  "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

/** Options of {@linkcode createOpenApiServer}. */
export interface OpenApiServerOptions {
  /** How many distinct kind sets keep their documents (default 64). */
  cacheSize?: number;
}

/** Serves the OpenAPI endpoints; create one per API server. */
export interface OpenApiServer {
  /**
   * The response for an OpenAPI path, or `undefined` when `path` is not
   * one (`/openapi/v2`, `/openapi/v3`, `/openapi/v3/...`). `path` is
   * relative to the cluster; `prefix` is the cluster's path prefix
   * (`/clusters/foo`), used in the URLs the v3 index and redirects name.
   * Pass the same `kinds` array while the served set is unchanged (cache
   * hit by identity); equal sets also share documents. `delegated`: the
   * v3 index entries of group/versions other servers serve (API
   * aggregation; `apis/<g>/<v>` → hash), whose documents are served
   * before this handler.
   */
  serveOpenApi(
    path: string,
    searchParams: URLSearchParams,
    headers: Headers,
    kinds: readonly ServedKind[],
    prefix?: string,
    delegated?: ReadonlyMap<string, string>,
  ): Promise<Response | undefined>;
}

function acceptsJson(headers: Headers): boolean {
  const accept = headers.get("accept");
  if (!accept || accept.trim() === "") return true;
  return accept.split(",").some((clause) => {
    const [type, ...params] = clause.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q && Number(q.slice(2)) === 0) return false;
    return type === "application/json" || type === "*/*" ||
      type === "application/*";
  });
}

/** The content type of a protobuf v2 response, as kube-openapi sends it. */
export const OPENAPI_V2_PROTOBUF_RESPONSE =
  "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

const V2_PROTOBUF_SUBTYPES = new Set([
  "com.github.proto-openapi.spec.v2@v1.0+protobuf",
  "com.github.proto-openapi.spec.v2.v1.0+protobuf",
]);

/**
 * The form of `/openapi/v2` an `Accept` header picks, as kube-openapi's
 * handler (goautoneg): clauses by falling `q`, the first that names JSON,
 * gnostic protobuf or a wildcard wins (a wildcard means JSON); none → 406.
 */
export function negotiateV2(headers: Headers): "json" | "protobuf" | undefined {
  const accept = headers.get("accept")?.trim() || "*/*";
  const clauses = accept.split(",").map((clause, i) => {
    const [type, ...params] = clause.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const [main, sub = ""] = type.trim().split("/");
    return { main, sub, q: q ? Number(q.slice(2)) : 1, i };
  }).filter((c) => c.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const c of clauses) {
    if (c.main === "*" || (c.main === "application" && c.sub === "*")) {
      return "json";
    }
    if (c.main !== "application") continue;
    if (c.sub === "json") return "json";
    if (V2_PROTOBUF_SUBTYPES.has(c.sub)) return "protobuf";
  }
  return undefined;
}

function status(code: number, reason: string, message: string): Response {
  return Response.json({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  }, { status: code });
}

function notAcceptable(): Response {
  return status(
    406,
    "NotAcceptable",
    "only application/json is served for this OpenAPI document",
  );
}

function document(
  doc: Serialized,
  headers: Headers,
  extra: Record<string, string> = {},
  contentType = "application/json",
): Response {
  const etag = `"${doc.hash}"`;
  const h = new Headers({ etag, vary: "Accept", ...extra });
  if (headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers: h });
  }
  h.set("content-type", contentType);
  return new Response(doc.bytes, { status: 200, headers: h });
}

/** Creates the OpenAPI endpoint server with its document cache. */
export function createOpenApiServer(
  opts: OpenApiServerOptions = {},
): OpenApiServer {
  const cache = new DocumentCache(opts.cacheSize);
  return {
    async serveOpenApi(
      path,
      searchParams,
      headers,
      kinds,
      prefix = "",
      delegated,
    ) {
      if (path === "/openapi/v2") {
        const form = negotiateV2(headers);
        if (!form) return notAcceptable();
        const docs = await cache.get(kinds);
        if (form === "protobuf") {
          return document(
            await docs.v2Protobuf(),
            headers,
            {},
            OPENAPI_V2_PROTOBUF_RESPONSE,
          );
        }
        return document(await docs.v2(), headers);
      }
      if (path === "/openapi/v3" || path === "/openapi/v3/") {
        const docs = await cache.get(kinds);
        const paths: Record<string, { serverRelativeURL: string }> = {};
        for (const [gv, doc] of docs.v3) {
          paths[gv] = {
            serverRelativeURL: `${prefix}/openapi/v3/${gv}?hash=${doc.hash}`,
          };
        }
        for (const [gv, hash] of delegated ?? []) {
          paths[gv] ??= {
            serverRelativeURL: `${prefix}/openapi/v3/${gv}?hash=${hash}`,
          };
        }
        return document(await serialize({ paths }), headers);
      }
      if (!path.startsWith("/openapi/v3/")) return undefined;
      const gv = path.slice("/openapi/v3/".length).replace(/\/$/, "");
      const doc = (await cache.get(kinds)).v3.get(gv);
      if (!doc) {
        return status(404, "NotFound", `no OpenAPI v3 document for ${gv}`);
      }
      if (!acceptsJson(headers)) return notAcceptable();
      const hash = searchParams.get("hash");
      if (hash && hash !== doc.hash) {
        return new Response(null, {
          status: 301,
          headers: {
            location: `${prefix}/openapi/v3/${gv}?hash=${doc.hash}`,
          },
        });
      }
      return document(
        doc,
        headers,
        hash
          ? {
            "cache-control": "public, immutable",
            expires: new Date(Date.now() + 365 * 86400_000).toUTCString(),
          }
          : {},
      );
    },
  };
}
