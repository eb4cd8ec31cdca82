/**
 * The structural schema of `tenancy.hyperplane.dev/v1alpha1` `VirtualCluster`
 * (OpenAPI, strict field validation, apply and strategic merge read it).
 *
 * @module
 */

import {
  kindSchema,
  listSchema,
  named,
  ref,
  type Schema,
} from "../schema/mod.ts";
import { CONDITION } from "../schema/meta_v1.ts";

const TENANCY = "dev.hyperplane.tenancy.v1alpha1";

function str(description: string, extra: Schema = {}): Schema {
  return { type: "string", description, ...extra };
}

function int64(description: string): Schema {
  return { type: "integer", format: "int64", description, minimum: 0 };
}

function object(
  description: string,
  properties: Record<string, Schema>,
  extra: Schema = {},
): Schema {
  return { type: "object", description, properties, ...extra };
}

function listOf(description: string, items: Schema, extra: Schema): Schema {
  return { type: "array", description, items, ...extra };
}

const SUBJECT: Schema = named(
  `${TENANCY}.Subject`,
  object("An RBAC subject, as in a RoleBinding.", {
    apiGroup: str(
      'API group of the subject: "rbac.authorization.k8s.io" for User and Group (the default), "" for ServiceAccount.',
    ),
    kind: str("User, Group or ServiceAccount.", { default: "" }),
    name: str("Name of the user, group or service account.", { default: "" }),
    namespace: str("Namespace of a ServiceAccount subject."),
  }, { required: ["kind", "name"], "x-kubernetes-map-type": "atomic" }),
);

const LIMITS: Schema = named(
  `${TENANCY}.VirtualClusterLimits`,
  object("What the cluster may hold; admission refuses more (403).", {
    objects: int64("At most this many objects of every kind in the cluster."),
    namespaces: int64("At most this many namespaces in the cluster."),
  }),
);

const SPEC: Schema = named(
  `${TENANCY}.VirtualClusterSpec`,
  object("What the virtual cluster should be.", {
    admins: listOf(
      "Subjects bound to cluster-admin inside the cluster.",
      ref(SUBJECT),
      { "x-kubernetes-list-type": "atomic" },
    ),
    limits: ref(LIMITS, "Limits enforced at admission."),
  }),
);

const STATUS: Schema = named(
  `${TENANCY}.VirtualClusterStatus`,
  object("What the virtual cluster is.", {
    phase: str("Initializing, Ready or Terminating."),
    path: str("The URL path the cluster is served at (/clusters/<name>)."),
    objects: int64("How many objects the cluster holds (refreshed often)."),
    conditions: listOf("Conditions (Ready).", ref(CONDITION), {
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["type"],
    }),
  }),
);

/** `VirtualCluster`. */
export const VIRTUAL_CLUSTER: Schema = kindSchema(
  `${TENANCY}.VirtualCluster`,
  "A virtual cluster served by this control plane at /clusters/<name>.",
  {
    spec: ref(SPEC, "What the virtual cluster should be."),
    status: ref(STATUS, "What the virtual cluster is."),
  },
);

/** `VirtualClusterList`. */
export const VIRTUAL_CLUSTER_LIST: Schema = listSchema(
  `${TENANCY}.VirtualClusterList`,
  VIRTUAL_CLUSTER,
  "The virtual clusters.",
);
