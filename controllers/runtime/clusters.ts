/**
 * Which virtual clusters the controllers act on, learned from one
 * cross-cluster namespaces informer (`/clusters/*` list + watch): a cluster
 * exists while it has a namespace (the API bootstraps a cluster's system
 * namespaces when it is created, and a cluster's deletion removes them with
 * the rest of its data). Objects from cross-cluster answers name their
 * cluster in the `hyperplane.dev/cluster` annotation.
 *
 * A cluster is gone once its last namespace is: a DELETED event, or a
 * re-list of the informer that no longer has it (the informer reports each
 * key missing from the new list as a delete). Listeners learn both
 * (`onCluster`, `onClusterGone`), so controllers drop what they keep per
 * cluster; a cluster created again with the same name is announced again.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  ALL_CLUSTERS,
  CLUSTER_ANNOTATION,
  clusterOf,
  CORE,
  withoutClusterAnnotation,
} from "../client/mod.ts";
import type { Informer } from "./informer.ts";
import type { InformerFactory, InformerSpec } from "./informer_factory.ts";
import { withoutManagedFields } from "./partial_metadata.ts";

export {
  ALL_CLUSTERS,
  CLUSTER_ANNOTATION,
  clusterOf,
  withoutClusterAnnotation,
};

/**
 * The cross-cluster namespaces informer every built-in controller shares
 * (ask the factory for this spec to get it): whole namespaces without
 * `managedFields`, which none of them reads (one copy per namespace of every
 * cluster); it feeds the metadata informer of namespaces too. Resynced
 * every 5 minutes, the namespace controller's safety net.
 */
export const NAMESPACES_INFORMER: InformerSpec = Object.freeze({
  target: { cluster: ALL_CLUSTERS, resource: CORE.namespaces },
  resyncMs: 5 * 60_000,
  transform: {
    name: "without-managed-fields",
    apply: withoutManagedFields,
    keepsMetadata: true,
  },
});

/**
 * Called with a cluster's name: when it appears (`onCluster`: first seen,
 * or seen again after it was gone) or disappears (`onClusterGone`).
 */
export type ClusterListener = (cluster: string) => void;

/** See the module doc. */
export class ClusterTracker {
  /** The cross-cluster namespaces informer (shared with the controllers). */
  readonly namespaces: Informer;
  #only?: ReadonlySet<string>;
  /**
   * Per known cluster, the names of its namespaces. Names rather than a
   * count: adds and deletes stay exact even for a delete of a namespace
   * never seen as added.
   */
  #known = new Map<string, Set<string>>();
  #listeners: ClusterListener[] = [];
  #goneListeners: ClusterListener[] = [];

  /**
   * Tracks the clusters seen by the cross-cluster namespaces informer.
   *
   * @param informers where the namespaces informer comes from
   * @param only the clusters to act on (`undefined`: every cluster)
   */
  constructor(informers: InformerFactory, only?: readonly string[]) {
    this.#only = only ? new Set(only) : undefined;
    this.namespaces = informers.informer(NAMESPACES_INFORMER);
    this.namespaces.addHandler({
      onAdd: (ns) => this.#observe(ns),
      onDelete: (ns) => this.#forget(ns),
    });
  }

  #observe(ns: KubeObject): void {
    const c = clusterOf(ns);
    const name = ns.metadata.name;
    if (!name || !this.accepts(c)) return;
    const names = this.#known.get(c);
    if (names) {
      names.add(name);
      return;
    }
    this.#known.set(c, new Set([name]));
    for (const l of [...this.#listeners]) l(c);
  }

  #forget(ns: KubeObject): void {
    const c = clusterOf(ns);
    const name = ns.metadata.name;
    if (!name || !c) return;
    const names = this.#known.get(c);
    if (!names?.delete(name) || names.size > 0) return;
    this.#known.delete(c);
    for (const l of [...this.#goneListeners]) l(c);
  }

  /** True when the controllers act on `cluster`. */
  accepts(cluster: string | undefined): cluster is string {
    return !!cluster && (!this.#only || this.#only.has(cluster));
  }

  /** True while `cluster` is known (it has a namespace). */
  has(cluster: string): boolean {
    return this.#known.has(cluster);
  }

  /** The clusters known now (seen, and not gone since). */
  get clusters(): string[] {
    return [...this.#known.keys()];
  }

  /**
   * Calls `l` for every cluster known now and every one that appears later
   * (a cluster gone and created again is announced again).
   */
  onCluster(l: ClusterListener): void {
    this.#listeners.push(l);
    for (const c of [...this.#known.keys()]) l(c);
  }

  /** Calls `l` for every cluster that disappears from now on. */
  onClusterGone(l: ClusterListener): void {
    this.#goneListeners.push(l);
  }

  /** Resolves once the namespaces informer has synced (or `signal` aborts). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.namespaces.waitForSync(signal);
  }
}
