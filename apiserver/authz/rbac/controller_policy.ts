/**
 * The roles of the controllers hyperplane runs (upstream's
 * `controller_policy.go`, reduced to our controllers), and their bindings.
 *
 * Upstream binds each `system:controller:<name>` role to the service account
 * `kube-system/<name>` (used with `--use-service-account-credentials`).
 * hyperplane's controllers run as plain users named
 * `system:controller:<name>`, so each binding names that User as well as
 * upstream's service account.
 *
 * @module
 */

import {
  binding,
  clusterRole,
  CORE,
  eventsRule,
  rule,
  serviceAccount,
  user,
} from "./_policy_builders.ts";
import {
  type BindingObject,
  type ClusterRoleObject,
  type PolicyRule,
  RBAC_GROUP,
} from "./types.ts";

const CERTIFICATES = "certificates.k8s.io";

/** The user-name prefix of hyperplane's controllers (and upstream's controller roles). */
export const CONTROLLER_PREFIX = "system:controller:";

/** The controllers hyperplane runs, whose roles the policy holds. */
export const CONTROLLERS = [
  "certificate-controller",
  "clusterrole-aggregation-controller",
  "generic-garbage-collector",
  "namespace-controller",
  "resourcequota-controller",
  "root-ca-cert-publisher",
  "service-account-controller",
] as const;

/** The controller ClusterRoles. */
export function controllerRoles(): ClusterRoleObject[] {
  const rulesOf: Record<(typeof CONTROLLERS)[number], PolicyRule[]> = {
    // Upstream's role, for the signers hyperplane runs (csrsigning for
    // kube-apiserver-client, csrcleaner).
    "certificate-controller": [
      rule(["get", "list", "watch", "delete"], [CERTIFICATES], [
        "certificatesigningrequests",
      ]),
      rule(["update"], [CERTIFICATES], [
        "certificatesigningrequests/status",
        "certificatesigningrequests/approval",
      ]),
      rule(["sign"], [CERTIFICATES], ["signers"], [
        "kubernetes.io/kube-apiserver-client",
      ]),
      rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
      eventsRule(),
    ],
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
    "resourcequota-controller": [
      // Quota counts anything for reconciliation: full viewing powers.
      rule(["list", "watch"], ["*"], ["*"]),
      rule(["update"], [CORE], ["resourcequotas/status"]),
      eventsRule(),
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

/** One ClusterRoleBinding per controller role, to its user and upstream's service account. */
export function controllerRoleBindings(): BindingObject[] {
  return CONTROLLERS.map((c) =>
    binding(
      "ClusterRoleBinding",
      CONTROLLER_PREFIX + c,
      "ClusterRole",
      CONTROLLER_PREFIX + c,
      [
        user(CONTROLLER_PREFIX + c),
        serviceAccount("kube-system", c),
      ],
    )
  );
}
