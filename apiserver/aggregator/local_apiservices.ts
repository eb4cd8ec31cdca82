/**
 * The local APIServices of a virtual cluster, as upstream's autoregister
 * controllers keep them: one per group/version this server serves itself
 * (built-ins and the review groups labelled
 * `kube-aggregator.kubernetes.io/automanaged: onstart`, CRD group/versions
 * `true`), `spec.service` empty, `Available=True` (`Local`), with upstream's
 * group and version priorities for the built-in groups and 1000/100 for
 * CRD groups (upstream's `crdregistration` values).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { rfc3339 } from "../../internal/time.ts";
import { LOCAL_AVAILABLE } from "./availability.ts";

/** The label upstream puts on APIServices it manages itself. */
export const AUTOMANAGED_LABEL = "kube-aggregator.kubernetes.io/automanaged";

/** A group/version served here. */
export interface LocalGroupVersion {
  group: string;
  version: string;
  /** Built in (not from a CRD): can never be delegated. */
  builtin: boolean;
}

/** Upstream's `apiVersionPriorities` for the groups hyperplane serves. */
const PRIORITIES: Record<string, [number, number]> = {
  "": [18000, 1],
  "events.k8s.io": [17750, 15],
  "authentication.k8s.io": [17700, 15],
  "authorization.k8s.io": [17600, 15],
  "certificates.k8s.io": [17300, 15],
  "rbac.authorization.k8s.io": [17000, 15],
  "admissionregistration.k8s.io": [16700, 15],
  "apiextensions.k8s.io": [16700, 15],
  "coordination.k8s.io": [16500, 15],
  "apiregistration.k8s.io": [18000, 15],
};

/** The APIService name of a group/version (`v1.rbac.authorization.k8s.io`, `v1.`). */
export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`;
}

/** The local APIService object for `gv` (status included). */
export function localApiService(gv: LocalGroupVersion, now: Date): KubeObject {
  const [groupPriorityMinimum, versionPriority] = gv.builtin
    ? PRIORITIES[gv.group] ?? [1000, 15]
    : [1000, 100];
  return {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: {
      name: apiServiceName(gv.group, gv.version),
      labels: { [AUTOMANAGED_LABEL]: gv.builtin ? "onstart" : "true" },
    },
    spec: {
      group: gv.group,
      version: gv.version,
      groupPriorityMinimum,
      versionPriority,
    },
    status: {
      conditions: [{
        ...LOCAL_AVAILABLE,
        lastTransitionTime: rfc3339(now),
      }],
    },
  };
}

/** True for an APIService this server wrote for itself (and may remove). */
export function isAutomanagedLocal(obj: KubeObject): boolean {
  const spec = obj.spec as { service?: unknown } | undefined;
  return obj.metadata.labels?.[AUTOMANAGED_LABEL] !== undefined &&
    !spec?.service;
}
