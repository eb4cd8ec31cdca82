/**
 * Which virtual clusters the controllers act on, learned from one
 * cross-cluster namespaces informer (`/clusters/*` list + watch): a cluster
 * exists once it has a namespace (the API bootstraps a cluster's system
 * namespaces the first time it is used). Objects from cross-cluster answers
 * name their cluster in the `hyperplane.dev/cluster` annotation.
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
import type { InformerFactory } from "./informer_factory.ts";

export {
  ALL_CLUSTERS,
  CLUSTER_ANNOTATION,
  clusterOf,
  withoutClusterAnnotation,
};

/** Called once per cluster, when it is first seen. */
export type ClusterListener = (cluster: string) => void;

/** See the module doc. */
export class ClusterTracker {
  /** The cross-cluster namespaces informer (shared with the controllers). */
  readonly namespaces: Informer;
  #only?: ReadonlySet<string>;
  #known = new Set<string>();
  #listeners: ClusterListener[] = [];

  /**
   * Tracks the clusters seen by the cross-cluster namespaces informer.
   *
   * @param informers where the namespaces informer comes from
   * @param only the clusters to act on (`undefined`: every cluster)
   */
  constructor(informers: InformerFactory, only?: readonly string[]) {
    this.#only = only ? new Set(only) : undefined;
    this.namespaces = informers.informer({
      target: { cluster: ALL_CLUSTERS, resource: CORE.namespaces },
      // Shared with the namespace controller, whose safety net this is.
      resyncMs: 5 * 60_000,
    });
    this.namespaces.addHandler({ onAdd: (ns) => this.#observe(ns) });
  }

  #observe(ns: KubeObject): void {
    const c = clusterOf(ns);
    if (!c || this.#known.has(c) || !this.accepts(c)) return;
    this.#known.add(c);
    for (const l of this.#listeners) l(c);
  }

  /** True when the controllers act on `cluster`. */
  accepts(cluster: string | undefined): cluster is string {
    return !!cluster && (!this.#only || this.#only.has(cluster));
  }

  /** The clusters seen so far. */
  get clusters(): string[] {
    return [...this.#known];
  }

  /** Calls `l` for every cluster seen so far and every one seen later. */
  onCluster(l: ClusterListener): void {
    this.#listeners.push(l);
    for (const c of this.#known) l(c);
  }

  /** Resolves once the namespaces informer has synced (or `signal` aborts). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    return this.namespaces.waitForSync(signal);
  }
}
