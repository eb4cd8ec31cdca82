/**
 * The request pipeline as a chain of small filters, in kube-apiserver's
 * order (`DefaultBuildHandlerChain`). Each filter does one job on the
 * shared {@linkcode RequestState} and calls `next()` to go on, or answers
 * (or throws an `ApiError`) to stop. The server assembles its chain in one
 * place (`apiserver/server.ts`); authentication happens before the chain,
 * at the serving edge, which hands over the authenticated user.
 *
 * @module
 */

import type { RawTarget } from "../routing/raw_target.ts";
import type { RequestInfo } from "../routing/request_info.ts";
import type { AuthorizationAttributes } from "../authz/authorizer.ts";
import type {
  RequestContext,
  UserInfo,
  WatchEventSink,
} from "../request_context.ts";
import type { ErrorSubject } from "../status/mod.ts";
import type { RequestLabels } from "../metrics/mod.ts";

/** What the filters learn about one request, filled in as it passes. */
export interface RequestState {
  readonly req: Request;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal?: AbortSignal;
  /** An in-process caller's taker of watch events as objects. */
  readonly watchEvents?: WatchEventSink;
  /** Who the request runs as (after impersonation). */
  user: UserInfo;
  /** The raw path and query (set by the request-info filter). */
  target: RawTarget;
  /** The virtual cluster (set by the request-info filter). */
  cluster: string;
  /** The raw path inside the cluster (set by the request-info filter). */
  path: string;
  /** What the request is about (set by the request-info filter). */
  info: RequestInfo;
  /** The authorization attributes, computed once (request-info filter). */
  attributes: AuthorizationAttributes;
  /** Sent as `Warning` headers with the response (errors included). */
  warnings: string[];
  /** What an error names (`configmaps "x"`), set once the kind is known. */
  subject?: ErrorSubject;
  /** The metric labels, set once the request is classified. */
  labels?: RequestLabels;
}

/** The rest of the chain. */
export type Next = () => Promise<Response>;

/** One stage of the pipeline. */
export type Filter = (state: RequestState, next: Next) => Promise<Response>;

/** The innermost stage: serves the request. */
export type Terminal = (state: RequestState) => Promise<Response>;

/**
 * Composes `filters` (outermost first) around `terminal` into a function
 * of the request and its serving context.
 *
 * @example
 * ```ts
 * const serve = buildChain([recovery(logger), requestInfo()], dispatch);
 * const res = await serve(req, { user });
 * ```
 */
export function buildChain(
  filters: readonly Filter[],
  terminal: Terminal,
): (req: Request, ctx: RequestContext) => Promise<Response> {
  return (req, ctx) => {
    const state = newState(req, ctx);
    const run = (i: number): Promise<Response> =>
      i === filters.length
        ? terminal(state)
        : filters[i](state, () => run(i + 1));
    return run(0);
  };
}

/** A fresh state; the request-info filter fills in the routing fields. */
export function newState(req: Request, ctx: RequestContext): RequestState {
  return {
    req,
    signal: ctx.signal,
    watchEvents: ctx.watchEvents,
    user: ctx.user,
    target: UNSET_TARGET,
    cluster: "",
    path: "",
    info: UNSET_INFO,
    attributes: UNSET_ATTRIBUTES,
    warnings: [],
  };
}

const UNSET_TARGET: RawTarget = { path: "/", query: new URLSearchParams() };
const UNSET_INFO: RequestInfo = {
  isResourceRequest: false,
  path: "/",
  verb: "",
};
const UNSET_ATTRIBUTES: AuthorizationAttributes = {
  user: { username: "", groups: [] },
  cluster: "",
  verb: "",
  isResourceRequest: false,
};
