/**
 * OpenAPI v3 of delegated group/versions: after a passing availability
 * check the extension's `/openapi/v3` index is read, and the document of
 * the delegated group/version fetched when its hash changed (cached, so
 * an unchanged extension costs one small index read per check). This
 * server's `/openapi/v3` index then names the group/version with that hash
 * under its own (cluster) prefix, and serves the cached document there —
 * kubectl's validation and `kubectl explain` see one API.
 *
 * @module
 */

import type { ApiServiceSpec } from "../resources/apiservices.ts";
import type { ProxyClients } from "./clients.ts";
import { proxyRequestHeaders } from "./proxy_headers.ts";
import type { ServiceResolver } from "./resolver.ts";
import { digestHex } from "../../internal/hex.ts";

/** One cached OpenAPI v3 document. */
export interface OpenApiDocument {
  hash: string;
  body: string;
}

/** `apis/<group>/<version>`: the index key of a group/version. */
export function openApiPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * The extension's current document of `spec`'s group/version: `cached`
 * when its hash is unchanged, `undefined` when the extension publishes
 * none (or cannot be read — OpenAPI is optional for extensions).
 */
export async function fetchOpenApiV3(
  spec: ApiServiceSpec,
  deps: {
    resolver: ServiceResolver;
    clients: ProxyClients;
    timeoutMs?: number;
    signal?: AbortSignal;
  },
  cached?: OpenApiDocument,
): Promise<OpenApiDocument | undefined> {
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? 5000);
  const signal = deps.signal
    ? AbortSignal.any([timeout, deps.signal])
    : timeout;
  const get = async (url: URL) => {
    const res = await deps.clients.fetch(url.href, {
      headers: proxyRequestHeaders(
        new Headers({ accept: "application/json" }),
        { username: "system:kube-aggregator", groups: ["system:masters"] },
      ),
      signal,
    }, spec);
    const text = await res.text();
    return res.ok ? text : undefined;
  };
  try {
    const base = await deps.resolver.resolve(spec.service!);
    const index = await get(new URL("/openapi/v3", base));
    if (index === undefined) return undefined;
    const entry = (JSON.parse(index) as {
      paths?: Record<string, { serverRelativeURL?: string }>;
    }).paths?.[openApiPath(spec.group, spec.version)];
    const rel = entry?.serverRelativeURL;
    if (!rel) return undefined;
    const url = new URL(rel, base);
    const hash = url.searchParams.get("hash") ?? "";
    if (hash && cached?.hash === hash) return cached;
    const body = await get(url);
    if (body === undefined) return undefined;
    JSON.parse(body);
    return { hash: hash || await sha512Hex(body), body };
  } catch {
    return undefined;
  }
}

async function sha512Hex(text: string): Promise<string> {
  return (await digestHex("SHA-512", text)).toUpperCase();
}

/** Serves a cached delegated document as kube-openapi serves its own. */
export function serveOpenApiDocument(
  doc: OpenApiDocument,
  path: string,
  query: URLSearchParams,
  headers: Headers,
  prefix: string,
): Response {
  const hash = query.get("hash");
  if (hash && hash !== doc.hash) {
    return new Response(null, {
      status: 301,
      headers: { location: `${prefix}${path}?hash=${doc.hash}` },
    });
  }
  const etag = `"${doc.hash}"`;
  const h = new Headers({ etag, vary: "Accept" });
  if (hash) h.set("cache-control", "public, immutable");
  if (headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers: h });
  }
  h.set("content-type", "application/json");
  return new Response(doc.body, { status: 200, headers: h });
}
