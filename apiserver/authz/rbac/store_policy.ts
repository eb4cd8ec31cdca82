/**
 * The RBAC policy of every cluster, read from storage and kept fresh, each
 * cluster's index built on its first use ({@linkcode StoreBackedPolicy.ensure})
 * rather than at start: with 10,000 clusters, decoding and indexing every
 * cluster's copy of the bootstrap policy was the largest part of the API
 * server's start, and an idle cluster's index is memory nobody reads.
 *
 * One watch per RBAC resource across all clusters (the stores passed in are
 * meant to be the watch cache), from the revision current at its start — no
 * initial state. A cluster is loaded with one consistent list per resource of
 * its own keys once every watch runs; each resource's list revision becomes
 * the cluster's floor for that resource: watch events at or below it are
 * already in the list (dropped), later ones are applied — those that arrive
 * while the lists are read are buffered and applied after them. A watch that
 * fails (410 Expired, a closed backend) leaves a gap: every loaded cluster is
 * forgotten (loaded again on its next use, once the watch runs again) and
 * loads under way start over. Everything stops with the owner's signal or
 * {@linkcode StoreBackedPolicy.close}; no timer outlives it.
 *
 * @module
 */

import {
  clusterFromKey,
  clusterPrefix,
  type KubeObject,
  resourcePrefix,
  type Store,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import { sleep } from "../../../internal/sleep.ts";
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

/** A loaded cluster: its index, and per resource the revision it was listed at. */
interface Loaded {
  policy: ClusterPolicy;
  floor: Record<RbacResource, number>;
}

/** A change that arrived while its cluster was being listed. */
interface Buffered {
  resource: RbacResource;
  deleted: boolean;
  object: KubeObject;
  rv: number;
}

/** An {@linkcode RbacPolicySource} over the four RBAC stores. */
export class StoreBackedPolicy implements RbacPolicySource {
  readonly #opts: StoreBackedPolicyOptions;
  readonly #abort = new AbortController();
  readonly #clusters = new Map<string, Loaded>();
  readonly #loading = new Map<
    string,
    { buffered: Buffered[]; done: Promise<void> }
  >();
  /** Resources whose watch runs without a gap since the last reset. */
  readonly #watching = new Set<RbacResource>();
  #allWatching = Promise.withResolvers<void>();
  /** Bumped by every reset: a load listed before it is void. */
  #epoch = 0;
  readonly #ready = Promise.withResolvers<void>();
  #changed = Promise.withResolvers<void>();
  /** Waiters for the next change of one cluster (see `changedIn`). */
  readonly #clusterWaiters = new Map<string, PromiseWithResolvers<void>>();
  #loops: Promise<void>[] = [];
  #synced = false;

  constructor(opts: StoreBackedPolicyOptions) {
    this.#opts = opts;
    this.#ready.promise.catch(() => {});
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

  /** Starts the watches; resolves once all of them run. */
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
    await Promise.allSettled([...this.#loading.values()].map((l) => l.done));
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

  /**
   * Resolves after the next change applied to `cluster`'s loaded policy: a
   * caller waiting for one cluster's objects is not woken by every other
   * cluster's writes (32 clusters bootstrapping at once write ~1,200 RBAC
   * objects).
   */
  changedIn(cluster: string): Promise<void> {
    let w = this.#clusterWaiters.get(cluster);
    if (!w) this.#clusterWaiters.set(cluster, w = Promise.withResolvers());
    return w.promise;
  }

  /** See {@linkcode RbacPolicySource.policyFor} (loaded clusters only). */
  policyFor(cluster: string): ClusterPolicy | undefined {
    return this.#clusters.get(cluster)?.policy;
  }

  /**
   * Whether `cluster` is loaded or being loaded: its index then learns new
   * objects from the watches (a little later), where a cluster loaded after
   * a write lists it.
   */
  tracks(cluster: string): boolean {
    return this.#clusters.has(cluster) || this.#loading.has(cluster);
  }

  /** See {@linkcode RbacPolicySource.ensure}. */
  ensure(cluster: string): Promise<void> | undefined {
    if (this.#clusters.has(cluster)) return undefined;
    let loading = this.#loading.get(cluster);
    if (!loading) {
      const buffered: Buffered[] = [];
      const done = this.#load(cluster, buffered).finally(() =>
        this.#loading.delete(cluster)
      );
      loading = { buffered, done };
      this.#loading.set(cluster, loading);
    }
    return loading.done;
  }

  /** Lists `cluster`'s RBAC objects and files it as loaded. */
  async #load(cluster: string, buffered: Buffered[]): Promise<void> {
    const signal = this.#abort.signal;
    for (;;) {
      if (signal.aborted) throw new Error("the RBAC policy source was closed");
      await this.#allWatching.promise;
      const epoch = this.#epoch;
      const policy = new ClusterPolicy();
      const floor = {} as Record<RbacResource, number>;
      await Promise.all(RBAC_RESOURCES.map(async (resource) => {
        const list = await this.#opts.stores[resource].list(
          clusterPrefix({ group: RBAC_GROUP, resource, cluster }),
          { recursive: true },
        );
        floor[resource] = Number(list.resourceVersion);
        for (const o of list.items) policy.put(resource, o);
      }));
      // A watch gap while listing: the floors may not meet the new watch.
      if (epoch !== this.#epoch) continue;
      for (const b of buffered) {
        if (b.rv > floor[b.resource]) applyTo(policy, b.resource, b);
      }
      // A cluster holding no RBAC object (a name nobody created, met by
      // the impersonation check before the cluster's admission) is not
      // kept: each such name would stay in memory for good. It is listed
      // again on its next use, as a cluster emptied by deletes is.
      if (!policy.empty) this.#clusters.set(cluster, { policy, floor });
      this.#notifyCluster(cluster);
      this.#notify();
      return;
    }
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }

  #notifyCluster(cluster: string): void {
    const w = this.#clusterWaiters.get(cluster);
    if (!w) return;
    this.#clusterWaiters.delete(cluster);
    w.resolve();
  }

  /** One watch event of `resource`. */
  #apply(resource: RbacResource, key: string, change: Buffered): void {
    const cluster = clusterFromKey(key);
    if (cluster === undefined) return;
    const loaded = this.#clusters.get(cluster);
    if (loaded) {
      if (change.rv <= loaded.floor[resource]) return;
      applyTo(loaded.policy, resource, change);
      // An emptied cluster (deleted) is loaded again if it is used again.
      if (loaded.policy.empty) this.#clusters.delete(cluster);
      this.#notifyCluster(cluster);
      this.#notify();
      return;
    }
    const loading = this.#loading.get(cluster);
    if (loading) loading.buffered.push(change);
    // Not loaded (e.g. listed empty): a waiter loads it again.
    else this.#notifyCluster(cluster);
  }

  #watchRuns(resource: RbacResource): void {
    this.#watching.add(resource);
    if (this.#watching.size < RBAC_RESOURCES.length) return;
    this.#allWatching.resolve();
    if (!this.#synced) {
      this.#synced = true;
      this.#ready.resolve();
    }
  }

  /** A watch of `resource` has a gap: forget every loaded cluster. */
  #reset(resource: RbacResource): void {
    this.#epoch++;
    this.#clusters.clear();
    const wasAll = this.#watching.size === RBAC_RESOURCES.length;
    this.#watching.delete(resource);
    if (wasAll) this.#allWatching = Promise.withResolvers();
    this.#notify();
  }

  async #run(resource: RbacResource): Promise<void> {
    const { stores, retryDelayMs } = this.#opts;
    const store = stores[resource];
    const signal = this.#abort.signal;
    const log = this.#opts.logger?.with({ component: "rbac", resource });
    const prefix = resourcePrefix({ group: RBAC_GROUP, resource });
    /** The revision to resume from; `""`: from the current one (a gap). */
    let rv = "";
    while (!signal.aborted) {
      let delivered = false;
      try {
        if (rv === "") rv = String(await store.currentRevision());
        const w = await store.watch(prefix, {
          recursive: true,
          resourceVersion: rv,
          allowBookmarks: true,
          signal,
        });
        this.#watchRuns(resource);
        for await (const ev of w) {
          delivered = true;
          if (ev.type === "ERROR") {
            log?.info("rbac watch ended; reloading", {
              reason: ev.error.message,
            });
            rv = "";
            this.#reset(resource);
            break;
          }
          const evRv = ev.object.metadata.resourceVersion;
          if (evRv) rv = evRv;
          if (ev.type === "BOOKMARK" || !ev.key) continue;
          this.#apply(resource, ev.key, {
            resource,
            deleted: ev.type === "DELETED",
            object: ev.object,
            rv: Number(evRv),
          });
        }
      } catch (e) {
        if (signal.aborted) break;
        log?.warn("rbac watch failed; retrying", { error: String(e) });
        rv = "";
        this.#reset(resource);
      }
      if (!delivered && !signal.aborted) {
        await sleep(retryDelayMs ?? 500, signal);
      }
    }
    if (!this.#synced) {
      this.#ready.reject(new Error("the RBAC policy source was closed"));
    }
  }
}

function applyTo(
  policy: ClusterPolicy,
  resource: RbacResource,
  change: Buffered,
): void {
  const o = change.object;
  if (change.deleted) {
    policy.remove(resource, o.metadata.namespace ?? "", o.metadata.name ?? "");
  } else {
    policy.put(resource, o);
  }
}
