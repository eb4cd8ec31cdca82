/**
 * Builders of RBAC objects for tests (of this folder, and of whoever tests
 * code that reads RBAC objects — e.g. the aggregation controller), so that
 * fixtures read as one line each. Not exported from `mod.ts`.
 *
 * @module
 */

import type {
  BindingObject,
  ClusterRoleObject,
  PolicyRule,
  RoleObject,
  Subject,
} from "../../apiserver/authz/rbac/types.ts";
import {
  RBAC_API_VERSION,
  RBAC_GROUP,
} from "../../apiserver/authz/rbac/types.ts";

/** A ClusterRole. */
export function clusterRole(
  name: string,
  rules: PolicyRule[],
  labels?: Record<string, string>,
): ClusterRoleObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRole",
    metadata: labels ? { name, labels } : { name },
    rules,
  };
}

/** A Role in `namespace`. */
export function role(
  namespace: string,
  name: string,
  rules: PolicyRule[],
): RoleObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "Role",
    metadata: { name, namespace },
    rules,
  };
}

/** A ClusterRoleBinding to ClusterRole `roleName`. */
export function clusterBinding(
  name: string,
  roleName: string,
  subjects: Subject[],
): BindingObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: roleName },
    subjects,
  };
}

/** A RoleBinding in `namespace` to a Role or ClusterRole. */
export function binding(
  namespace: string,
  name: string,
  roleKind: "Role" | "ClusterRole",
  roleName: string,
  subjects: Subject[],
): BindingObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "RoleBinding",
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: roleName },
    subjects,
  };
}

/** A User subject. */
export const userSubject = (name: string): Subject => ({
  apiGroup: RBAC_GROUP,
  kind: "User",
  name,
});

/** A Group subject. */
export const groupSubject = (name: string): Subject => ({
  apiGroup: RBAC_GROUP,
  kind: "Group",
  name,
});

/** A ServiceAccount subject (namespace optional). */
export const saSubject = (name: string, namespace?: string): Subject =>
  namespace
    ? { kind: "ServiceAccount", name, namespace }
    : { kind: "ServiceAccount", name };

/** A rule. */
export function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule {
  return resourceNames
    ? { verbs, apiGroups, resources, resourceNames }
    : { verbs, apiGroups, resources };
}
