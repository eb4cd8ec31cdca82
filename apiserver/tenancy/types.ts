/**
 * The names and shapes of the tenancy API (`tenancy.hyperplane.dev/v1alpha1`
 * `VirtualCluster`), shared by its definition, the lifecycle controller,
 * cluster admission and the limits plugin, so each says the same thing.
 *
 * @module
 */

import { DEFAULT_CLUSTER, type KubeObject } from "../../storage/mod.ts";
import { ApiError } from "../status/mod.ts";

/** The API group of virtual clusters. */
export const TENANCY_GROUP = "tenancy.hyperplane.dev";
/** The served version. */
export const TENANCY_VERSION = "v1alpha1";
/** The plural resource name (paths, storage keys). */
export const VIRTUAL_CLUSTERS = "virtualclusters";
/** The cluster that holds every `VirtualCluster` object and always exists. */
export const ROOT_CLUSTER = DEFAULT_CLUSTER;
/** Held by every `VirtualCluster` until its data is gone from storage. */
export const TEARDOWN_FINALIZER = "tenancy.hyperplane.dev/teardown";
/** The ClusterRoleBinding inside a cluster that makes `spec.admins` admins. */
export const ADMINS_BINDING = "hyperplane:virtualcluster-admins";

/** `Initializing` → `Ready` → `Terminating`. */
export type VirtualClusterPhase = "Initializing" | "Ready" | "Terminating";

/** An RBAC subject as in a RoleBinding. */
export interface Subject {
  kind: string;
  name: string;
  apiGroup?: string;
  namespace?: string;
}

/** `spec.limits`: at most this many objects / namespaces in the cluster. */
export interface VirtualClusterLimits {
  objects?: number;
  namespaces?: number;
}

/** A `VirtualCluster` as stored. */
export interface VirtualCluster extends KubeObject {
  spec?: { admins?: Subject[]; limits?: VirtualClusterLimits };
  status?: {
    phase?: VirtualClusterPhase;
    path?: string;
    objects?: number;
    conditions?: Array<Record<string, unknown>>;
  };
}

/** The API path prefix of `cluster` (`/clusters/<name>`). */
export function clusterPath(cluster: string): string {
  return `/clusters/${cluster}`;
}

/** 404 for a request to a cluster that was not created (or is gone). */
export function clusterNotFoundError(cluster: string): ApiError {
  return new ApiError(404, "NotFound", `cluster "${cluster}" not found`, {
    name: cluster,
    group: TENANCY_GROUP,
    kind: VIRTUAL_CLUSTERS,
  });
}

/** 404 for a request to a cluster whose teardown has begun. */
export function clusterTerminatingError(cluster: string): ApiError {
  return new ApiError(
    404,
    "NotFound",
    `cluster "${cluster}" not found: it is being deleted`,
    { name: cluster, group: TENANCY_GROUP, kind: VIRTUAL_CLUSTERS },
  );
}
