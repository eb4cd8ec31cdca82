/**
 * The RBAC policy of every cluster, read from storage and kept fresh: one
 * {@linkcode watchClusters} loop per RBAC resource across all clusters (the
 * stores passed in are meant to be the watch cache), each object filed into
 * its cluster's {@linkcode ClusterPolicy} by the cluster named in its
 * storage key. The loop loads the initial state from the watch's initial
 * events, restarts a failed watch (410 Expired, a closed backend) with a
 * fresh initial state and hands back objects not seen again as deleted.
 * Everything stops with the owner's signal or
 * {@linkcode StoreBackedPolicy.close}; no timer outlives it.
 *
 * @module
 */

import {
  type KubeObject,
  resourcePrefix,
  type Store,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import { watchClusters } from "../../watch_index/mod.ts";
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

/** An {@linkcode RbacPolicySource} over the four RBAC stores. */
export class StoreBackedPolicy implements RbacPolicySource {
  readonly #opts: StoreBackedPolicyOptions;
  readonly #abort = new AbortController();
  readonly #clusters = new Map<string, ClusterPolicy>();
  readonly #syncedResources = new Set<RbacResource>();
  readonly #ready = Promise.withResolvers<void>();
  #changed = Promise.withResolvers<void>();
  /** Waiters for the next change of one cluster (see `changedIn`). */
  readonly #clusterWaiters = new Map<string, PromiseWithResolvers<void>>();
  #loops: Promise<void>[] = [];
  #synced = false;

  constructor(opts: StoreBackedPolicyOptions) {
    this.#opts = opts;
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

  /**
   * Resolves after the next change applied to `cluster`'s policy: a caller
   * waiting for one cluster's objects is not woken by every other cluster's
   * writes (32 clusters bootstrapping at once write ~1,200 RBAC objects).
   */
  changedIn(cluster: string): Promise<void> {
    let w = this.#clusterWaiters.get(cluster);
    if (!w) this.#clusterWaiters.set(cluster, w = Promise.withResolvers());
    return w.promise;
  }

  #notifyCluster(cluster: string): void {
    const w = this.#clusterWaiters.get(cluster);
    if (!w) return;
    this.#clusterWaiters.delete(cluster);
    w.resolve();
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }

  #put(resource: RbacResource, cluster: string, obj: KubeObject): void {
    let policy = this.#clusters.get(cluster);
    if (!policy) this.#clusters.set(cluster, policy = new ClusterPolicy());
    policy.put(resource, obj);
    this.#notifyCluster(cluster);
  }

  #remove(resource: RbacResource, cluster: string, last: KubeObject): void {
    const policy = this.#clusters.get(cluster);
    if (!policy) return;
    policy.remove(
      resource,
      last.metadata.namespace ?? "",
      last.metadata.name ?? "",
    );
    if (policy.empty) this.#clusters.delete(cluster);
    this.#notifyCluster(cluster);
  }

  #markSynced(resource: RbacResource): void {
    this.#syncedResources.add(resource);
    if (!this.#synced && this.#syncedResources.size === RBAC_RESOURCES.length) {
      this.#synced = true;
      this.#ready.resolve();
    }
  }

  async #run(resource: RbacResource): Promise<void> {
    await watchClusters({
      store: this.#opts.stores[resource],
      prefix: resourcePrefix({ group: RBAC_GROUP, resource }),
      signal: this.#abort.signal,
      name: "rbac",
      logger: this.#opts.logger?.with({ component: "rbac", resource }),
      retryDelayMs: this.#opts.retryDelayMs,
      onPut: (cluster, _key, obj) => this.#put(resource, cluster, obj),
      onDelete: (cluster, _key, last) => this.#remove(resource, cluster, last),
      onSynced: () => this.#markSynced(resource),
      onApplied: () => this.#notify(),
    });
    if (!this.#synced) {
      this.#ready.reject(new Error("the RBAC policy source was closed"));
      this.#ready.promise.catch(() => {});
    }
  }
}
