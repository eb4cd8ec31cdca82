/**
 * Names of API resources and the paths that address them, per cluster.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { CLUSTER_ANNOTATION } from "../../apiserver/routing/wildcard.ts";

export { CLUSTER_ANNOTATION };

/** The cluster name that addresses every cluster (list and watch only). */
export const ALL_CLUSTERS = "*";

/** The cluster an object from a cross-cluster answer belongs to. */
export function clusterOf(obj: KubeObject): string | undefined {
  return obj.metadata.annotations?.[CLUSTER_ANNOTATION];
}

/** A copy of `obj` without the cluster annotation (it is never written). */
export function withoutClusterAnnotation(obj: KubeObject): KubeObject {
  const ann = obj.metadata.annotations;
  if (!ann || !(CLUSTER_ANNOTATION in ann)) return obj;
  const { [CLUSTER_ANNOTATION]: _, ...rest } = ann;
  const metadata: KubeObject["metadata"] = { ...obj.metadata };
  if (Object.keys(rest).length) metadata.annotations = rest;
  else delete metadata.annotations;
  return { ...obj, metadata };
}

/** One served resource, as discovery describes it. */
export interface ApiResource {
  /** API group, `""` for core. */
  group: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Plural resource name used in paths. */
  resource: string;
  /** Kind, e.g. `ConfigMap`. */
  kind: string;
  /** True when objects live in a namespace. */
  namespaced: boolean;
  /** The verbs the resource serves. */
  verbs: string[];
}

/** Where one request goes: cluster, resource, and optionally namespace/name. */
export interface Target {
  /** The virtual cluster (`*` for every cluster, in lists and watches). */
  cluster: string;
  /**
   * The resource's group, version and plural name (and kind, when known:
   * metadata-only reads name their objects' kind by it).
   */
  resource:
    & Pick<ApiResource, "group" | "version" | "resource">
    & Partial<Pick<ApiResource, "kind">>;
  /** The namespace of a namespaced resource. */
  namespace?: string;
  /** The object's name (none for lists and creates). */
  name?: string;
  /** A subresource, e.g. `status`. */
  subresource?: string;
}

/** `group/version` (or `version` for core). */
export function apiVersionOf(
  r: Pick<ApiResource, "group" | "version">,
): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Splits an `apiVersion` into group and version. */
export function parseApiVersion(
  apiVersion: string,
): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The cluster prefix of every path (`/clusters/<name>`). */
export function clusterPath(cluster: string): string {
  return `/clusters/${encodeURIComponent(cluster)}`;
}

/** The request path for `t`. */
export function targetPath(t: Target): string {
  const r = t.resource;
  let p = clusterPath(t.cluster) +
    (r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`);
  if (t.namespace) p += `/namespaces/${encodeURIComponent(t.namespace)}`;
  p += `/${r.resource}`;
  if (t.name) p += `/${encodeURIComponent(t.name)}`;
  if (t.subresource) p += `/${t.subresource}`;
  return p;
}

/** Well-known built-in resources the controllers use. */
export const CORE = {
  namespaces: {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
  },
  serviceaccounts: {
    group: "",
    version: "v1",
    resource: "serviceaccounts",
    kind: "ServiceAccount",
  },
  configmaps: {
    group: "",
    version: "v1",
    resource: "configmaps",
    kind: "ConfigMap",
  },
  events: { group: "", version: "v1", resource: "events", kind: "Event" },
  leases: {
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    kind: "Lease",
  },
} as const;
