/**
 * A control plane as a plain fetch-style handler (`Request` in, `Response`
 * out), for `Deno.serve`, any other HTTP server or in-process calls: the
 * health endpoints, then bearer-token authentication (the same token
 * authenticators the secure server uses), then the API. A request without
 * credentials is the anonymous user, whom RBAC allows only public paths.
 * Client certificates need the TLS connection, so only `serve()` has them.
 *
 * @module
 */

import type { ApiHandler } from "../apiserver/mod.ts";
import {
  ANONYMOUS_USER,
  type Authenticator,
  type HealthHandler,
  unionAuthenticator,
} from "../apiserver/serving/mod.ts";

/** A fetch-style handler; the second argument (server info) is ignored. */
export type FetchHandler = (
  req: Request,
  info?: unknown,
) => Promise<Response>;

const HEALTH = /^\/(healthz|livez|readyz)(?:\/([^/]+))?\/?$/;

function unauthorized(): Response {
  return Response.json({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "Unauthorized",
    reason: "Unauthorized",
    code: 401,
  }, { status: 401 });
}

/** Builds the fetch-style handler over `api`. */
export function fetchHandler(opts: {
  api: ApiHandler;
  tokens: readonly Authenticator[];
  health: HealthHandler;
}): FetchHandler {
  const authenticator = unionAuthenticator(opts.tokens);
  return async (req) => {
    const url = new URL(req.url);
    const probe = HEALTH.exec(url.pathname);
    if (probe) {
      const endpoint = probe[1] as "healthz" | "livez" | "readyz";
      return await opts.health(req, endpoint, probe[2]);
    }
    const result = await authenticator.authenticate(req);
    if (result instanceof Error) return unauthorized();
    const user = result ?? {
      ...ANONYMOUS_USER,
      groups: [...ANONYMOUS_USER.groups],
    };
    return await opts.api(req, { user, signal: req.signal });
  };
}
