/**
 * The built-in kinds as the server serves them, for this folder's tests
 * (the real list comes from the handler layer's resource registry).
 *
 * @module
 */

import { builtinSchema } from "../../apiserver/resources/kind_tables.ts";
import type { ServedKind } from "../../apiserver/openapi/types.ts";

const ALL = [
  "get",
  "list",
  "watch",
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
];

function kind(
  group: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  verbs = ALL,
): ServedKind {
  return {
    group,
    version: "v1",
    kind,
    plural,
    namespaced,
    verbs,
    schema: builtinSchema(group, "v1", kind)!,
  };
}

/** Every built-in kind with upstream plural, scope and verbs. */
export function builtinKinds(): ServedKind[] {
  const rbac = "rbac.authorization.k8s.io";
  return [
    kind(
      "",
      "Namespace",
      "namespaces",
      false,
      ALL.filter((v) => v !== "deletecollection"),
    ),
    kind("", "ConfigMap", "configmaps", true),
    kind("", "Secret", "secrets", true),
    kind("", "ServiceAccount", "serviceaccounts", true),
    kind("", "Event", "events", true),
    kind("events.k8s.io", "Event", "events", true),
    kind("coordination.k8s.io", "Lease", "leases", true),
    kind(rbac, "Role", "roles", true),
    kind(rbac, "ClusterRole", "clusterroles", false),
    kind(rbac, "RoleBinding", "rolebindings", true),
    kind(rbac, "ClusterRoleBinding", "clusterrolebindings", false),
  ];
}
