/**
 * What the serving layer (TLS, authentication) hands to the API handler with
 * every request, and the handler's signature. The serving layer knows nothing
 * of resources; the handler knows nothing of TLS or credentials.
 *
 * @module
 */

/** An authenticated user, as Kubernetes' `user.Info`. */
export interface UserInfo {
  /** The user name, e.g. `admin` or `system:serviceaccount:default:app`. */
  username: string;
  /** A unique id of the user, when known. */
  uid?: string;
  /** The user's groups. */
  groups: string[];
  /** Extra attributes (e.g. a service account token's credential id). */
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
