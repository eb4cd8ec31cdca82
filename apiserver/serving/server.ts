/**
 * The secure server: TLS (HTTP/2 and HTTP/1.1 by ALPN, `tls_front.ts`) in
 * front of `Deno.serve`, health endpoints, authentication, and hand-off of
 * every other request to the {@linkcode ApiHandler} with `{ user, signal }`. Responses are passed
 * through unbuffered, so watch streams flow as the handler writes them.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { ApiHandler, UserInfo } from "../request_context.ts";
import { startInnerServer } from "./_inner_server.ts";
import {
  healthPath,
  isPublicPath,
  requestPathname,
  withoutClusterPrefix,
} from "./_paths.ts";
import {
  shuttingDownResponse,
  statusResponse,
  unauthorized,
} from "./_status.ts";
import {
  ANONYMOUS_USER,
  type Authenticator,
  copyUser,
  unionAuthenticator,
} from "./authentication.ts";
import type {
  ClientCertificateVerdict,
  ClientCertificateVerifier,
} from "./client_certificates.ts";
import { AuthenticationError } from "./errors.ts";
import { createHealthHandler, type HealthChecks } from "./health.ts";
import type { AdmissionOptions } from "./_admission.ts";
import {
  type FrontTimeouts,
  startTlsFront,
  type TlsFront,
} from "./tls_front.ts";

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
   * How long `close()` waits for in-flight requests to complete and their
   * replies to be delivered before it cuts the remaining connections.
   * Default 60 000 ms (kube-apiserver's request timeout).
   */
  shutdownGraceMs?: number;
  /**
   * How long `close()` keeps serving normally with `/readyz` failing, so
   * that load balancers stop sending traffic first (kube-apiserver's
   * `--shutdown-delay-duration`). Default 0.
   */
  shutdownDelayMs?: number;
  /** Connection timeouts of the TLS front (defaults in `tls_front.ts`). */
  timeouts?: Partial<FrontTimeouts>;
  /**
   * Open connections beyond which new ones are closed at once. Default:
   * derived from the file descriptor limit (`connection_limits.ts`).
   */
  maxConnections?: number;
  /**
   * The TLS front's admission (`_admission.ts`): at most `budget`
   * connections with a request in flight (default 32; `0`: off), the others
   * paused in a fair queue for up to `maxWaitMs` (default 1 000), then
   * answered 429 with `Retry-After` (HTTP/1.1).
   */
  frontAdmission?: Partial<AdmissionOptions>;
  /** Timeout of each health check that sets none. Default 2 000 ms. */
  healthCheckTimeoutMs?: number;
  /**
   * Asks clients for a certificate (never required) and verifies it at the
   * handshake; the verdict reaches authenticators as
   * `ConnectionInfo.clientCertificate` (see `client_certificates.ts`).
   * Unix only (the inner server's sockets carry it); ignored on Windows.
   */
  clientCertificates?: ClientCertificateVerifier;
}

/** A running secure server. */
export interface SecureServer {
  /** The bound address. */
  hostname: string;
  /** The bound port (the actual one when `0` was asked for). */
  port: number;
  /**
   * Graceful shutdown, in kube-apiserver's order: `/readyz` fails; after
   * `shutdownDelayMs` the listener closes, watches end, requests that
   * arrive on open connections get 503 with `Retry-After: 1`, replies carry
   * `Connection: close` (HTTP/1.1), and each connection closes once
   * its last reply is delivered; what is left after `shutdownGraceMs` is
   * cut. Idempotent; resolves when everything is closed.
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
  const unready = new AbortController(); // shutdown began: /readyz fails
  const shutdown = new AbortController(); // draining: ends in-flight requests
  const live = new Set<AbortController>(); // in-flight requests' signals
  const inFlight = new Set<Promise<void>>();
  const health = createHealthHandler({
    checks: opts.healthChecks ?? {},
    shuttingDown: () => unready.signal.aborted,
    logger: log,
    timeoutMs: opts.healthCheckTimeoutMs,
  });

  const handle = async (
    req: Request,
    info: Deno.ServeHandlerInfo,
  ): Promise<Response> => {
    const started = performance.now();
    const signal = requestSignal(info, live, inFlight, shutdown.signal);
    const pathname = requestPathname(req.url);
    const rest = withoutClusterPrefix(pathname);
    let user: UserInfo | undefined;
    let res: Response;
    try {
      const probe = healthPath(rest);
      if (probe) {
        res = await health(req, probe.endpoint, probe.check);
      } else if (shutdown.signal.aborted) {
        // Arrived while draining: never started, so safe to retry.
        res = shuttingDownResponse();
      } else {
        const clientCertificate = inner.tagOf(info);
        const result = await authenticator.authenticate(
          req,
          clientCertificate ? { clientCertificate } : undefined,
        );
        if (result instanceof AuthenticationError) {
          log.debug("authentication failed", {
            path: pathname,
            err: result.message,
          });
          res = unauthorized();
        } else if (result === undefined && !isPublicPath(rest)) {
          res = unauthorized();
        } else {
          user = result ?? copyUser(ANONYMOUS_USER);
          res = await opts.handler(req, { user, signal });
        }
      }
    } catch (err) {
      log.error("request failed", {
        method: req.method,
        path: pathname,
        err,
      });
      res = statusResponse(500, "InternalError", "Internal error");
    }
    log.debug("request", {
      method: req.method,
      path: pathname,
      status: res.status,
      user: user?.username,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
    // While draining, the client must not reuse the connection (HTTP/1.1;
    // hyper drops the header on HTTP/2, whose connections close once idle).
    return shutdown.signal.aborted ? withConnectionClose(res) : res;
  };

  // Deno.serve handles the requests as plain HTTP behind a TLS front (see
  // tls_front.ts for why).
  const inner = await startInnerServer<ClientCertificateVerdict>({
    handler: handle,
    onError: (err: unknown) => {
      log.error("request failed", { err });
      return statusResponse(500, "InternalError", "Internal error");
    },
    logger: log,
    // Out of descriptors, most likely: the front's listener may be stuck too.
    onFailure: () => front?.outOfDescriptors(),
  });
  const verifier = Deno.build.os === "windows"
    ? undefined
    : opts.clientCertificates;
  const clientAuth = verifier && {
    // One tagged inner listener per certificate (or per refusal reason),
    // shared by the connections presenting it.
    async route(chain: Uint8Array[]) {
      const verdict = await verifier.verify(chain);
      if (verdict === undefined) {
        return { address: inner.address(), release: () => {} };
      }
      const key = "error" in verdict
        ? `refused:${verdict.error}`
        : `user:${verdict.fingerprint}`;
      if ("error" in verdict) {
        log.debug("client certificate refused", { err: verdict.error });
      }
      return await inner.acquire(key, verdict);
    },
  };
  let front: TlsFront | undefined;
  try {
    front = await startTlsFront({
      bindAddress: opts.bindAddress ?? "0.0.0.0",
      port: opts.port,
      cert: opts.tls.cert,
      key: opts.tls.key,
      inner: inner.address,
      logger: log,
      timeouts: opts.timeouts,
      maxConnections: opts.maxConnections,
      admission: opts.frontAdmission,
      clientAuth,
    });
  } catch (err) {
    await inner.close();
    throw err;
  }
  const addr = { hostname: front.hostname, port: front.port };
  log.info("serving securely", {
    address: hostPort(addr),
    maxConnections: front.maxConnections,
  });
  const { promise: finished, resolve: onFinished } = Promise.withResolvers<
    void
  >();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const delayMs = opts.shutdownDelayMs ?? 0;
      const graceMs = opts.shutdownGraceMs ?? 60_000;
      log.info("shutting down", { address: hostPort(addr), delayMs, graceMs });
      unready.abort();
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      shutdown.abort();
      for (const c of live) c.abort(SHUTTING_DOWN); // watches end
      live.clear();
      let cut = false;
      const requestsDone = async () => {
        while (inFlight.size > 0 && !cut) await Promise.all([...inFlight]);
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      try {
        // The front stops listening and closes each connection once the
        // replies it owes are relayed; requests arriving meanwhile get 503.
        const outcome = await Promise.race([
          Promise.all([front.drain(), requestsDone()]),
          graceOver,
        ]);
        if (outcome === "timeout") {
          cut = true;
          log.warn("cutting connections after the shutdown grace period", {
            ms: graceMs,
            inFlight: inFlight.size,
            connections: front.connections,
          });
        }
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
      }
      await front.close(0);
      await inner.close();
      log.info("shut down", { address: hostPort(addr) });
      onFinished();
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
    finished,
  };
}

/**
 * The handler's signal: aborted when the response is over (delivered, or
 * the client went away) or the server shuts down. `req.signal` is not used:
 * Deno aborts it on every successful response and warns about that. The
 * request counts in `inFlight` until its response is over.
 */
function requestSignal(
  info: Deno.ServeHandlerInfo,
  live: Set<AbortController>,
  inFlight: Set<Promise<void>>,
  shutdown: AbortSignal,
): AbortSignal {
  // One controller per request, registered in `live` for shutdown, instead
  // of `AbortSignal.any([done, shutdown])`; shared abort reasons, since a
  // default reason is a new DOMException; and one reaction to the response's
  // end for both the signal and `inFlight`. All showed up in profiles of
  // the create and get paths.
  const done = new AbortController();
  const over = (reason: unknown) => {
    inFlight.delete(settled);
    live.delete(done);
    done.abort(reason);
  };
  const settled: Promise<void> = info.completed.then(
    () => over(RESPONSE_DONE),
    over,
  );
  inFlight.add(settled);
  if (shutdown.aborted) done.abort(SHUTTING_DOWN);
  else live.add(done);
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

/** `res` with `Connection: close` (copied when its headers are immutable). */
function withConnectionClose(res: Response): Response {
  try {
    res.headers.set("connection", "close");
    return res;
  } catch {
    const headers = new Headers(res.headers);
    headers.set("connection", "close");
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  }
}

function hostPort(addr: { hostname: string; port: number }): string {
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `${host}:${addr.port}`;
}
