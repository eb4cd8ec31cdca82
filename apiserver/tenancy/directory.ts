/**
 * Which virtual clusters exist, for the request path: the `VirtualCluster`
 * objects as the lifecycle controller last saw them, plus a consistent read
 * on a miss (a cluster created a moment ago is served at once). In
 * `declared` mode (the default) a path naming any other cluster is 404
 * `cluster "x" not found`; in `implicit` mode (today's behaviour, kept for
 * those who want it) the first request of a user creates the
 * `VirtualCluster`. `root` always exists. A cluster being torn down answers
 * 404 as well, so nothing is written into it while its data is removed.
 *
 * @module
 */

import {
  isStorageError,
  type KubeObject,
  objectKey,
  type Store,
} from "../../storage/mod.ts";
import type { UserInfo } from "../request_context.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { prepareCreate } from "../handlers/strategy.ts";
import { withTypeMeta } from "../handlers/context.ts";
import {
  clusterNotFoundError,
  clusterTerminatingError,
  ROOT_CLUSTER,
  TENANCY_GROUP,
  VIRTUAL_CLUSTERS,
  type VirtualCluster,
} from "./types.ts";

/** `--virtual-clusters`: how a path naming an unknown cluster is treated. */
export type VirtualClustersMode = "declared" | "implicit";

/** The modes `--virtual-clusters` accepts. */
export const VIRTUAL_CLUSTERS_MODES: readonly VirtualClustersMode[] = [
  "declared",
  "implicit",
];

/** Annotation on a `VirtualCluster` created by a request (implicit mode). */
export const IMPLICIT_ANNOTATION = "tenancy.hyperplane.dev/created-by";

/** Options for {@linkcode ClusterDirectory}. */
export interface ClusterDirectoryOptions {
  mode: VirtualClustersMode;
  /** The `virtualclusters` store. */
  store: Store;
  /** The `virtualclusters` definition (implicit creation). */
  def: ResourceDefinition;
  /** Bootstraps a cluster (system namespaces, RBAC); idempotent, cached. */
  bootstrap(cluster: string): Promise<void>;
  now(): Date;
}

/** The key of the `VirtualCluster` object of `cluster`. */
export function virtualClusterKey(cluster: string): string {
  return objectKey({
    group: TENANCY_GROUP,
    resource: VIRTUAL_CLUSTERS,
    cluster: ROOT_CLUSTER,
    name: cluster,
  });
}

/** True for the identities of the built-in controllers. */
function isController(user: UserInfo): boolean {
  return user.username.startsWith("system:controller:") ||
    user.username === "system:kube-controller-manager";
}

/** See the module doc. */
export class ClusterDirectory {
  readonly mode: VirtualClustersMode;
  readonly #opts: ClusterDirectoryOptions;
  readonly #clusters = new Map<string, VirtualCluster>();
  #adopting?: Promise<unknown>;

  constructor(opts: ClusterDirectoryOptions) {
    this.mode = opts.mode;
    this.#opts = opts;
  }

  /** Records the latest state of a `VirtualCluster` (from the watch). */
  observe(vc: KubeObject): void {
    const name = vc.metadata.name;
    if (name) this.#clusters.set(name, vc as VirtualCluster);
  }

  /** Forgets a deleted `VirtualCluster`. */
  forget(cluster: string): void {
    this.#clusters.delete(cluster);
  }

  /** The `VirtualCluster` of `cluster` as last seen. */
  get(cluster: string): VirtualCluster | undefined {
    return this.#clusters.get(cluster);
  }

  /**
   * Adoption of clusters found in storage runs after start, off the
   * readiness path: until it settles, a request naming an unknown cluster
   * waits for it before it is refused.
   */
  adopting(p: Promise<unknown>): void {
    const settled = p.catch(() => {});
    this.#adopting = settled;
    settled.then(() => {
      if (this.#adopting === settled) this.#adopting = undefined;
    });
  }

  /** How many clusters are declared (root not counted). */
  get size(): number {
    return this.#clusters.size;
  }

  /**
   * Resolves once `cluster` may serve `user`'s request (bootstrapped);
   * throws a 404 `ApiError` when it does not exist or is being deleted.
   */
  async admit(cluster: string, user: UserInfo): Promise<void> {
    if (cluster === ROOT_CLUSTER) return await this.#opts.bootstrap(cluster);
    let vc = this.#clusters.get(cluster) ?? await this.#read(cluster);
    if (!vc && this.#adopting) {
      await this.#adopting;
      vc = this.#clusters.get(cluster) ?? await this.#read(cluster);
    }
    if (!vc) {
      // Controllers act on existing clusters: a late write of theirs into a
      // deleted cluster must not bring it back.
      if (this.mode === "declared" || isController(user)) {
        throw clusterNotFoundError(cluster);
      }
      vc = await this.#createImplicitly(cluster, user);
    }
    if (vc.metadata.deletionTimestamp) throw clusterTerminatingError(cluster);
    await this.#opts.bootstrap(cluster);
  }

  async #read(cluster: string): Promise<VirtualCluster | undefined> {
    try {
      return await this.#opts.store.get(
        virtualClusterKey(cluster),
      ) as VirtualCluster;
    } catch (e) {
      if (isStorageError(e, "NotFound")) return undefined;
      throw e;
    }
  }

  async #createImplicitly(
    cluster: string,
    user: UserInfo,
  ): Promise<VirtualCluster> {
    const def = this.#opts.def;
    const obj = prepareCreate(
      def,
      withTypeMeta(def, {
        metadata: {
          name: cluster,
          annotations: { [IMPLICIT_ANNOTATION]: user.username },
        },
      }),
      this.#opts.now(),
    );
    try {
      return await this.#opts.store.create(
        virtualClusterKey(cluster),
        obj,
      ) as VirtualCluster;
    } catch (e) {
      if (!isStorageError(e, "KeyExists")) throw e;
      const now = await this.#read(cluster);
      if (!now) throw clusterNotFoundError(cluster);
      return now;
    }
  }
}
