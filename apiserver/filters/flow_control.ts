/**
 * Flow control, after impersonation and before authorization (as upstream's
 * `WithPriorityAndFairness`): a request takes a seat in the read-only or
 * the mutating pool (`--max-requests-inflight`, default 400;
 * `--max-mutating-requests-inflight`, default 200), waiting fairly by flow
 * (one user in one virtual cluster; `flowcontrol/fair_pool.ts`) when the
 * pool is full, and is answered 429 TooManyRequests with `Retry-After: 1`
 * when its flow's queue is full or it waited too long. Exempt, as
 * upstream's `exempt` priority level and long-running requests: watches,
 * `system:masters`, and the server's own controllers. Health probes never
 * reach the chain.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import { FairPool, type Rejection } from "../flowcontrol/fair_pool.ts";
import { SYSTEM_MASTERS } from "../authz/authorizer.ts";
import { tooManyRequestsError } from "../status/mod.ts";
import type { UserInfo } from "../request_context.ts";
import type { Filter } from "./chain.ts";

/** Options for {@linkcode flowControl}; a limit of 0 turns its pool off. */
export interface FlowControlOptions {
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  /** Requests one flow may have waiting per pool (default 50). */
  queueLength?: number;
  /** The longest a request waits for a seat (ms, default 10 000). */
  queueWaitMs?: number;
  logger: Logger;
}

const READ_VERBS = new Set(["get", "list", "watch"]);
/** The in-process controllers' users (they cannot be claimed by a token). */
const INTERNAL_USER = /^system:(controller:|kube-controller-manager$)/;

function exempt(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS) ||
    INTERNAL_USER.test(user.username);
}

/** The flow-control filter. */
export function flowControl(opts: FlowControlOptions): Filter {
  const pool = (limit: number) =>
    limit > 0
      ? new FairPool({
        limit,
        queueLength: opts.queueLength,
        queueWaitMs: opts.queueWaitMs,
      })
      : undefined;
  const readOnly = pool(opts.maxRequestsInflight);
  const mutating = pool(opts.maxMutatingRequestsInflight);
  let lastLog = 0;
  return async (state, next) => {
    const { info, user } = state;
    if (info.verb === "watch" || exempt(user)) return await next();
    const readish = info.isResourceRequest
      ? READ_VERBS.has(info.verb)
      : info.verb === "get" || info.verb === "head";
    const seats = readish ? readOnly : mutating;
    if (!seats) return await next();
    let release: () => void;
    try {
      release = await seats.acquire(
        `${state.cluster}\u0000${user.username}`,
        state.signal,
      );
    } catch (why) {
      const now = Date.now();
      if (now - lastLog > 10_000) {
        lastLog = now;
        opts.logger.warn("requests rejected by flow control", {
          reason: why as Rejection,
          user: user.username,
          cluster: state.cluster,
          pool: readish ? "read-only" : "mutating",
        });
      }
      throw tooManyRequestsError();
    }
    try {
      return await next();
    } finally {
      release();
    }
  };
}
