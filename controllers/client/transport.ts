/**
 * How an {@linkcode ApiClient} reaches the API: a function from a `Request`
 * (path-only URL on `http://api`) to a `Response`. In-process it calls the
 * API handler directly (no sockets); over HTTP it uses `fetch` with the
 * kubeconfig's CA and bearer token.
 *
 * @module
 */

import type {
  ApiHandler,
  UserInfo,
  WatchObjectEvent,
} from "../../apiserver/request_context.ts";
import { CROSS_CLUSTER_READERS } from "../../apiserver/routing/wildcard.ts";
import type { Kubeconfig } from "./kubeconfig.ts";

/**
 * A watch's answer: the response and, when the transport took the events
 * as objects (in-process), those — deep-frozen: a reader that changes one
 * copies it first. Without `events` they are in the response's body.
 */
export interface WatchAnswer {
  /** The response (its body empty when `events` is set). */
  response: Response;
  /** The watch's events as objects. */
  events?: ReadableStream<WatchObjectEvent>;
}

/** Sends one request whose URL is relative to the API root. */
export interface Transport {
  /** Sends `req` (its URL's origin is ignored). */
  send(req: Request): Promise<Response>;
  /**
   * Sends the watch request `req`; a transport without it sends watches
   * with `send` (events in the body).
   */
  sendWatch?(req: Request): Promise<WatchAnswer>;
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
 * A transport calling `handler` in-process, as `user`. Its watches take
 * their events as objects (`RequestContext.watchEvents`): nothing is
 * encoded to JSON and parsed back between the watch cache and the
 * informers, which then hold the watch cache's frozen objects.
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
    async sendWatch(req) {
      let events: ReadableStream<WatchObjectEvent> | undefined;
      let response: Response | undefined;
      try {
        response = await handler(req, {
          user,
          signal: req.signal,
          watchEvents: (s) => events = s,
        });
      } finally {
        // Not a started watch after all (a filter answered or threw):
        // the events would run on unread.
        if (events && (!response || response.status >= 300)) {
          await events.cancel();
          events = undefined;
        }
      }
      return { response, events };
    },
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
