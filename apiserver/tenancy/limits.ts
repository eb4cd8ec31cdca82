/**
 * `spec.limits` at admission: a create in a virtual cluster that already
 * holds `limits.objects` objects (or `limits.namespaces` namespaces) is
 * refused with 403 Forbidden, so one tenant cannot fill the disk. Counts
 * come from {@linkcode ClusterObjectCounts}; creates admitted at the same
 * moment may each see the same count, so a burst can pass the limit by at
 * most the creates in flight (bounded by `--max-mutating-requests-inflight`),
 * as upstream's quota without its status lock. The plugin also tells the
 * counts which clusters changed (creates and deletes), for `status.objects`.
 *
 * @module
 */

import type { ValidatingAdmission } from "../admission/admission.ts";
import { ApiError } from "../status/mod.ts";
import type { ClusterObjectCounts } from "./object_counts.ts";
import { ROOT_CLUSTER, type VirtualClusterLimits } from "./types.ts";

function limitError(
  cluster: string,
  what: string,
  limit: number,
  resource: string,
): ApiError {
  return new ApiError(
    403,
    "Forbidden",
    `${resource} is forbidden: virtual cluster "${cluster}" has reached its limit of ${limit} ${what} (spec.limits.${what})`,
    { kind: resource },
  );
}

/**
 * The limits plugin: `limitsOf(cluster)` gives the cluster's
 * `spec.limits` (undefined: none).
 */
export function clusterLimits(
  limitsOf: (cluster: string) => VirtualClusterLimits | undefined,
  counts: ClusterObjectCounts,
): ValidatingAdmission {
  return {
    name: "VirtualClusterLimits",
    async validate(attrs) {
      if (attrs.cluster === ROOT_CLUSTER || attrs.dryRun) return;
      if (attrs.operation === "DELETE") {
        counts.changed(attrs.cluster);
        return;
      }
      if (attrs.operation !== "CREATE" || attrs.subresource) return;
      const ref = { group: attrs.group, resource: attrs.resource };
      const limits = limitsOf(attrs.cluster);
      const maxObjects = limits?.objects;
      const maxNamespaces = limits?.namespaces;
      if (maxObjects !== undefined || maxNamespaces !== undefined) {
        const c = await counts.get(attrs.cluster);
        const resource = attrs.group
          ? `${attrs.resource}.${attrs.group}`
          : attrs.resource;
        if (maxObjects !== undefined && c.objects >= maxObjects) {
          throw limitError(attrs.cluster, "objects", maxObjects, resource);
        }
        const isNamespace = !attrs.group && attrs.resource === "namespaces";
        if (
          isNamespace && maxNamespaces !== undefined &&
          c.namespaces >= maxNamespaces
        ) {
          throw limitError(
            attrs.cluster,
            "namespaces",
            maxNamespaces,
            resource,
          );
        }
      }
      counts.created(attrs.cluster, ref);
    },
  };
}
