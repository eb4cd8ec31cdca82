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
  /**
   * Set by in-process callers only (never from a request's bytes): takes
   * a watch's events as objects instead of JSON lines. See
   * {@linkcode WatchEventSink}.
   */
  watchEvents?: WatchEventSink;
}

/**
 * One watch event as an object: what a line of the watch's JSON body
 * would parse to (`{"type":…,"object":…}`), deep-frozen — it may be
 * shared with other watchers and with the watch cache, so a reader that
 * changes it must copy it first.
 */
export interface WatchObjectEvent {
  /** `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`. */
  readonly type: string;
  /** The object as served (a `Status` for ERROR). */
  readonly object: object;
}

/**
 * Receives the events of a watch the handler answers with 200: the
 * response's body is then empty and every event (the same sequence the
 * body would have carried, ERROR included, backpressure included) comes
 * through `events` instead, with no JSON encoding in between. Called at
 * most once, and only for a watch that started; a handler that cannot
 * (a Table watch, a proxied API) ignores it and answers in bytes.
 */
export type WatchEventSink = (
  events: ReadableStream<WatchObjectEvent>,
) => void;

/** Serves one API request. */
export type ApiHandler = (
  req: Request,
  ctx: RequestContext,
) => Promise<Response>;
