/**
 * The default RBAC policy every cluster starts with: the part of upstream's
 * bootstrap policy (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`) that
 * fits a generic control plane — no pods, nodes, services, workloads,
 * storage or certificates. See README.md for what is left out and why; the
 * controllers' roles are in `controller_policy.ts`.
 *
 * `admin`, `edit` and `view` are aggregated roles (their rules are gathered
 * from the `system:aggregate-to-*` roles by label, see `aggregation.ts`);
 * here they carry no rules of their own, as upstream.
 *
 * @module
 */

import {
  AUTHENTICATION,
  AUTHORIZATION,
  binding,
  clusterRole,
  COORDINATION,
  CORE,
  eventsRule,
  group,
  meta,
  READ,
  READ_WRITE,
  rule,
  serviceAccount,
  urls,
  user,
} from "./_policy_builders.ts";
import {
  controllerRoleBindings,
  controllerRoles,
} from "./controller_policy.ts";
import {
  type BindingObject,
  type ClusterRoleObject,
  type PolicyRule,
  RBAC_API_VERSION,
  RBAC_GROUP,
  type RoleObject,
  type Subject,
} from "./types.ts";

export { READ, READ_WRITE } from "./_policy_builders.ts";
export { CONTROLLER_PREFIX, CONTROLLERS } from "./controller_policy.ts";

/** The objects of the bootstrap policy. */
export interface BootstrapPolicy {
  clusterRoles: ClusterRoleObject[];
  clusterRoleBindings: BindingObject[];
  /** Namespaced roles (in `kube-system`). */
  roles: RoleObject[];
  /** Namespaced role bindings (in `kube-system`). */
  roleBindings: BindingObject[];
}

/** The label that aggregates a role into `admin`. */
export const AGGREGATE_TO_ADMIN =
  "rbac.authorization.k8s.io/aggregate-to-admin";
/** The label that aggregates a role into `edit`. */
export const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
/** The label that aggregates a role into `view`. */
export const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

function clusterRoles(): ClusterRoleObject[] {
  return [
    clusterRole("cluster-admin", [
      rule(["*"], ["*"], ["*"]),
      urls(["*"], ["*"]),
    ]),
    clusterRole("admin", [], { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole("edit", [], {
      aggregateFrom: AGGREGATE_TO_EDIT,
      labels: { [AGGREGATE_TO_ADMIN]: "true" },
    }),
    clusterRole("view", [], {
      aggregateFrom: AGGREGATE_TO_VIEW,
      labels: { [AGGREGATE_TO_EDIT]: "true" },
    }),
    clusterRole("system:aggregate-to-admin", [
      rule(["create"], [AUTHORIZATION], ["localsubjectaccessreviews"]),
      rule(READ_WRITE, [RBAC_GROUP], ["rolebindings", "roles"]),
    ], { labels: { [AGGREGATE_TO_ADMIN]: "true" } }),
    clusterRole("system:aggregate-to-edit", [
      // Reading secrets is edit's, never view's: a secret may hold a token
      // of a more powerful service account.
      rule(READ, [CORE], ["secrets"]),
      rule(["impersonate"], [CORE], ["serviceaccounts"]),
      rule(
        ["create", "delete", "deletecollection", "patch", "update"],
        [CORE],
        ["configmaps", "events", "secrets", "serviceaccounts"],
      ),
      rule(["create"], [CORE], ["serviceaccounts/token"]),
      rule(
        [
          "create",
          "delete",
          "deletecollection",
          "get",
          "list",
          "patch",
          "update",
          "watch",
        ],
        [COORDINATION],
        ["leases"],
      ),
    ], { labels: { [AGGREGATE_TO_EDIT]: "true" } }),
    clusterRole("system:aggregate-to-view", [
      rule(READ, [CORE], ["configmaps", "serviceaccounts"]),
      rule(READ, [CORE], [
        "resourcequotas",
        "events",
        "resourcequotas/status",
        "namespaces/status",
      ]),
      rule(READ, [CORE], ["namespaces"]),
    ], { labels: { [AGGREGATE_TO_VIEW]: "true" } }),
    clusterRole("system:auth-delegator", [
      rule(["create"], [AUTHENTICATION], ["tokenreviews"]),
      rule(["create"], [AUTHORIZATION], ["subjectaccessreviews"]),
    ]),
    clusterRole("system:basic-user", [
      rule(["create"], [AUTHORIZATION], [
        "selfsubjectaccessreviews",
        "selfsubjectrulesreviews",
      ]),
      rule(["create"], [AUTHENTICATION], ["selfsubjectreviews"]),
    ]),
    // Upstream's approver role for the signer hyperplane runs (bind it to
    // whoever may approve client-certificate requests).
    clusterRole("system:certificates.k8s.io:kube-apiserver-client-approver", [
      rule(["approve"], ["certificates.k8s.io"], ["signers"], [
        "kubernetes.io/kube-apiserver-client",
      ]),
    ]),
    clusterRole("system:discovery", [
      urls(["get"], [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
      ]),
    ]),
    clusterRole("system:monitoring", [
      urls(["get"], [
        "/healthz",
        "/healthz/*",
        "/livez",
        "/livez/*",
        "/metrics",
        "/metrics/slis",
        "/readyz",
        "/readyz/*",
      ]),
    ]),
    clusterRole("system:public-info-viewer", [
      urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
    ]),
    clusterRole("system:service-account-issuer-discovery", [
      urls(["get"], ["/.well-known/openid-configuration", "/openid/v1/jwks"]),
    ]),
    clusterRole("system:kube-controller-manager", [
      eventsRule(),
      rule(["create"], [COORDINATION], ["leases"]),
      rule(["get", "update"], [COORDINATION], ["leases"], [
        "kube-controller-manager",
      ]),
      rule(["create"], [CORE], ["secrets", "serviceaccounts"]),
      rule(["delete"], [CORE], ["secrets"]),
      rule(["get"], [CORE], [
        "configmaps",
        "namespaces",
        "secrets",
        "serviceaccounts",
      ]),
      rule(["update"], [CORE], ["secrets", "serviceaccounts"]),
      rule(["create"], [AUTHENTICATION], ["tokenreviews"]),
      rule(["create"], [AUTHORIZATION], ["subjectaccessreviews"]),
      rule(["list", "watch"], ["*"], ["*"]),
      rule(["create"], [CORE], ["serviceaccounts/token"]),
    ]),
    ...controllerRoles(),
  ];
}

function clusterRoleBindings(): BindingObject[] {
  const crb = (name: string, ...subjects: Subject[]) =>
    binding("ClusterRoleBinding", name, "ClusterRole", name, subjects);
  return [
    crb("cluster-admin", group("system:masters")),
    crb("system:monitoring", group("system:monitoring")),
    crb("system:discovery", group("system:authenticated")),
    crb("system:basic-user", group("system:authenticated")),
    crb(
      "system:public-info-viewer",
      group("system:authenticated"),
      group("system:unauthenticated"),
    ),
    crb(
      "system:kube-controller-manager",
      user("system:kube-controller-manager"),
    ),
    crb(
      "system:service-account-issuer-discovery",
      group("system:serviceaccounts"),
    ),
    ...controllerRoleBindings(),
  ];
}

function namespacedRoles(): RoleObject[] {
  const role = (name: string, rules: PolicyRule[]): RoleObject => ({
    apiVersion: RBAC_API_VERSION,
    kind: "Role",
    metadata: meta(name, "kube-system"),
    rules,
  });
  return [
    role("extension-apiserver-authentication-reader", [
      rule(READ, [CORE], ["configmaps"], [
        "extension-apiserver-authentication",
      ]),
    ]),
    role("system::leader-locking-kube-controller-manager", [
      rule(["create", "get", "list", "update", "watch"], [COORDINATION], [
        "leases",
      ]),
      rule(["create", "get", "list", "update", "watch"], [COORDINATION], [
        "leasecandidates",
      ]),
    ]),
  ];
}

function namespacedRoleBindings(): BindingObject[] {
  return [
    binding(
      "RoleBinding",
      "system::extension-apiserver-authentication-reader",
      "Role",
      "extension-apiserver-authentication-reader",
      [user("system:kube-controller-manager"), user("system:kube-scheduler")],
      "kube-system",
    ),
    binding(
      "RoleBinding",
      "system::leader-locking-kube-controller-manager",
      "Role",
      "system::leader-locking-kube-controller-manager",
      [
        user("system:kube-controller-manager"),
        serviceAccount("kube-system", "kube-controller-manager"),
        serviceAccount("kube-system", "leader-election-controller"),
      ],
      "kube-system",
    ),
  ];
}

/**
 * The bootstrap policy, as fresh objects (callers may change them). Every
 * object carries the label `kubernetes.io/bootstrapping: rbac-defaults` and
 * the annotation `rbac.authorization.kubernetes.io/autoupdate: "true"`.
 */
export function bootstrapPolicy(): BootstrapPolicy {
  return {
    clusterRoles: clusterRoles(),
    clusterRoleBindings: clusterRoleBindings(),
    roles: namespacedRoles(),
    roleBindings: namespacedRoleBindings(),
  };
}
