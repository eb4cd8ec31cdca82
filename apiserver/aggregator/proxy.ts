/**
 * Proxies one delegated request to its extension server, as upstream's
 * `proxyHandler`: the path inside the virtual cluster and the raw query go
 * unchanged to the resolved service over TLS with the front-proxy client
 * certificate, the caller's identity in `X-Remote-*` headers; request and
 * response bodies stream (watches and other long-running requests flow
 * event by event; the client going away aborts the upstream request).
 *
 * An APIService that is not `Available` answers 503 at once (upstream
 * does the same) and a failure to reach the extension is a 503 `Status`
 * naming the reason, so a dead extension never holds a request: the
 * response headers must arrive within `headerTimeoutMs` (default 30 s).
 *
 * @module
 */

import type { ApiServiceSpec } from "../resources/apiservices.ts";
import { unavailableError } from "../status/mod.ts";
import { fetchFailure, type ProxyClients } from "./clients.ts";
import {
  type ProxiedUser,
  proxyRequestHeaders,
  proxyResponseHeaders,
} from "./proxy_headers.ts";
import type { ServiceResolver } from "./resolver.ts";
import { isWebSocketUpgrade, proxyWebSocket } from "./websocket_proxy.ts";

/** The APIService a request goes to. */
export interface ProxyTarget {
  /** The APIService's name (`v1alpha1.wardle.example.com`). */
  name: string;
  spec: ApiServiceSpec;
  available: boolean;
  /** Why it is not available (the condition's message). */
  reason?: string;
}

/** What one proxied request needs. */
export interface ProxyRequest {
  req: Request;
  /** The raw path inside the virtual cluster. */
  path: string;
  user: ProxiedUser;
  signal?: AbortSignal;
}

/** Shared by every proxied request. */
export interface ProxyDeps {
  resolver: ServiceResolver;
  clients: ProxyClients;
  headerTimeoutMs?: number;
}

/** Serves `r` from `target`'s extension server (throws a 503 `ApiError`). */
export async function proxyToExtension(
  r: ProxyRequest,
  target: ProxyTarget,
  deps: ProxyDeps,
): Promise<Response> {
  if (!target.available) {
    throw unavailableError(
      `the server is currently unable to handle the request (APIService ${target.name} is not available${
        target.reason ? `: ${target.reason}` : ""
      })`,
    );
  }
  let base: URL;
  try {
    base = await deps.resolver.resolve(target.spec.service!);
  } catch (e) {
    throw unavailableError(
      `the server is currently unable to handle the request (APIService ${target.name}: ${
        (e as Error).message
      })`,
    );
  }
  const search = new URL(r.req.url).search;
  const url = new URL(r.path + search, base).href;
  if (isWebSocketUpgrade(r.req)) {
    if (target.spec.insecureSkipTLSVerify && !target.spec.caBundle) {
      throw unavailableError(
        `WebSocket upgrades to APIService ${target.name} need a caBundle (insecureSkipTLSVerify is not supported for them)`,
      );
    }
    try {
      return await proxyWebSocket(
        r.req,
        url,
        proxyRequestHeaders(r.req.headers, r.user),
        deps.clients.clientFor(target.spec.caBundle),
        deps.headerTimeoutMs ?? 30_000,
      );
    } catch (e) {
      throw unavailableError(
        `Error trying to reach service: '${
          fetchFailure(e)
        }' (APIService ${target.name}, ${new URL(url).origin})`,
      );
    }
  }
  const connecting = new AbortController();
  const timer = setTimeout(
    () => connecting.abort(),
    deps.headerTimeoutMs ?? 30_000,
  );
  const signal = r.signal
    ? AbortSignal.any([r.signal, connecting.signal])
    : connecting.signal;
  const hasBody = r.req.body !== null && r.req.method !== "GET" &&
    r.req.method !== "HEAD";
  let res: Response;
  try {
    res = await deps.clients.fetch(url, {
      method: r.req.method,
      headers: proxyRequestHeaders(r.req.headers, r.user),
      body: hasBody ? r.req.body : undefined,
      signal,
    }, target.spec);
  } catch (e) {
    const why = connecting.signal.aborted
      ? "no response headers within the timeout"
      : fetchFailure(e);
    throw unavailableError(
      `Error trying to reach service: '${why}' (APIService ${target.name}, ${
        new URL(url).origin
      })`,
    );
  } finally {
    clearTimeout(timer);
  }
  return new Response(res.body, {
    status: res.status,
    statusText: res.statusText,
    headers: proxyResponseHeaders(res.headers),
  });
}
