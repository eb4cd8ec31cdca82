/**
 * The small API client every controller acts through: get, list, watch,
 * create, update, patch, delete and deletecollection on a {@linkcode Target},
 * plus discovery. One implementation, two transports (in-process, HTTP).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { ApiStatusError } from "./api_error.ts";
import {
  clusterPath,
  type Target,
  targetPath,
  withoutClusterAnnotation,
} from "./resource.ts";
import type { Transport } from "./transport.ts";
import { type WatchBody, watchEvents } from "./watch_events.ts";
import { HYPERPLANE_VERSION } from "../../version.ts";

/** A page of a list. */
export interface ListPage {
  /** The objects of the page. */
  items: KubeObject[];
  /** The list's resourceVersion. */
  resourceVersion: string;
  /** The token of the next page, if any. */
  continue?: string;
}

/** List and watch options (query parameters). */
export interface ListOptions {
  /** Only objects whose labels match. */
  labelSelector?: string;
  /** Only objects whose fields match. */
  fieldSelector?: string;
  /** The most objects of one page. */
  limit?: number;
  /** The token of the page to read. */
  continue?: string;
  /** The resourceVersion to read at (or watch from). */
  resourceVersion?: string;
  /** How `resourceVersion` applies: `NotOlderThan` or `Exact`. */
  resourceVersionMatch?: string;
  /** Ask for BOOKMARK events. */
  allowWatchBookmarks?: boolean;
  /** Start a watch with the current objects. */
  sendInitialEvents?: boolean;
  /** End a watch after this long. */
  timeoutSeconds?: number;
}

/**
 * What a list or watch answers with: whole objects, or each object's
 * metadata only (`meta.k8s.io/v1` `PartialObjectMetadata`, as upstream's
 * metadata client asks for; a server that cannot convert sends whole
 * objects, which the caller then trims itself).
 */
export type ReadView = "object" | "metadata";

/** The `Accept` of a metadata-only list (with a plain fallback). */
const METADATA_LIST_ACCEPT =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
/** The `Accept` of a metadata-only watch (with a plain fallback). */
const METADATA_WATCH_ACCEPT =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/** `DeleteOptions`. */
export interface DeleteOptions {
  /** What happens to dependents. */
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  /** Delete only this UID or resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * One watch event as sent on the wire. In-process its object is the
 * server's, deep-frozen and shared (with the watch cache and other
 * informers): a controller that changes one copies it first.
 */
export interface WireEvent {
  /** The event type. */
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  /** The object (a `Status` for ERROR). */
  object: KubeObject;
}

function query(opts: ListOptions | undefined, watch: boolean): string {
  const q = new URLSearchParams();
  if (watch) q.set("watch", "true");
  for (const [k, v] of Object.entries(opts ?? {})) {
    if (v === undefined || v === "") continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A request of this client (its URL relative to the API root). */
function newRequest(
  method: string,
  path: string,
  body: unknown,
  opts: { contentType?: string; accept?: string; signal?: AbortSignal },
): Request {
  const headers: Record<string, string> = {
    accept: opts.accept ?? "application/json",
    "user-agent": USER_AGENT,
  };
  let text: string | undefined;
  if (body !== undefined) {
    text = JSON.stringify(body);
    headers["content-type"] = opts.contentType ?? "application/json";
  }
  return new Request(`http://api${path}`, {
    method,
    headers,
    body: text,
    signal: opts.signal,
  });
}

/**
 * Sent with every request; its first segment is the field manager of the
 * controllers' writes (as `kube-controller-manager/…` is upstream's).
 */
export const USER_AGENT = `hyperplane-controller-manager/${HYPERPLANE_VERSION}`;

/** The field manager of the controllers' writes (the user agent's first segment). */
export const FIELD_MANAGER = USER_AGENT.slice(0, USER_AGENT.indexOf("/"));

/** The API client controllers use. */
export class ApiClient {
  #transport: Transport;

  /** A client sending every request through `transport`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Sends a raw request; non-2xx answers throw {@linkcode ApiStatusError}. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    opts: { contentType?: string; accept?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const res = await this.#transport.send(
      newRequest(method, path, body, opts),
    );
    if (res.status >= 300) throw await ApiStatusError.from(res);
    return res;
  }

  async #json<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    accept?: string,
  ): Promise<T> {
    const res = await this.request(method, path, body, {
      contentType,
      accept,
    });
    return await res.json() as T;
  }

  /** GET of one object. */
  get(t: Target): Promise<KubeObject> {
    return this.#json("GET", targetPath(t));
  }

  /** GET of a non-resource path inside a cluster (discovery documents). */
  getPath(cluster: string, path: string): Promise<Record<string, unknown>> {
    return this.#json("GET", clusterPath(cluster) + path);
  }

  /** One page of a list (of `view`, default whole objects). */
  async list(
    t: Target,
    opts?: ListOptions,
    view: ReadView = "object",
  ): Promise<ListPage> {
    const body = await this.#json<Record<string, unknown>>(
      "GET",
      targetPath(t) + query(opts, false),
      undefined,
      undefined,
      view === "metadata" ? METADATA_LIST_ACCEPT : undefined,
    );
    const meta = (body.metadata ?? {}) as Record<string, string>;
    return {
      items: (body.items ?? []) as KubeObject[],
      resourceVersion: meta.resourceVersion ?? "",
      continue: meta.continue || undefined,
    };
  }

  /** Every item of a list (of `view`), paging with `limit`. */
  async listAll(
    t: Target,
    opts: ListOptions = {},
    view: ReadView = "object",
  ): Promise<ListPage> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let rv = "";
    do {
      const page = await this.list(
        t,
        { limit: 500, ...opts, continue: cont },
        view,
      );
      items.push(...page.items);
      rv ||= page.resourceVersion;
      cont = page.continue;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  /**
   * A watch (of `view`, default whole objects): yields events until the
   * server ends the stream or `signal` aborts. A failed start throws
   * {@linkcode ApiStatusError}.
   */
  watch(
    t: Target,
    opts: ListOptions,
    signal: AbortSignal,
    view: ReadView = "object",
  ): AsyncGenerator<WireEvent> {
    // One generator, not one delegating to another: every event of every
    // in-process informer passes here.
    const accept = view === "metadata" ? METADATA_WATCH_ACCEPT : undefined;
    const path = targetPath(t) + query(opts, true);
    const transport = this.#transport;
    const open = async (): Promise<WatchBody<WireEvent>> => {
      const req = newRequest("GET", path, undefined, { signal, accept });
      // In-process the events come as the server's frozen objects.
      const { response, events } = transport.sendWatch
        ? await transport.sendWatch(req)
        : { response: await transport.send(req), events: undefined };
      if (response.status >= 300) throw await ApiStatusError.from(response);
      if (!events) return response.body;
      await response.body?.cancel();
      return {
        events: events as ReadableStream<unknown> as ReadableStream<WireEvent>,
      };
    };
    return watchEvents<WireEvent>(open, signal);
  }

  /** POST of a new object (never with the cluster annotation). */
  create(t: Target, obj: KubeObject): Promise<KubeObject> {
    return this.#json(
      "POST",
      targetPath({ ...t, name: undefined }),
      withoutClusterAnnotation(obj),
    );
  }

  /** PUT of an object (optimistic concurrency on its resourceVersion). */
  update(t: Target, obj: KubeObject): Promise<KubeObject> {
    return this.#json("PUT", targetPath(t), withoutClusterAnnotation(obj));
  }

  /** PATCH with `contentType` (default JSON merge patch). */
  patch(
    t: Target,
    patch: unknown,
    contentType = "application/merge-patch+json",
  ): Promise<KubeObject> {
    return this.#json("PATCH", targetPath(t), patch, contentType);
  }

  /** DELETE of one object; returns the object or `Status` the server sent. */
  delete(t: Target, opts: DeleteOptions = {}): Promise<KubeObject> {
    return this.#json("DELETE", targetPath(t), {
      kind: "DeleteOptions",
      apiVersion: "v1",
      ...opts,
    });
  }

  /** DELETE of a collection (in `t.namespace` when given). */
  async deleteCollection(
    t: Target,
    opts: DeleteOptions = {},
  ): Promise<void> {
    const res = await this.request("DELETE", targetPath(t), {
      kind: "DeleteOptions",
      apiVersion: "v1",
      ...opts,
    });
    await res.body?.cancel();
  }

  /** Releases the transport's connections. */
  close(): void {
    this.#transport.close();
  }
}
