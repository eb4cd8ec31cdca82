/**
 * The RBAC policy of every cluster, read from storage and kept fresh: one
 * watch per RBAC resource across all clusters (the stores passed in are
 * meant to be the watch cache), each object filed into its cluster's
 * {@linkcode ClusterPolicy} by the cluster named in its storage key.
 *
 * The initial state arrives as the watch's initial events
 * (`sendInitialEvents`, ended by the `k8s.io/initial-events-end` bookmark)
 * rather than from a separate list, because a list result carries no
 * storage keys and so no cluster. A watch that fails (410 Expired, a closed
 * backend) is restarted with a fresh initial state, and objects not seen
 * again are dropped. Everything stops with the owner's signal or
 * {@linkcode StoreBackedPolicy.close}; no timer outlives it.
 *
 * @module
 */

import {
  clusterFromKey,
  INITIAL_EVENTS_END_ANNOTATION,
  type KubeObject,
  resourcePrefix,
  type Store,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import { ClusterPolicy, type RbacPolicySource } from "./policy_index.ts";
import { RBAC_GROUP, RBAC_RESOURCES, type RbacResource } from "./types.ts";

/** Options for {@linkcode StoreBackedPolicy}. */
export interface StoreBackedPolicyOptions {
  /** One store per RBAC resource (all clusters). */
  stores: Record<RbacResource, Store>;
  /** Stops the watches when aborted (as {@linkcode StoreBackedPolicy.close}). */
  signal?: AbortSignal;
  logger?: Logger;
  /** Wait before restarting a watch that failed at once (ms, default 500). */
  retryDelayMs?: number;
}

interface Placed {
  cluster: string;
  namespace: string;
  name: string;
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** An {@linkcode RbacPolicySource} over the four RBAC stores. */
export class StoreBackedPolicy implements RbacPolicySource {
  readonly #opts: StoreBackedPolicyOptions;
  readonly #abort = new AbortController();
  readonly #clusters = new Map<string, ClusterPolicy>();
  /** Where each stored key was filed, per resource. */
  readonly #placed = new Map<RbacResource, Map<string, Placed>>();
  readonly #syncedResources = new Set<RbacResource>();
  readonly #ready = Promise.withResolvers<void>();
  #changed = Promise.withResolvers<void>();
  #loops: Promise<void>[] = [];
  #synced = false;

  constructor(opts: StoreBackedPolicyOptions) {
    this.#opts = opts;
    for (const r of RBAC_RESOURCES) this.#placed.set(r, new Map());
    const outer = opts.signal;
    if (outer) {
      if (outer.aborted) this.#abort.abort();
      else {
        outer.addEventListener("abort", () => this.#abort.abort(), {
          once: true,
        });
      }
    }
  }

  /** Starts the watches; resolves once every resource was loaded. */
  start(): Promise<void> {
    if (this.#loops.length === 0) {
      this.#loops = RBAC_RESOURCES.map((r) => this.#run(r));
    }
    return this.ready();
  }

  /** Stops the watches and waits for them to end. */
  async close(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled(this.#loops);
  }

  /** See {@linkcode RbacPolicySource.synced}. */
  get synced(): boolean {
    return this.#synced;
  }

  /** See {@linkcode RbacPolicySource.ready}; rejects if closed before that. */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Resolves after the next change is applied (for tests and callers that wait for a write to show). */
  changed(): Promise<void> {
    return this.#changed.promise;
  }

  /** See {@linkcode RbacPolicySource.policyFor}. */
  policyFor(cluster: string): ClusterPolicy | undefined {
    return this.#clusters.get(cluster);
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }

  #put(resource: RbacResource, key: string, obj: KubeObject): void {
    const cluster = clusterFromKey(key);
    if (cluster === undefined) return;
    const placed = this.#placed.get(resource)!;
    let policy = this.#clusters.get(cluster);
    if (!policy) this.#clusters.set(cluster, policy = new ClusterPolicy());
    policy.put(resource, obj);
    placed.set(key, {
      cluster,
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name ?? "",
    });
  }

  #remove(resource: RbacResource, key: string): void {
    const placed = this.#placed.get(resource)!;
    const p = placed.get(key);
    if (!p) return;
    placed.delete(key);
    const policy = this.#clusters.get(p.cluster);
    if (!policy) return;
    policy.remove(resource, p.namespace, p.name);
    if (policy.empty) this.#clusters.delete(p.cluster);
  }

  #markSynced(resource: RbacResource): void {
    this.#syncedResources.add(resource);
    if (!this.#synced && this.#syncedResources.size === RBAC_RESOURCES.length) {
      this.#synced = true;
      this.#ready.resolve();
    }
  }

  async #run(resource: RbacResource): Promise<void> {
    const signal = this.#abort.signal;
    const store = this.#opts.stores[resource];
    const prefix = resourcePrefix({ group: RBAC_GROUP, resource });
    const log = this.#opts.logger?.with({ component: "rbac", resource });
    let rv = "";
    while (!signal.aborted) {
      const fresh = rv === "";
      const seen = fresh ? new Set<string>() : undefined;
      let delivered = false;
      let initialDone = !fresh;
      try {
        const w = await store.watch(prefix, {
          recursive: true,
          resourceVersion: rv,
          sendInitialEvents: fresh,
          allowBookmarks: true,
          signal,
        });
        for await (const ev of w) {
          if (ev.type === "ERROR") {
            log?.info("rbac watch ended; reloading", {
              reason: ev.error.message,
            });
            rv = "";
            break;
          }
          delivered = true;
          const evRv = ev.object.metadata.resourceVersion;
          if (ev.type === "BOOKMARK") {
            if (evRv) rv = evRv;
            if (
              seen &&
              ev.object.metadata.annotations
                  ?.[INITIAL_EVENTS_END_ANNOTATION] ===
                "true"
            ) {
              for (const key of [...this.#placed.get(resource)!.keys()]) {
                if (!seen.has(key)) this.#remove(resource, key);
              }
              initialDone = true;
              this.#markSynced(resource);
              this.#notify();
            }
            continue;
          }
          if (evRv) rv = evRv;
          if (!ev.key) continue;
          if (ev.type === "DELETED") this.#remove(resource, ev.key);
          else {
            this.#put(resource, ev.key, ev.object);
            seen?.add(ev.key);
          }
          this.#notify();
        }
        // A watch that ended inside its initial state cannot be resumed.
        if (!initialDone) rv = "";
      } catch (e) {
        if (signal.aborted) break;
        log?.warn("rbac watch failed; retrying", { error: String(e) });
        rv = "";
      }
      if (!delivered && !signal.aborted) {
        await waitOrAbort(this.#opts.retryDelayMs ?? 500, signal);
      }
    }
    if (!this.#synced) {
      this.#ready.reject(new Error("the RBAC policy source was closed"));
      this.#ready.promise.catch(() => {});
    }
  }
}
