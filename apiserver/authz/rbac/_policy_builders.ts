/**
 * Builders shared by the bootstrap policy files, so that each role reads as
 * upstream's `NewRule(...).Groups(...).Resources(...)` one-liners do, and
 * every object gets the bootstrap label and autoupdate annotation in one
 * place.
 *
 * @module
 */

import {
  AUTOUPDATE_ANNOTATION,
  type BindingObject,
  BOOTSTRAPPING_LABEL,
  BOOTSTRAPPING_VALUE,
  type ClusterRoleObject,
  type PolicyRule,
  RBAC_API_VERSION,
  RBAC_GROUP,
  type Subject,
} from "./types.ts";

/** Upstream's `Read` verbs. */
export const READ = ["get", "list", "watch"];
/** Upstream's `ReadWrite` verbs. */
export const READ_WRITE = [
  "get",
  "list",
  "watch",
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
];

/** The core API group. */
export const CORE = "";
/** coordination.k8s.io. */
export const COORDINATION = "coordination.k8s.io";
/** authentication.k8s.io. */
export const AUTHENTICATION = "authentication.k8s.io";
/** authorization.k8s.io. */
export const AUTHORIZATION = "authorization.k8s.io";
/** events.k8s.io. */
export const EVENTS = "events.k8s.io";

/** A resource rule. */
export function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule {
  const r: PolicyRule = { verbs: [...verbs], apiGroups, resources };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}

/** A non-resource rule. */
export function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

/** Upstream's `eventsRule()`: what every controller needs to record events. */
export function eventsRule(): PolicyRule {
  return rule(["create", "update", "patch"], [CORE, EVENTS], ["events"]);
}

/** Metadata with the bootstrap label and the autoupdate annotation. */
export function meta(
  name: string,
  namespace?: string,
  labels: Record<string, string> = {},
) {
  const m: Record<string, unknown> = { name };
  if (namespace) m.namespace = namespace;
  m.labels = { [BOOTSTRAPPING_LABEL]: BOOTSTRAPPING_VALUE, ...labels };
  m.annotations = { [AUTOUPDATE_ANNOTATION]: "true" };
  return m as ClusterRoleObject["metadata"];
}

/** A bootstrap ClusterRole, optionally aggregating roles labelled `aggregateFrom`. */
export function clusterRole(
  name: string,
  rules: PolicyRule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): ClusterRoleObject {
  const obj: ClusterRoleObject = {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRole",
    metadata: meta(name, undefined, extra.labels),
    rules,
  };
  if (extra.aggregateFrom) {
    obj.aggregationRule = {
      clusterRoleSelectors: [{
        matchLabels: { [extra.aggregateFrom]: "true" },
      }],
    };
  }
  return obj;
}

/** A User subject. */
export const user = (name: string): Subject => ({
  apiGroup: RBAC_GROUP,
  kind: "User",
  name,
});
/** A Group subject. */
export const group = (name: string): Subject => ({
  apiGroup: RBAC_GROUP,
  kind: "Group",
  name,
});
/** A ServiceAccount subject. */
export const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: "ServiceAccount",
  name,
  namespace,
});

/** A bootstrap RoleBinding or ClusterRoleBinding. */
export function binding(
  kind: "ClusterRoleBinding" | "RoleBinding",
  name: string,
  roleKind: "ClusterRole" | "Role",
  roleName: string,
  subjects: Subject[],
  namespace?: string,
): BindingObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind,
    metadata: meta(name, namespace),
    roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: roleName },
    subjects,
  };
}
