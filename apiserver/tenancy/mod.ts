/**
 * Virtual clusters as objects (`tenancy.hyperplane.dev/v1alpha1`
 * `VirtualCluster`, served in `root` only): which clusters exist and are
 * served (`directory.ts`, the `--virtual-clusters` mode), their lifecycle
 * (`lifecycle.ts`: bootstrap, admins, status, bulk teardown), adoption of
 * clusters found in storage (`adoption.ts`) and `spec.limits` at admission
 * (`limits.ts`). {@linkcode setupTenancy} assembles them for the server.
 *
 * @module
 */

import type { ResourceRef, Store, StoreFactory } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import type { ValidatingAdmission } from "../admission/admission.ts";
import type { ClusterRegistries } from "../resources/registry.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { RBAC_GROUP, RBAC_RESOURCES } from "../authz/rbac/mod.ts";
import { AdminsBinding } from "./admins.ts";
import { adoptClusters } from "./adoption.ts";
import { ClusterDirectory, type VirtualClustersMode } from "./directory.ts";
import { clusterLimits } from "./limits.ts";
import { VirtualClusterLifecycle } from "./lifecycle.ts";
import { ClusterObjectCounts } from "./object_counts.ts";
import { removeClusterData } from "./teardown.ts";
import { ROOT_CLUSTER } from "./types.ts";
import { virtualClusters } from "./virtualclusters.ts";

export * from "./types.ts";
export {
  ClusterDirectory,
  IMPLICIT_ANNOTATION,
  VIRTUAL_CLUSTERS_MODES,
  virtualClusterKey,
  type VirtualClustersMode,
} from "./directory.ts";
export { adoptClusters, ADOPTED_ANNOTATION } from "./adoption.ts";
export { removeClusterData, type TeardownResult } from "./teardown.ts";
export { virtualClusters } from "./virtualclusters.ts";
export { VirtualClusterLifecycle } from "./lifecycle.ts";
export { ClusterObjectCounts } from "./object_counts.ts";
export { clusterLimits } from "./limits.ts";

/** The owner under which `root` serves the kind (never a CRD's name). */
const REGISTRY_OWNER = "hyperplane:tenancy";

/** What {@linkcode setupTenancy} needs from the server. */
export interface TenancyOptions {
  mode: VirtualClustersMode;
  /** The backend's stores (bulk deletes go here). */
  storage: Pick<StoreFactory, "storeFor">;
  registries: ClusterRegistries;
  /** The server's store of a served kind (the watch cache). */
  storeFor(def: ResourceDefinition): Store;
  bootstrap: {
    ensure(cluster: string): Promise<void>;
    forget(cluster: string): Promise<void>;
  };
  namespaces: ResourceDefinition;
  clusterRoleBindings: ResourceDefinition;
  logger: Logger;
  now(): Date;
  /** Clusters reconciled at once (default 8: more in flight measured more CPU and RSS per cluster, no faster creation). */
  workers?: number;
}

/** Virtual clusters, assembled. */
export interface Tenancy {
  directory: ClusterDirectory;
  lifecycle: VirtualClusterLifecycle;
  /** The `spec.limits` admission plugin. */
  admission: ValidatingAdmission;
  /** Serves the kind in `root` and loads every `VirtualCluster`. */
  start(): Promise<void>;
  /**
   * After `start`: adopts the clusters found in storage without a
   * `VirtualCluster`, in the background (`adoption` settles when done; a
   * request naming a cluster the directory does not know waits for it). It
   * reads every cluster's namespaces (the namespaces watch cache's fill:
   * 40,000 at 10,000 clusters), so the server starts it once the rest of
   * its start is done, not beside it.
   */
  adopt(): void;
  /** The adoption started by `adopt` (resolves, failures are logged). */
  adoption?: Promise<void>;
  close(): Promise<void>;
}

function refOf(def: ResourceDefinition): ResourceRef {
  return { group: def.group, resource: def.plural };
}

function storedRefs(defs: readonly ResourceDefinition[]): ResourceRef[] {
  const seen = new Set<string>();
  const out: ResourceRef[] = [];
  for (const d of defs) {
    if (d.storedAs) continue;
    const id = `${d.group}/${d.plural}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(refOf(d));
  }
  return out;
}

/** Assembles virtual clusters for the API server. */
export function setupTenancy(opts: TenancyOptions): Tenancy {
  const store = opts.storeFor(virtualClusters);
  const directory = new ClusterDirectory({
    mode: opts.mode,
    store,
    def: virtualClusters,
    bootstrap: (c) => opts.bootstrap.ensure(c),
    now: opts.now,
  });
  const counts = new ClusterObjectCounts({
    resources: (c) => storedRefs(opts.registries.forCluster(c).all()),
    storeFor: (ref) => opts.storage.storeFor(ref),
  });
  // Every built-in resource, and the RBAC stores even when not served.
  const builtins = [
    ...storedRefs(opts.registries.builtins.all()),
    ...RBAC_RESOURCES.map((resource) => ({ group: RBAC_GROUP, resource })),
  ];
  const lifecycle = new VirtualClusterLifecycle({
    store,
    directory,
    bootstrap: opts.bootstrap,
    admins: new AdminsBinding(
      opts.clusterRoleBindings,
      opts.storeFor(opts.clusterRoleBindings),
      opts.now,
    ),
    teardown: (c) => removeClusterData(opts.storage, builtins, c),
    counts,
    logger: opts.logger,
    now: opts.now,
    workers: opts.workers,
  });
  const stopping = new AbortController();
  return {
    directory,
    lifecycle,
    admission: clusterLimits(
      (c) => directory.get(c)?.spec?.limits,
      counts,
    ),
    async start() {
      opts.registries.set(ROOT_CLUSTER, REGISTRY_OWNER, [virtualClusters]);
      const started = performance.now();
      await lifecycle.start();
      opts.logger.info("virtual clusters loaded", {
        mode: opts.mode,
        clusters: directory.size,
        loadMs: Math.round(performance.now() - started),
      });
    },
    adopt() {
      if (this.adoption) return;
      const started = performance.now();
      const adopting = adoptClusters({
        namespaces: opts.storeFor(opts.namespaces),
        store,
        def: virtualClusters,
        known: (c) => directory.get(c) !== undefined,
        now: opts.now,
        signal: stopping.signal,
      }).then((adopted) => {
        if (adopted.length) {
          opts.logger.info("adopted virtual clusters found in storage", {
            count: adopted.length,
            clusters: adopted.slice(0, 20).join(","),
            ms: Math.round(performance.now() - started),
          });
        }
      }, (err) => {
        if (!stopping.signal.aborted) {
          opts.logger.warn("adopting virtual clusters failed", { err });
        }
      });
      directory.adopting(adopting);
      this.adoption = adopting;
    },
    async close() {
      stopping.abort();
      await this.adoption;
      await lifecycle.close();
    },
  };
}
