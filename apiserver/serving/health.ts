/**
 * Health endpoints in kube-apiserver's shape: `/healthz`, `/livez` and
 * `/readyz` answer `ok`; `?verbose` lists every check (`[+]ping ok`,
 * `[-]etcd failed: reason withheld`) and ends with `<endpoint> check
 * passed|failed`; any failing check gives 500 with the list; `?exclude=name`
 * skips a check; `/<endpoint>/<check>` runs one check. Failure reasons are
 * withheld from the (unauthenticated) response and logged instead.
 *
 * Each check runs with a timeout (2 s by default, as kube-apiserver's etcd
 * check), so a stalled backend turns `/readyz` unready instead of making
 * probes hang; and a check already running is shared by the probes that
 * arrive meanwhile, so a stall does not pile up checks.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";

/** One named check. It throws (or rejects) when unhealthy. */
export interface HealthCheck {
  /** Shown as `[+]<name> ok`; also the path segment `/readyz/<name>`. */
  name: string;
  /**
   * Resolves when healthy. `signal` aborts when the check has timed out
   * (the check is shared by every probe that arrives while it runs, so it
   * is not tied to one client).
   */
  check(signal: AbortSignal): Promise<void>;
  /** How long the check may take before it counts as failed. Default: the handler's `timeoutMs`. */
  timeoutMs?: number;
}

/** The checks behind each endpoint. */
export interface HealthChecks {
  /** Liveness: a failure means "restart me" (`/livez`, `/healthz`). */
  liveness?: HealthCheck[];
  /**
   * Readiness: a failure means "do not send me traffic" (`/readyz`,
   * `/healthz`), e.g. storage readiness and API readiness.
   */
  readiness?: HealthCheck[];
}

/** The health endpoints' names. */
export type HealthEndpoint = "healthz" | "livez" | "readyz";

const PING: HealthCheck = { name: "ping", check: () => Promise.resolve() };

const TEXT_HEADERS = {
  "content-type": "text/plain; charset=utf-8",
  "x-content-type-options": "nosniff",
};

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: TEXT_HEADERS });
}

/** Options for {@linkcode createHealthHandler}. */
export interface HealthHandlerOptions {
  checks: HealthChecks;
  /** True once graceful shutdown began: `/readyz`'s `shutdown` check fails. */
  shuttingDown: () => boolean;
  logger: Logger;
  /**
   * How long a check may take before it fails (`[-]<name> failed: reason
   * withheld`, the timeout logged). Default 2 000 ms, kube-apiserver's etcd
   * check timeout.
   */
  timeoutMs?: number;
}

/** The default per-check timeout. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2_000;

/**
 * Serves a health endpoint. `endpoint` is which one, `check` the optional
 * single-check path segment.
 */
export type HealthHandler = (
  req: Request,
  endpoint: HealthEndpoint,
  check?: string,
) => Promise<Response>;

/** Builds the handler for `/healthz`, `/livez`, `/readyz` and sub-paths. */
export function createHealthHandler(opts: HealthHandlerOptions): HealthHandler {
  const shutdown: HealthCheck = {
    name: "shutdown",
    check: () =>
      opts.shuttingDown()
        ? Promise.reject(new Error("server is shutting down"))
        : Promise.resolve(),
  };
  const liveness = opts.checks.liveness ?? [];
  const readiness = opts.checks.readiness ?? [];
  const byEndpoint: Record<HealthEndpoint, HealthCheck[]> = {
    livez: dedupe([PING, ...liveness]),
    healthz: dedupe([PING, ...liveness, ...readiness]),
    readyz: dedupe([PING, ...liveness, ...readiness, shutdown]),
  };

  const defaultTimeout = opts.timeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
  const running = new Map<HealthCheck, Promise<void>>();
  const run = (c: HealthCheck): Promise<void> => {
    let p = running.get(c);
    if (!p) {
      p = withTimeout(c, c.timeoutMs ?? defaultTimeout).finally(() =>
        running.delete(c)
      );
      running.set(c, p);
    }
    return p;
  };
  return async (req, endpoint, name) => {
    const checks = byEndpoint[endpoint];
    if (name !== undefined) {
      const one = checks.find((c) => c.name === name);
      if (!one) return text("404 page not found\n", 404);
      try {
        await run(one);
        return text("ok");
      } catch (err) {
        opts.logger.info("health check failed", {
          endpoint,
          check: name,
          err: String(err instanceof Error ? err.message : err),
        });
        return text(`internal server error: ${name} check failed\n`, 500);
      }
    }
    const query = new URL(req.url).searchParams;
    const excluded = new Set(
      query.getAll("exclude").flatMap((e) => e.split(",")).filter((e) => e),
    );
    const results = await Promise.all(checks.map(async (c) => {
      if (excluded.delete(c.name)) return { c, excluded: true };
      try {
        await run(c);
        return { c };
      } catch (err) {
        return { c, err: err instanceof Error ? err.message : String(err) };
      }
    }));
    let lines = "";
    const failed: string[] = [];
    for (const r of results) {
      if (r.excluded) lines += `[+]${r.c.name} excluded: ok\n`;
      else if (r.err === undefined) lines += `[+]${r.c.name} ok\n`;
      else {
        lines += `[-]${r.c.name} failed: reason withheld\n`;
        failed.push(`${r.c.name}: ${r.err}`);
      }
    }
    if (excluded.size > 0) {
      const names = [...excluded].map((e) => JSON.stringify(e)).join(", ");
      lines +=
        `warn: some health checks cannot be excluded: no matches for ${names}\n`;
    }
    if (failed.length > 0) {
      opts.logger.info("health check failed", {
        endpoint,
        failed: failed.join("; "),
      });
      // Always verbose on failure, as kube-apiserver.
      return text(`${lines}${endpoint} check failed\n`, 500);
    }
    if (!query.has("verbose")) return text("ok");
    return text(`${lines}${endpoint} check passed\n`);
  };
}

function dedupe(checks: HealthCheck[]): HealthCheck[] {
  const seen = new Set<string>();
  return checks.filter((c) => !seen.has(c.name) && seen.add(c.name));
}

/** Runs a check, failing it when it takes longer than `ms`. */
async function withTimeout(c: HealthCheck, ms: number): Promise<void> {
  const stop = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`timed out after ${ms} ms`);
      stop.abort(err);
      reject(err);
    }, ms);
  });
  try {
    await Promise.race([c.check(stop.signal), late]);
  } finally {
    clearTimeout(timer);
  }
}
