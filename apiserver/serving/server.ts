/**
 * The secure server: `Deno.serve` over TLS (HTTP/2 and HTTP/1.1 by ALPN),
 * health endpoints, authentication, and hand-off of every other request to
 * the {@linkcode ApiHandler} with `{ user, signal }`. Responses are passed
 * through unbuffered, so watch streams flow as the handler writes them.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { ApiHandler, UserInfo } from "../request_context.ts";
import { healthPath, isPublicPath, withoutClusterPrefix } from "./_paths.ts";
import { statusResponse, unauthorized } from "./_status.ts";
import {
  ANONYMOUS_USER,
  type Authenticator,
  copyUser,
  unionAuthenticator,
} from "./authentication.ts";
import { AuthenticationError } from "./errors.ts";
import { createHealthHandler, type HealthChecks } from "./health.ts";

/** Options for {@linkcode startSecureServer}. */
export interface SecureServerOptions {
  /** The address to bind. Default `0.0.0.0`. */
  bindAddress?: string;
  /** The port; `0` picks a free one (see {@linkcode SecureServer.port}). */
  port: number;
  /** Serving certificate chain and key, PEM (see `ensureCertificates`). */
  tls: { cert: string; key: string };
  /** Tried in order; a request none of them accepts gets 401. */
  authenticators: Authenticator[];
  /** Serves every request that is not a health probe. */
  handler: ApiHandler;
  /** Checks behind `/livez`, `/readyz` and `/healthz`. */
  healthChecks?: HealthChecks;
  logger?: Logger;
  /** Aborting it is the same as calling {@linkcode SecureServer.close}. */
  signal?: AbortSignal;
  /**
   * How long `close()` waits for in-flight requests after aborting their
   * signals before it cuts the remaining connections. Default 10 000 ms.
   */
  shutdownGraceMs?: number;
}

/** A running secure server. */
export interface SecureServer {
  /** The bound address. */
  hostname: string;
  /** The bound port (the actual one when `0` was asked for). */
  port: number;
  /**
   * Graceful shutdown: fails `/readyz`, aborts every in-flight request's
   * signal (ending watches), waits for responses to finish (at most the
   * grace period), then stops listening and closes every connection.
   * Idempotent.
   */
  close(): Promise<void>;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
}

/**
 * Starts the secure server and resolves once it listens.
 *
 * @example
 * ```ts
 * const tls = await ensureCertificates({ dataDir });
 * const admin = await ensureAdminToken({ dataDir });
 * const server = await startSecureServer({
 *   port: 6443,
 *   tls,
 *   authenticators: [bearerTokenAuthenticator(admin.tokens)],
 *   handler,
 *   healthChecks: { readiness: [storageReady] },
 *   logger,
 * });
 * await server.close();
 * ```
 */
export async function startSecureServer(
  opts: SecureServerOptions,
): Promise<SecureServer> {
  const log = opts.logger ?? silentLogger;
  const authenticator = unionAuthenticator(opts.authenticators);
  const shutdown = new AbortController(); // ends in-flight requests
  const live = new Set<AbortController>(); // in-flight requests' signals
  const force = new AbortController(); // stops listening, cuts connections
  const inFlight = new Set<Promise<void>>();
  const health = createHealthHandler({
    checks: opts.healthChecks ?? {},
    shuttingDown: () => shutdown.signal.aborted,
    logger: log,
  });

  const handle = async (
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Promise<Response> => {
    const started = performance.now();
    const completed = info.completed.catch(() => {});
    inFlight.add(completed);
    completed.finally(() => inFlight.delete(completed));
    const url = new URL(req.url);
    const rest = withoutClusterPrefix(url.pathname);
    let user: UserInfo | undefined;
    let res: Response;
    try {
      const probe = healthPath(rest);
      if (probe) {
        res = await health(
          req,
          probe.endpoint,
          probe.check,
          requestSignal(info, live, shutdown.signal),
        );
      } else {
        const result = await authenticator.authenticate(req);
        if (result instanceof AuthenticationError) {
          log.debug("authentication failed", {
            path: url.pathname,
            remote: info.remoteAddr.hostname,
            err: result.message,
          });
          res = unauthorized();
        } else if (result === undefined && !isPublicPath(rest)) {
          res = unauthorized();
        } else {
          user = result ?? copyUser(ANONYMOUS_USER);
          res = await opts.handler(req, {
            user,
            signal: requestSignal(info, live, shutdown.signal),
          });
        }
      }
    } catch (err) {
      log.error("request failed", {
        method: req.method,
        path: url.pathname,
        err,
      });
      res = statusResponse(500, "InternalError", "Internal error");
    }
    log.debug("request", {
      method: req.method,
      path: url.pathname,
      status: res.status,
      user: user?.username,
      remote: info.remoteAddr.hostname,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
    return res;
  };

  const { promise: listening, resolve: onListen } = Promise.withResolvers<
    Deno.NetAddr
  >();
  const server = Deno.serve({
    hostname: opts.bindAddress ?? "0.0.0.0",
    port: opts.port,
    cert: opts.tls.cert,
    key: opts.tls.key,
    signal: force.signal,
    onListen: (addr) => onListen(addr),
    onError: (err) => {
      log.error("request failed", { err });
      return statusResponse(500, "InternalError", "Internal error");
    },
  }, handle);
  const addr = await listening;
  log.info("serving securely", { address: hostPort(addr) });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const graceMs = opts.shutdownGraceMs ?? 10_000;
      log.info("shutting down", { address: hostPort(addr) });
      shutdown.abort();
      for (const c of live) c.abort(SHUTTING_DOWN);
      live.clear();
      // Deno's graceful server.shutdown() cannot be cut short later (aborting
      // its signal afterwards throws inside Deno), so wait for in-flight
      // responses ourselves, then close listener and connections at once.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      try {
        const outcome = await Promise.race([
          Promise.all([...inFlight]),
          graceOver,
        ]);
        if (outcome === "timeout") {
          log.warn("cutting connections after the shutdown grace period", {
            ms: graceMs,
            inFlight: inFlight.size,
          });
        }
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
      }
      force.abort();
      await server.finished;
    })();
    return closing;
  };
  const onAbort = () => void close();
  if (opts.signal?.aborted) await close();
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    hostname: addr.hostname,
    port: addr.port,
    close,
    finished: server.finished,
  };
}

/**
 * The handler's signal: aborted when the response is over (delivered, or
 * the client went away) or the server shuts down. `req.signal` is not used:
 * Deno aborts it on every successful response and warns about that.
 */
function requestSignal(
  info: Deno.ServeHandlerInfo,
  live: Set<AbortController>,
  shutdown: AbortSignal,
): AbortSignal {
  // One controller per request, registered in `live` for shutdown, instead
  // of `AbortSignal.any([done, shutdown])`; and shared abort reasons, since
  // a default reason is a new DOMException. Both showed up in profiles of
  // the create path (~2 % of the server's CPU at 1,000 requests/s).
  const done = new AbortController();
  if (shutdown.aborted) {
    done.abort(SHUTTING_DOWN);
    return done.signal;
  }
  live.add(done);
  info.completed.then(
    () => {
      live.delete(done);
      done.abort(RESPONSE_DONE);
    },
    (err) => {
      live.delete(done);
      done.abort(err);
    },
  );
  return done.signal;
}

/** The abort reason of a request whose response is over. */
const RESPONSE_DONE = Object.freeze(
  new DOMException("the response is over", "AbortError"),
);
/** The abort reason of requests cut by shutdown. */
const SHUTTING_DOWN = Object.freeze(
  new DOMException("the server is shutting down", "AbortError"),
);

function hostPort(addr: Deno.NetAddr): string {
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `${host}:${addr.port}`;
}
