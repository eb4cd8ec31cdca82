/**
 * The virtual cluster lifecycle controller. It runs inside the API server
 * (as the CRD controller does) rather than in the controller manager,
 * because teardown deletes by key prefix in the backend (`Store.deletePrefix`),
 * which no API client can do — and a `hyperplane controller-manager` in
 * another process only has the API. It watches the `VirtualCluster`
 * objects of `root` and
 *
 * - keeps the {@linkcode ClusterDirectory} current (which paths are served);
 * - brings a new cluster up: bootstrap (system namespaces with their
 *   `kube-root-ca.crt` and default ServiceAccount, RBAC policy), the
 *   `spec.admins` binding, then `status` `Ready` with the path and
 *   object count;
 * - on deletion: `Terminating` (requests get 404 from then on), removes
 *   every key of the cluster in bulk (`teardown.ts`), then drops the
 *   finalizer and the object. A restart during teardown finds the object
 *   still marked and runs the (idempotent) teardown again;
 * - refreshes `status.objects` of clusters written to since (never a scan
 *   of all clusters).
 *
 * @module
 */

import {
  isStorageError,
  resourcePrefix,
  type Store,
} from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { sleep } from "../../internal/sleep.ts";
import { rfc3339 } from "../handlers/strategy.ts";
import { watchClusters } from "../watch_index/mod.ts";
import { finalizeAndDelete } from "../crd/mod.ts";
import type { AdminsBinding } from "./admins.ts";
import { type ClusterDirectory, virtualClusterKey } from "./directory.ts";
import type { ClusterObjectCounts } from "./object_counts.ts";
import type { TeardownResult } from "./teardown.ts";
import {
  clusterPath,
  ROOT_CLUSTER,
  TEARDOWN_FINALIZER,
  TENANCY_GROUP,
  VIRTUAL_CLUSTERS,
  type VirtualCluster,
} from "./types.ts";

/** Options for {@linkcode VirtualClusterLifecycle}. */
export interface LifecycleOptions {
  /** The `virtualclusters` store. */
  store: Store;
  directory: ClusterDirectory;
  /** Bootstraps a cluster (cached); `forget` drops it, after a running one. */
  bootstrap: {
    ensure(cluster: string): Promise<void>;
    forget(cluster: string): Promise<void>;
  };
  admins: AdminsBinding;
  /** Removes every key of `cluster`. */
  teardown(cluster: string): Promise<TeardownResult>;
  counts: ClusterObjectCounts;
  logger: Logger;
  now(): Date;
  /** Clusters reconciled at once (default 8: more in flight measured more CPU and RSS per cluster, no faster creation). */
  workers?: number;
  /** How often `status.objects` of changed clusters is refreshed (ms, 10 s). */
  statusRefreshMs?: number;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

function readyCondition(vc: VirtualCluster): Condition | undefined {
  return vc.status?.conditions?.find((c) => c.type === "Ready") as
    | Condition
    | undefined;
}

/** See the module doc. */
export class VirtualClusterLifecycle {
  readonly #o: LifecycleOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #queue = new Set<string>();
  readonly #running = new Set<string>();
  #wake = Promise.withResolvers<void>();
  #idle = Promise.withResolvers<void>();
  #tasks: Promise<void>[] = [];

  constructor(opts: LifecycleOptions) {
    this.#o = opts;
    this.#log = opts.logger.with({ component: "virtualclusters" });
  }

  /**
   * Starts the controller; resolves once every stored `VirtualCluster` is
   * known to the directory (rejects when the first watch fails).
   */
  start(): Promise<void> {
    const synced = Promise.withResolvers<void>();
    const signal = this.#abort.signal;
    this.#tasks.push(this.#watchLoop(synced));
    for (let i = 0; i < (this.#o.workers ?? 8); i++) {
      this.#tasks.push(this.#worker(signal));
    }
    this.#tasks.push(this.#refreshLoop(signal));
    return synced.promise;
  }

  /** Stops; a teardown under way stops between resources (resumed later). */
  async close(): Promise<void> {
    this.#abort.abort();
    this.#wake.resolve();
    await Promise.allSettled(this.#tasks);
  }

  /** Resolves when no reconcile is queued or running (tests, benches). */
  async idle(): Promise<void> {
    while (this.#queue.size || this.#running.size) {
      await this.#idle.promise;
    }
  }

  /** Queues `name` for a reconcile. */
  enqueue(name: string): void {
    this.#queue.add(name);
    this.#wake.resolve();
  }

  /**
   * Follows the `VirtualCluster`s of `root` ({@linkcode watchClusters}: a
   * re-list after a watch outage hands back those deleted meanwhile).
   */
  async #watchLoop(synced: PromiseWithResolvers<void>): Promise<void> {
    let first = true;
    try {
      await watchClusters({
        store: this.#o.store,
        prefix: `${
          resourcePrefix({ group: TENANCY_GROUP, resource: VIRTUAL_CLUSTERS })
        }clusters/${ROOT_CLUSTER}/`,
        signal: this.#abort.signal,
        name: "virtual cluster",
        logger: this.#log,
        retryDelayMs: 1000,
        failFast: true,
        onPut: (_cluster, _key, vc, initial) => {
          this.#o.directory.observe(vc);
          if (!initial || this.#needsWork(vc as VirtualCluster)) {
            this.enqueue(vc.metadata.name ?? "");
          }
        },
        onDelete: (_cluster, _key, last) => {
          const name = last.metadata.name ?? "";
          this.#o.directory.forget(name);
          this.#o.counts.forget(name);
        },
        onSynced: () => {
          if (first) synced.resolve();
          first = false;
        },
      });
    } catch (e) {
      synced.reject(e);
      return;
    }
    if (first) synced.resolve();
  }

  /** False for a Ready cluster whose spec was already acted on. */
  #needsWork(vc: VirtualCluster): boolean {
    if (vc.metadata.deletionTimestamp) return true;
    return vc.status?.phase !== "Ready" ||
      readyCondition(vc)?.observedGeneration !== vc.metadata.generation;
  }

  async #worker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let name: string | undefined;
      for (const n of this.#queue) {
        if (!this.#running.has(n)) {
          name = n;
          break;
        }
      }
      if (name === undefined) {
        if (this.#running.size === 0 && this.#queue.size === 0) {
          const idle = this.#idle;
          this.#idle = Promise.withResolvers();
          idle.resolve();
        }
        const wake = this.#wake;
        await wake.promise;
        if (this.#wake === wake) this.#wake = Promise.withResolvers();
        continue;
      }
      this.#queue.delete(name);
      this.#running.add(name);
      try {
        await this.#reconcile(name, signal);
      } catch (e) {
        if (signal.aborted) break;
        this.#log.warn("virtual cluster reconcile failed; retrying", {
          cluster: name,
          error: e,
        });
        sleep(1000, signal).then(() => {
          if (!signal.aborted) this.enqueue(name);
        });
      } finally {
        this.#running.delete(name);
        this.#wake.resolve();
      }
    }
  }

  async #reconcile(name: string, signal: AbortSignal): Promise<void> {
    const vc = this.#o.directory.get(name);
    if (!vc || !this.#needsWork(vc)) return;
    if (vc.metadata.deletionTimestamp) {
      return await this.#terminate(name, vc, signal);
    }
    await this.#o.bootstrap.ensure(name);
    await this.#o.admins.sync(name, vc.spec?.admins ?? []);
    const { objects } = await this.#o.counts.count(name);
    const generation = vc.metadata.generation;
    await this.#updateStatus(vc, (status) => {
      const was = readyCondition(vc);
      return {
        ...status,
        phase: "Ready",
        path: clusterPath(name),
        objects,
        conditions: [{
          type: "Ready",
          status: "True",
          reason: "Bootstrapped",
          message: "the cluster serves requests",
          lastTransitionTime: was?.status === "True"
            ? was.lastTransitionTime
            : rfc3339(this.#o.now()),
          observedGeneration: generation,
        }],
      };
    });
  }

  async #terminate(
    name: string,
    vc: VirtualCluster,
    signal: AbortSignal,
  ): Promise<void> {
    const finalizers = vc.metadata.finalizers ?? [];
    if (finalizers.includes(TEARDOWN_FINALIZER)) {
      if (vc.status?.phase !== "Terminating") {
        await this.#updateStatus(vc, (status) => ({
          ...status,
          phase: "Terminating",
          conditions: [{
            type: "Ready",
            status: "False",
            reason: "Terminating",
            message: "the cluster's data is being removed",
            lastTransitionTime: rfc3339(this.#o.now()),
            observedGeneration: vc.metadata.generation,
          }],
        }));
      }
      // Nothing may re-create what is removed: no more bootstrap (nor its
      // re-creation of deleted system namespaces) for this cluster.
      await this.#o.bootstrap.forget(name);
      if (signal.aborted) return;
      const started = performance.now();
      const r = await this.#o.teardown(name);
      this.#o.counts.forget(name);
      this.#log.info("virtual cluster data removed", {
        cluster: name,
        keys: r.deleted,
        resources: r.resources,
        ms: Math.round(performance.now() - started),
      });
    }
    await this.#finish(vc);
  }

  /** Drops the finalizer; deletes the object once none is left. */
  async #finish(vc: VirtualCluster): Promise<void> {
    await finalizeAndDelete(
      this.#o.store,
      virtualClusterKey(vc.metadata.name ?? ""),
      { finalizer: TEARDOWN_FINALIZER, uid: vc.metadata.uid },
    );
  }

  async #updateStatus(
    vc: VirtualCluster,
    change: (
      status: NonNullable<VirtualCluster["status"]>,
    ) => NonNullable<VirtualCluster["status"]>,
  ): Promise<void> {
    try {
      await this.#o.store.guaranteedUpdate(
        virtualClusterKey(vc.metadata.name ?? ""),
        {
          preconditions: { uid: vc.metadata.uid },
          tryUpdate: (cur) => {
            const next = structuredClone(cur!) as VirtualCluster;
            next.status = change(next.status ?? {});
            return next;
          },
        },
      );
    } catch (e) {
      // Gone, or replaced by a new object of the same name (UID precondition).
      if (isStorageError(e, "NotFound") || isStorageError(e, "InvalidObject")) {
        return;
      }
      throw e;
    }
  }

  async #refreshLoop(signal: AbortSignal): Promise<void> {
    const every = this.#o.statusRefreshMs ?? 10_000;
    while (!signal.aborted) {
      await sleep(every, signal);
      for (const name of this.#o.counts.takeDirty()) {
        if (signal.aborted) return;
        const vc = this.#o.directory.get(name);
        if (!vc || vc.status?.phase !== "Ready") continue;
        try {
          const { objects } = await this.#o.counts.count(name);
          if (objects === vc.status.objects) continue;
          await this.#updateStatus(vc, (s) => ({ ...s, objects }));
        } catch (e) {
          this.#log.warn("virtual cluster status refresh failed", {
            cluster: name,
            error: e,
          });
        }
      }
    }
  }
}
