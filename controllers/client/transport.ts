/**
 * How an {@linkcode ApiClient} reaches the API: a function from a `Request`
 * (path-only URL on `http://api`) to a `Response`. In-process it calls the
 * API handler directly (no sockets); over HTTP it uses `fetch` with the
 * kubeconfig's CA and bearer token.
 *
 * @module
 */

import type { ApiHandler, UserInfo } from "../../apiserver/request_context.ts";
import { CROSS_CLUSTER_READERS } from "../../apiserver/routing/wildcard.ts";
import type { Kubeconfig } from "./kubeconfig.ts";

/** Sends one request whose URL is relative to the API root. */
export interface Transport {
  /** Sends `req` (its URL's origin is ignored). */
  send(req: Request): Promise<Response>;
  /** Releases connections. */
  close(): void;
}

/**
 * The identity the in-process controller manager's shared informers act as
 * (upstream's user name): it may read across clusters, nothing more.
 */
export const CONTROLLER_MANAGER_USER: UserInfo = {
  username: "system:kube-controller-manager",
  groups: [CROSS_CLUSTER_READERS, "system:authenticated"],
};

/** The user a controller acts as in-process (see `ControllerDescriptor.identity`). */
export function controllerUser(
  identity: string,
  groups: readonly string[] = [],
): UserInfo {
  return {
    username: `system:controller:${identity}`,
    groups: ["system:authenticated", ...groups],
  };
}

/**
 * A transport calling `handler` in-process, as `user`.
 *
 * @example
 * ```ts
 * const t = inProcessTransport(api.handler);
 * ```
 */
export function inProcessTransport(
  handler: ApiHandler,
  user: UserInfo = CONTROLLER_MANAGER_USER,
): Transport {
  return {
    send: (req) => handler(req, { user, signal: req.signal }),
    close() {},
  };
}

/** A transport speaking HTTPS to the server of a kubeconfig. */
export function httpTransport(config: Kubeconfig): Transport {
  const certificate = config.clientCert !== undefined
    ? { cert: config.clientCert, key: config.clientKey! }
    : {};
  const client = config.caCert || config.clientCert !== undefined
    ? Deno.createHttpClient({
      ...(config.caCert ? { caCerts: [config.caCert] } : {}),
      ...certificate,
    })
    : undefined;
  const base = config.server.replace(/\/+$/, "");
  return {
    async send(req) {
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      if (config.token) headers.set("authorization", `Bearer ${config.token}`);
      const body = req.body ? await req.arrayBuffer() : undefined;
      return await fetch(base + url.pathname + url.search, {
        method: req.method,
        headers,
        body,
        signal: req.signal,
        client,
      });
    },
    close() {
      client?.close();
    },
  };
}
