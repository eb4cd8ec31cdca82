/**
 * rbac.authorization.k8s.io/v1 (`io.k8s.api.rbac.v1.*`): Role, ClusterRole,
 * RoleBinding, ClusterRoleBinding.
 *
 * @module
 */

import { listOf, object, str, strList } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { kindSchema, LABEL_SELECTOR, listSchema } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const RBAC = "io.k8s.api.rbac.v1";
const ATOMIC: Schema = { "x-kubernetes-list-type": "atomic" };

const POLICY_RULE: Schema = named(
  `${RBAC}.PolicyRule`,
  object(
    "PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.",
    {
      apiGroups: strList(
        'APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.',
        ATOMIC,
      ),
      nonResourceURLs: strList(
        'NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.',
        ATOMIC,
      ),
      resourceNames: strList(
        "ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.",
        ATOMIC,
      ),
      resources: strList(
        "Resources is a list of resources this rule applies to. '*' represents all resources.",
        ATOMIC,
      ),
      verbs: strList(
        "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.",
        ATOMIC,
      ),
    },
    { required: ["verbs"] },
  ),
);

const AGGREGATION_RULE: Schema = named(
  `${RBAC}.AggregationRule`,
  object(
    "AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole",
    {
      clusterRoleSelectors: listOf(
        "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added",
        ref(LABEL_SELECTOR),
        ATOMIC,
      ),
    },
  ),
);

const ROLE_REF: Schema = named(
  `${RBAC}.RoleRef`,
  object(
    "RoleRef contains information that points to the role being used",
    {
      apiGroup: str("APIGroup is the group for the resource being referenced", {
        default: "",
      }),
      kind: str("Kind is the type of resource being referenced", {
        default: "",
      }),
      name: str("Name is the name of resource being referenced", {
        default: "",
      }),
    },
    {
      required: ["apiGroup", "kind", "name"],
      "x-kubernetes-map-type": "atomic",
    },
  ),
);

const SUBJECT: Schema = named(
  `${RBAC}.Subject`,
  object(
    "Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.",
    {
      apiGroup: str(
        'APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.',
      ),
      kind: str(
        'Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.',
        { default: "" },
      ),
      name: str("Name of the object being referenced.", { default: "" }),
      namespace: str(
        'Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.',
      ),
    },
    { required: ["kind", "name"], "x-kubernetes-map-type": "atomic" },
  ),
);

/** rbac.authorization.k8s.io/v1 `Role`. */
export const ROLE: Schema = kindSchema(
  `${RBAC}.Role`,
  "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.",
  {
    rules: listOf(
      "Rules holds all the PolicyRules for this Role",
      ref(POLICY_RULE),
      ATOMIC,
    ),
  },
);

/** rbac.authorization.k8s.io/v1 `ClusterRole`. */
export const CLUSTER_ROLE: Schema = kindSchema(
  `${RBAC}.ClusterRole`,
  "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.",
  {
    aggregationRule: ref(
      AGGREGATION_RULE,
      "AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.",
    ),
    rules: listOf(
      "Rules holds all the PolicyRules for this ClusterRole",
      ref(POLICY_RULE),
      ATOMIC,
    ),
  },
);

const SUBJECTS_FIELD = listOf(
  "Subjects holds references to the objects the role applies to.",
  ref(SUBJECT),
  ATOMIC,
);

/** rbac.authorization.k8s.io/v1 `RoleBinding`. */
export const ROLE_BINDING: Schema = kindSchema(
  `${RBAC}.RoleBinding`,
  "RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.",
  {
    roleRef: ref(
      ROLE_REF,
      "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    ),
    subjects: SUBJECTS_FIELD,
  },
  { required: ["roleRef"] },
);

/** rbac.authorization.k8s.io/v1 `ClusterRoleBinding`. */
export const CLUSTER_ROLE_BINDING: Schema = kindSchema(
  `${RBAC}.ClusterRoleBinding`,
  "ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.",
  {
    roleRef: ref(
      ROLE_REF,
      "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    ),
    subjects: SUBJECTS_FIELD,
  },
  { required: ["roleRef"] },
);

/** `RoleList`. */
export const ROLE_LIST: Schema = listSchema(
  `${RBAC}.RoleList`,
  ROLE,
  "Items is a list of Roles",
);
/** `ClusterRoleList`. */
export const CLUSTER_ROLE_LIST: Schema = listSchema(
  `${RBAC}.ClusterRoleList`,
  CLUSTER_ROLE,
  "Items is a list of ClusterRoles",
);
/** `RoleBindingList`. */
export const ROLE_BINDING_LIST: Schema = listSchema(
  `${RBAC}.RoleBindingList`,
  ROLE_BINDING,
  "Items is a list of RoleBindings",
);
/** `ClusterRoleBindingList`. */
export const CLUSTER_ROLE_BINDING_LIST: Schema = listSchema(
  `${RBAC}.ClusterRoleBindingList`,
  CLUSTER_ROLE_BINDING,
  "Items is a list of ClusterRoleBindings",
);
