/**
 * The default RBAC policy every cluster starts with: the part of upstream's
 * bootstrap policy (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`) that
 * fits a generic control plane — no pods, nodes, services, workloads,
 * storage or certificates. See README.md for what is left out and why.
 *
 * Controllers: upstream binds each `system:controller:<name>` role to the
 * service account `kube-system/<name>` (used with
 * `--use-service-account-credentials`). hyperplane's controllers run as
 * plain users named `system:controller:<name>`, so each controller binding
 * names that User as well as upstream's service account.
 *
 * `admin`, `edit` and `view` are aggregated roles (their rules are gathered
 * from the `system:aggregate-to-*` roles by label, see `aggregation.ts`);
 * here they carry no rules of their own, as upstream.
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
  type RoleObject,
  type Subject,
} from "./types.ts";

/** The objects of the bootstrap policy. */
export interface BootstrapPolicy {
  clusterRoles: ClusterRoleObject[];
  clusterRoleBindings: BindingObject[];
  /** Namespaced roles (in `kube-system`). */
  roles: RoleObject[];
  /** Namespaced role bindings (in `kube-system`). */
  roleBindings: BindingObject[];
}

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

/** The label that aggregates a role into `admin`. */
export const AGGREGATE_TO_ADMIN =
  "rbac.authorization.k8s.io/aggregate-to-admin";
/** The label that aggregates a role into `edit`. */
export const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
/** The label that aggregates a role into `view`. */
export const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

/** The user-name prefix of hyperplane's controllers (and upstream's controller roles). */
export const CONTROLLER_PREFIX = "system:controller:";

/** The controllers hyperplane runs, whose roles the policy holds. */
export const CONTROLLERS = [
  "clusterrole-aggregation-controller",
  "generic-garbage-collector",
  "namespace-controller",
  "root-ca-cert-publisher",
  "service-account-controller",
] as const;

const CORE = "";
const COORDINATION = "coordination.k8s.io";
const AUTHENTICATION = "authentication.k8s.io";
const AUTHORIZATION = "authorization.k8s.io";
const EVENTS = "events.k8s.io";

function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule {
  const r: PolicyRule = { verbs: [...verbs], apiGroups, resources };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

/** Upstream's `eventsRule()`: what every controller needs to record events. */
function eventsRule(): PolicyRule {
  return rule(["create", "update", "patch"], [CORE, EVENTS], ["events"]);
}

function meta(
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

function clusterRole(
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

const user = (name: string): Subject => ({
  apiGroup: RBAC_GROUP,
  kind: "User",
  name,
});
const group = (name: string): Subject => ({
  apiGroup: RBAC_GROUP,
  kind: "Group",
  name,
});
const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: "ServiceAccount",
  name,
  namespace,
});

function binding(
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
      rule(READ, [CORE], ["events", "namespaces/status"]),
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

function controllerRoles(): ClusterRoleObject[] {
  const rulesOf: Record<(typeof CONTROLLERS)[number], PolicyRule[]> = {
    "clusterrole-aggregation-controller": [
      // It rewrites any ClusterRole's rules, so it must hold `escalate`.
      rule(["escalate", "get", "list", "watch", "update", "patch"], [
        RBAC_GROUP,
      ], ["clusterroles"]),
    ],
    "generic-garbage-collector": [
      rule(["get", "list", "watch", "patch", "update", "delete"], ["*"], ["*"]),
      eventsRule(),
    ],
    "namespace-controller": [
      rule(["get", "list", "watch", "delete"], [CORE], ["namespaces"]),
      rule(["update"], [CORE], ["namespaces/finalize", "namespaces/status"]),
      rule(["get", "list", "watch", "delete", "deletecollection"], ["*"], [
        "*",
      ]),
    ],
    "root-ca-cert-publisher": [
      rule(["create", "update"], [CORE], ["configmaps"]),
      eventsRule(),
    ],
    "service-account-controller": [
      rule(["create"], [CORE], ["serviceaccounts"]),
      eventsRule(),
    ],
  };
  return CONTROLLERS.map((c) => clusterRole(CONTROLLER_PREFIX + c, rulesOf[c]));
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
    ...CONTROLLERS.map((c) =>
      crb(
        CONTROLLER_PREFIX + c,
        user(CONTROLLER_PREFIX + c),
        serviceAccount("kube-system", c),
      )
    ),
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
