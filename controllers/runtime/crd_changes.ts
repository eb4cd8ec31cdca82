/**
 * Tells controllers at once when a cluster's custom resource kinds change:
 * one cross-cluster CRD informer (`/clusters/*` list + watch of
 * `customresourcedefinitions`) reports the cluster of a CRD that became
 * Established, changed what it serves (versions, names, scope) or is gone.
 * Discovery-driven controllers re-discover that cluster instead of waiting
 * for their periodic refresh.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { ALL_CLUSTERS, clusterOf } from "../client/mod.ts";
import type { Informer } from "./informer.ts";
import type { InformerFactory } from "./informer_factory.ts";

/** The CRD resource, as the informers address it. */
export const CRD_RESOURCE = {
  group: "apiextensions.k8s.io",
  version: "v1",
  resource: "customresourcedefinitions",
} as const;

/** Called with the cluster whose custom resource kinds changed. */
export type CrdChangeListener = (cluster: string) => void;

/** What of a CRD decides the kinds discovery lists. */
function servingStamp(crd: KubeObject): string {
  const spec = (crd.spec ?? {}) as Record<string, unknown>;
  const status = (crd.status ?? {}) as Record<string, unknown>;
  const conditions = Array.isArray(status.conditions)
    ? status.conditions as { type?: string; status?: string }[]
    : [];
  const established =
    conditions.find((c) => c.type === "Established")?.status === "True";
  if (!established) return "";
  const versions = Array.isArray(spec.versions)
    ? (spec.versions as { name?: string; served?: boolean }[])
      .map((v) => [v.name, v.served === true])
    : [];
  return JSON.stringify([
    crd.metadata.uid,
    spec.group,
    spec.scope,
    status.acceptedNames,
    versions,
  ]);
}

/**
 * Calls `listener` with a CRD's cluster whenever what the CRD serves
 * changes (established, versions, names, deleted). Returns the shared
 * informer (wait for its sync to know every CRD has been seen).
 */
export function onCrdChanges(
  informers: InformerFactory,
  listener: CrdChangeListener,
): Informer {
  const informer = informers.informer({
    target: { cluster: ALL_CLUSTERS, resource: CRD_RESOURCE },
  });
  const tell = (crd: KubeObject) => {
    const c = clusterOf(crd);
    if (c) listener(c);
  };
  informer.addHandler({
    onAdd: (crd) => {
      if (servingStamp(crd)) tell(crd);
    },
    onUpdate: (old, crd) => {
      if (servingStamp(old) !== servingStamp(crd)) tell(crd);
    },
    onDelete: tell,
  });
  return informer;
}
