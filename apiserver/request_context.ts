/**
 * What the serving layer (TLS, authentication) hands to the API handler with
 * every request, and the handler's signature. The serving layer knows nothing
 * of resources; the handler knows nothing of TLS or credentials.
 *
 * @module
 */

/** An authenticated user, as Kubernetes' `user.Info`. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Per-request facts established before the API handler runs. */
export interface RequestContext {
  /** Who is calling (authenticated by the serving layer). */
  user: UserInfo;
  /** Aborted when the client goes away or the server shuts down. */
  signal?: AbortSignal;
}

/** Serves one API request. */
export type ApiHandler = (
  req: Request,
  ctx: RequestContext,
) => Promise<Response>;
