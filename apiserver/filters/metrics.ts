/**
 * Request metrics: counts the request in flight while it runs, then
 * observes its status and latency under the labels later stages set
 * (watches are counted but kept out of the latencies).
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { nonResourceLabels, type RequestMetrics } from "../metrics/mod.ts";
import type { Filter } from "./chain.ts";

/** The metrics filter (outermost: it sees the final response). */
export function metrics(
  requestMetrics: RequestMetrics,
  logger: Logger,
): Filter {
  return async (state, next) => {
    const start = performance.now();
    const done = requestMetrics.begin(state.req.method);
    let res: Response;
    try {
      res = await next();
    } finally {
      done();
    }
    const seconds = (performance.now() - start) / 1000;
    const labels = state.labels ?? nonResourceLabels(state.req.method);
    requestMetrics.observe(
      labels,
      res.status,
      labels.verb === "WATCH" ? undefined : seconds,
    );
    logger.debug("request", {
      method: state.req.method,
      path: state.target.path,
      code: res.status,
      durationMs: Math.round(seconds * 1e6) / 1000,
      user: state.user.username,
    });
    return res;
  };
}
