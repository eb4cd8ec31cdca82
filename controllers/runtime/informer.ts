/**
 * A shared informer: keeps a local copy of one resource in one cluster (and
 * optionally one namespace / selector) from list + watch, and tells its
 * handlers about every change. Prefers a streaming initial list (watch with
 * `sendInitialEvents=true`, ended by the `k8s.io/initial-events-end`
 * bookmark) and falls back to paged list + watch; resumes watches from the
 * last seen resourceVersion (bookmarks keep it fresh), relists on 410 Gone,
 * resyncs periodically, and stops when its signal aborts.
 *
 * A metadata informer (`metadataOnly`) keeps only each object's
 * `partialObjectMetadata` (upstream's metadata informers), and its own list
 * and watch ask the server for `PartialObjectMetadata` (upstream's metadata
 * client), so spec, status and data are neither encoded nor sent nor
 * parsed for it. One may also be
 * fed by another informer of the same target whose objects keep their
 * metadata ({@linkcode Informer.deriveMetadata}): no watch of its own, so
 * each event of, say, a ClusterRole crosses the API once for both the
 * garbage collector and the aggregation controller, not once for each
 * (encoded, streamed and parsed twice was ~4% of the server's CPU while
 * virtual clusters were created).
 *
 * An in-process watch delivers its events through promises only: a long
 * initial list would run as one chain of microtasks and starve every
 * request (`/readyz` included) until it ends. The informer hands the event
 * loop back every {@linkcode YIELD_EVERY_MS} of work, so its first sync
 * runs beside the API's requests instead of in front of them.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import {
  type ApiClient,
  ApiStatusError,
  type ListOptions,
  type ReadView,
  type Target,
} from "../client/mod.ts";
import { sleep } from "../../internal/sleep.ts";
import { clusterOf } from "./clusters.ts";
import { metadataOf } from "./partial_metadata.ts";
import { TimeSlice } from "../../internal/turns.ts";
import { ClusterMap } from "../../internal/cluster_map.ts";

/** Callbacks for changes (they should only enqueue work). */
export interface InformerHandler {
  /** An object appeared. */
  onAdd?(obj: KubeObject): void;
  /** An object changed (or a resync replayed it). */
  onUpdate?(old: KubeObject, obj: KubeObject): void;
  /** An object is gone. */
  onDelete?(obj: KubeObject): void;
}

/** Options for {@linkcode Informer}. */
export interface InformerOptions {
  client: ApiClient;
  /** Cluster, resource and optional namespace to watch. */
  target: Target;
  labelSelector?: string;
  fieldSelector?: string;
  /** Replays every object as an update this often (0: never). */
  resyncMs?: number;
  /** Use `sendInitialEvents` (default true; falls back when refused). */
  streamingList?: boolean;
  /** Page size of the list fallback (default 500). */
  pageSize?: number;
  /** Keep only `partialObjectMetadata` of each object (a metadata informer). */
  metadataOnly?: boolean;
  /**
   * Reshapes each object as it arrives (after `metadataOnly`), before it
   * is cached and handed to the handlers (upstream's `SetTransform`).
   */
  transform?: (obj: KubeObject) => KubeObject;
  /** Work this long before letting other tasks run (default {@linkcode YIELD_EVERY_MS}). */
  yieldEveryMs?: number;
  logger: Logger;
}

/** How long an informer works before it lets other tasks run (ms). */
export const YIELD_EVERY_MS = 10;

/** The bookmark annotation that ends a streaming initial list. */
export const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/**
 * The local-store key of an object: `namespace/name` (or `name`), prefixed
 * with `cluster|` for objects of a cross-cluster informer.
 */
export function objectKeyOf(obj: KubeObject): string {
  return cacheKey(
    clusterOf(obj),
    obj.metadata.namespace ?? "",
    obj.metadata.name ?? "",
  );
}

/**
 * The key of `obj` within its cluster in an informer's store:
 * `namespace/name` (or `name`).
 */
function localKeyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

/** The local-store key {@linkcode objectKeyOf} gives such an object. */
export function cacheKey(
  cluster: string | undefined,
  namespace: string,
  name: string,
): string {
  const base = namespace ? `${namespace}/${name}` : name;
  return cluster ? `${cluster}|${base}` : base;
}

class Expired extends Error {}

/** See the module doc. */
export class Informer {
  #opts: InformerOptions;
  #items = new ClusterMap<KubeObject>();
  #handlers: InformerHandler[] = [];
  #synced = false;
  #syncWaiters: Array<() => void> = [];
  #streaming: boolean;
  #lastRv = "";
  #project: (obj: KubeObject) => KubeObject;
  #slice: TimeSlice;
  /** Metadata informers fed by this one's objects. */
  #derived: Informer[] = [];
  /** The informer feeding this one (a derived metadata informer). */
  #parent?: Informer;

  /** An informer for `opts.target`; it lists and watches once run. */
  constructor(opts: InformerOptions) {
    this.#opts = opts;
    this.#streaming = opts.streamingList ?? true;
    // A metadata informer reads the server's PartialObjectMetadata form
    // (derived ones get whole objects from their feeder: `view` handles
    // both).
    const resource = opts.target.resource;
    const view = opts.metadataOnly
      ? (o: KubeObject) => metadataOf(resource, o)
      : undefined;
    const transform = opts.transform;
    this.#project = view && transform
      ? (o) => transform(view(o))
      : view ?? transform ?? ((o) => o);
    this.#slice = new TimeSlice(opts.yieldEveryMs ?? YIELD_EVERY_MS);
  }

  /** Adds a handler; it is told about objects already known as adds. */
  addHandler(h: InformerHandler): void {
    this.#handlers.push(h);
    for (const obj of this.#items.values()) h.onAdd?.(obj);
  }

  /**
   * The cached object `namespace/name` (or `name`), `cluster|`-prefixed
   * for a cross-cluster informer's ({@linkcode objectKeyOf}).
   */
  get(key: string): KubeObject | undefined {
    const bar = key.indexOf("|");
    if (bar > 0) {
      const obj = this.#items.get(key.slice(0, bar), key.slice(bar + 1));
      if (obj !== undefined) return obj;
    }
    // Not a cluster's: a name may hold "|".
    return this.#items.get("", key);
  }

  /** Every cached object. */
  list(): KubeObject[] {
    return [...this.#items.values()];
  }

  /** True once the first full list has been applied. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The last resourceVersion seen. */
  get lastResourceVersion(): string {
    return this.#parent?.lastResourceVersion ?? this.#lastRv;
  }

  /**
   * A metadata informer (as `metadataOnly`) of this informer's target and
   * selectors fed by this one's objects, which must keep their metadata
   * (any transform may drop `managedFields` only): it starts with what
   * this one holds, is synced with it, and is never run. Stop feeding it
   * with {@linkcode detach}.
   */
  deriveMetadata(): Informer {
    const view = new Informer({
      ...this.#opts,
      metadataOnly: true,
      transform: undefined,
      resyncMs: undefined,
    });
    view.#parent = this;
    for (const [cluster, key, obj] of this.#items.entries()) {
      view.#items.set(cluster, key, view.#project(obj));
    }
    if (this.#synced) view.#markSynced();
    this.#derived.push(view);
    return view;
  }

  /** Stops feeding `view` (from {@linkcode deriveMetadata}). */
  detach(view: Informer): void {
    this.#derived = this.#derived.filter((v) => v !== view);
  }

  /** How many informers this one feeds. */
  get derivedCount(): number {
    return this.#derived.length;
  }

  /** Resolves once synced (or when `signal` aborts). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#syncWaiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.#opts.logger;
    const resync = this.#opts.resyncMs
      ? setInterval(() => this.#resync(), this.#opts.resyncMs)
      : undefined;
    let rv = "";
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          if (rv === "" && !this.#streaming) rv = await this.#list();
          rv = await this.#watch(rv, signal);
          failures = 0;
        } catch (e) {
          if (signal.aborted) break;
          if (e instanceof Expired) {
            log.debug("watch expired; relisting", { target: this.#name() });
            rv = "";
            continue;
          }
          if (
            rv === "" && this.#streaming && e instanceof ApiStatusError &&
            [400, 403, 422, 501].includes(e.code)
          ) {
            log.info("streaming list refused; using list + watch", {
              target: this.#name(),
              error: e.message,
            });
            this.#streaming = false;
            continue;
          }
          failures++;
          log.warn("informer failed; retrying", {
            target: this.#name(),
            error: e,
          });
          await sleep(Math.min(100 * 2 ** failures, 30_000), signal);
        }
      }
    } finally {
      if (resync !== undefined) clearInterval(resync);
      for (const w of this.#syncWaiters.splice(0)) w();
    }
  }

  /** What this informer's own list and watch ask for. */
  #readView(): ReadView {
    return this.#opts.metadataOnly ? "metadata" : "object";
  }

  #name(): string {
    const t = this.#opts.target;
    return `${t.cluster}/${t.resource.group || "core"}/${t.resource.resource}`;
  }

  #selectors(): ListOptions {
    return {
      labelSelector: this.#opts.labelSelector,
      fieldSelector: this.#opts.fieldSelector,
    };
  }

  async #list(): Promise<string> {
    const page = await this.#opts.client.listAll(this.#opts.target, {
      ...this.#selectors(),
      limit: this.#opts.pageSize ?? 500,
    }, this.#readView());
    const fresh = new ClusterMap<KubeObject>();
    for (const item of page.items) {
      const obj = this.#project(item);
      fresh.set(clusterOf(obj) ?? "", localKeyOf(obj), obj);
    }
    await this.#replace(fresh);
    this.#lastRv = page.resourceVersion;
    return page.resourceVersion;
  }

  async #watch(rv: string, signal: AbortSignal): Promise<string> {
    const initial = rv === "";
    const opts: ListOptions = {
      ...this.#selectors(),
      resourceVersion: rv,
      allowWatchBookmarks: true,
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    };
    if (initial) {
      opts.sendInitialEvents = true;
      opts.resourceVersionMatch = "NotOlderThan";
    }
    let fresh: ClusterMap<KubeObject> | undefined = initial
      ? new ClusterMap<KubeObject>()
      : undefined;
    const events = this.#opts.client.watch(
      this.#opts.target,
      opts,
      signal,
      this.#readView(),
    );
    this.#slice.restart();
    for await (const ev of events) {
      if (this.#slice.due) await this.#slice.pause();
      if (ev.type === "ERROR") {
        const st = ev.object as unknown as Record<string, unknown>;
        if (st.code === 410) throw new Expired();
        throw new ApiStatusError(
          Number(st.code ?? 500),
          String(st.reason ?? ""),
          String(st.message ?? "watch error"),
          st,
        );
      }
      const objRv = ev.object.metadata?.resourceVersion;
      if (objRv) rv = objRv;
      this.#lastRv = rv;
      if (ev.type === "BOOKMARK") {
        const ann = ev.object.metadata?.annotations ?? {};
        if (fresh && ann[INITIAL_EVENTS_END] === "true") {
          await this.#replace(fresh);
          fresh = undefined;
        }
        continue;
      }
      const obj = this.#project(ev.object);
      const cluster = clusterOf(obj) ?? "";
      if (fresh) {
        if (ev.type === "DELETED") fresh.delete(cluster, localKeyOf(obj));
        else fresh.set(cluster, localKeyOf(obj), obj);
        continue;
      }
      this.#apply(ev.type, obj, cluster, localKeyOf(obj));
    }
    // A stream that ended before its initial events completed starts over.
    return fresh ? "" : rv;
  }

  /**
   * Applies one change of the object `key` of `cluster` (a derived view
   * files each object under its feeder's cluster and key, as
   * `deriveMetadata` and `#replace` do, so they are not found again per
   * view).
   */
  #apply(type: string, obj: KubeObject, cluster: string, key: string): void {
    const old = this.#items.get(cluster, key);
    if (type === "DELETED") {
      this.#items.delete(cluster, key);
      for (const h of this.#handlers) h.onDelete?.(old ?? obj);
      for (const v of this.#derived) {
        v.#apply(type, v.#project(obj), cluster, key);
      }
      return;
    }
    this.#items.set(cluster, key, obj);
    for (const h of this.#handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
    for (const v of this.#derived) {
      v.#apply(type, v.#project(obj), cluster, key);
    }
  }

  async #replace(fresh: ClusterMap<KubeObject>): Promise<void> {
    for (const [cluster, key, old] of [...this.#items.entries()]) {
      if (this.#slice.due) await this.#slice.pause();
      if (!fresh.has(cluster, key)) {
        this.#items.delete(cluster, key);
        for (const h of this.#handlers) h.onDelete?.(old);
      }
    }
    for (const [cluster, key, obj] of fresh.entries()) {
      if (this.#slice.due) await this.#slice.pause();
      const old = this.#items.get(cluster, key);
      if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) {
        continue;
      }
      this.#items.set(cluster, key, obj);
      for (const h of this.#handlers) {
        if (old) h.onUpdate?.(old, obj);
        else h.onAdd?.(obj);
      }
    }
    for (const v of [...this.#derived]) {
      const projected = new ClusterMap<KubeObject>();
      for (const [cluster, key, obj] of fresh.entries()) {
        const had = v.#items.get(cluster, key);
        projected.set(
          cluster,
          key,
          had && had.metadata.resourceVersion === obj.metadata.resourceVersion
            ? had
            : v.#project(obj),
        );
      }
      await v.#replace(projected);
    }
    this.#markSynced();
  }

  #markSynced(): void {
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
    // One derived during the loop above started from this one's final
    // objects: it is as synced as this one.
    for (const v of this.#derived) v.#markSynced();
  }

  #resync(): void {
    for (const obj of this.#items.values()) {
      for (const h of this.#handlers) h.onUpdate?.(obj, obj);
    }
  }
}
