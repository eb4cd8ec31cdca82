/**
 * The shapes of rbac.authorization.k8s.io/v1 objects as they are stored
 * (plain JSON), shared by every file of this folder so that rule matching,
 * the policy index, escalation checks and the bootstrap policy agree on one
 * vocabulary.
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";

/** The RBAC API group. */
export const RBAC_GROUP = "rbac.authorization.k8s.io";
/** `rbac.authorization.k8s.io/v1`. */
export const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

/** One rule of a Role or ClusterRole (upstream's `PolicyRule`). */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Who a binding grants its role to (upstream's `Subject`). */
export interface Subject {
  kind: "User" | "Group" | "ServiceAccount" | string;
  name: string;
  /** `rbac.authorization.k8s.io` for User and Group, `""`/absent for ServiceAccount. */
  apiGroup?: string;
  /** ServiceAccount only; a RoleBinding defaults it to its own namespace. */
  namespace?: string;
}

/** The role a binding refers to. */
export interface RoleRef {
  apiGroup: string;
  kind: "Role" | "ClusterRole" | string;
  name: string;
}

/** metav1.LabelSelectorRequirement. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
  values?: string[];
}

/** metav1.LabelSelector (structured, as in objects; not the query string). */
export interface StructuredLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** A ClusterRole's `aggregationRule`. */
export interface AggregationRule {
  clusterRoleSelectors?: StructuredLabelSelector[];
}

/** A Role as stored. */
export interface RoleObject extends KubeObject {
  rules?: PolicyRule[] | null;
}

/** A ClusterRole as stored. */
export interface ClusterRoleObject extends RoleObject {
  aggregationRule?: AggregationRule | null;
}

/** A RoleBinding or ClusterRoleBinding as stored. */
export interface BindingObject extends KubeObject {
  roleRef: RoleRef;
  subjects?: Subject[] | null;
}

/** The four RBAC resources. */
export type RbacResource =
  | "roles"
  | "rolebindings"
  | "clusterroles"
  | "clusterrolebindings";

/** Every RBAC resource, namespaced first. */
export const RBAC_RESOURCES: readonly RbacResource[] = [
  "roles",
  "rolebindings",
  "clusterroles",
  "clusterrolebindings",
];

/** The label every bootstrap object carries. */
export const BOOTSTRAPPING_LABEL = "kubernetes.io/bootstrapping";
/** The value of {@linkcode BOOTSTRAPPING_LABEL}. */
export const BOOTSTRAPPING_VALUE = "rbac-defaults";
/** `"false"` here stops the bootstrap reconciler from touching an object. */
export const AUTOUPDATE_ANNOTATION =
  "rbac.authorization.kubernetes.io/autoupdate";
