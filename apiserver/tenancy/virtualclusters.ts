/**
 * `tenancy.hyperplane.dev/v1alpha1` `VirtualCluster` (plural
 * `virtualclusters`, short name `vc`, cluster-scoped): one object in the
 * `root` cluster per virtual cluster. Its name is the cluster's name (a
 * DNS-1123 label, never `root`); `spec.admins` become cluster-admins inside
 * it, `spec.limits` bound what it may hold. The lifecycle controller
 * (`lifecycle.ts`) writes `status` and holds the teardown finalizer.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  invalid,
  notSupported,
  required,
  typeInvalid,
} from "../validation/field_error.ts";
import { labelName } from "../validation/names.ts";
import { humanDuration } from "../table/duration.ts";
import type { ResourceDefinition, TableColumn } from "../resources/types.ts";
import { VIRTUAL_CLUSTER } from "./schema.ts";
import {
  clusterPath,
  ROOT_CLUSTER,
  TEARDOWN_FINALIZER,
  TENANCY_GROUP,
  TENANCY_VERSION,
  VIRTUAL_CLUSTERS,
  type VirtualCluster,
} from "./types.ts";

const SUBJECT_KINDS = ["User", "Group", "ServiceAccount"];
const RBAC_GROUP = "rbac.authorization.k8s.io";

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

function validateAdmins(admins: unknown): FieldError[] {
  if (admins === undefined || admins === null) return [];
  if (!Array.isArray(admins)) {
    return [typeInvalid("spec.admins", admins, "must be a list of subjects")];
  }
  const errs: FieldError[] = [];
  admins.forEach((a, i) => {
    const path = `spec.admins[${i}]`;
    const s = record(a);
    if (!s) {
      errs.push(typeInvalid(path, a, "must be a subject"));
      return;
    }
    if (typeof s.name !== "string" || s.name === "") {
      errs.push(required(`${path}.name`));
    }
    if (!SUBJECT_KINDS.includes(String(s.kind))) {
      errs.push(notSupported(`${path}.kind`, s.kind, SUBJECT_KINDS));
      return;
    }
    const group = s.apiGroup ?? (s.kind === "ServiceAccount" ? "" : RBAC_GROUP);
    if (s.kind === "ServiceAccount") {
      if (group !== "") {
        errs.push(notSupported(`${path}.apiGroup`, group, [""]));
      }
      if (typeof s.namespace !== "string" || s.namespace === "") {
        errs.push(required(`${path}.namespace`));
      }
    } else {
      if (group !== RBAC_GROUP) {
        errs.push(notSupported(`${path}.apiGroup`, group, [RBAC_GROUP]));
      }
      if (s.namespace) {
        errs.push(
          invalid(
            `${path}.namespace`,
            s.namespace,
            "must be empty for users and groups",
          ),
        );
      }
    }
  });
  return errs;
}

function validateLimits(limits: unknown): FieldError[] {
  if (limits === undefined || limits === null) return [];
  const l = record(limits);
  if (!l) return [typeInvalid("spec.limits", limits, "must be an object")];
  const errs: FieldError[] = [];
  for (const f of ["objects", "namespaces"]) {
    const v = l[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      errs.push(
        invalid(`spec.limits.${f}`, v, "must be a whole number, 0 or more"),
      );
    }
  }
  return errs;
}

/** Fills `apiGroup` of each admin as a RoleBinding's subjects are defaulted. */
function defaultAdmins(obj: KubeObject): void {
  const admins = record(obj.spec)?.admins;
  if (!Array.isArray(admins)) return;
  for (const a of admins) {
    const s = record(a);
    if (!s || s.apiGroup !== undefined) continue;
    if (s.kind === "User" || s.kind === "Group") s.apiGroup = RBAC_GROUP;
    else if (s.kind === "ServiceAccount") s.apiGroup = "";
  }
}

function status(obj: KubeObject): NonNullable<VirtualCluster["status"]> {
  return (obj as VirtualCluster).status ?? {};
}

const columns: TableColumn[] = [
  {
    name: "Name",
    type: "string",
    format: "name",
    description: "The cluster's name (its path is /clusters/<name>).",
    cell: (obj) => obj.metadata.name ?? "",
  },
  {
    name: "Phase",
    type: "string",
    description: "Initializing, Ready or Terminating.",
    cell: (obj) => status(obj).phase ?? "",
  },
  {
    name: "Objects",
    type: "integer",
    description: "How many objects the cluster holds.",
    cell: (obj) => status(obj).objects ?? 0,
  },
  {
    name: "Age",
    type: "string",
    description: "Time since the cluster was created.",
    cell: (obj, now) => {
      const t = Date.parse(obj.metadata.creationTimestamp ?? "");
      return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
    },
  },
  {
    name: "Path",
    type: "string",
    priority: 1,
    description: "The URL path the cluster is served at.",
    cell: (obj) => status(obj).path ?? "",
  },
];

/** The `virtualclusters` resource (served in `root` only). */
export const virtualClusters: ResourceDefinition = {
  group: TENANCY_GROUP,
  version: TENANCY_VERSION,
  kind: "VirtualCluster",
  plural: VIRTUAL_CLUSTERS,
  singular: "virtualcluster",
  shortNames: ["vc"],
  namespaced: false,
  hasGeneration: true,
  schema: VIRTUAL_CLUSTER,
  validateName: (name, prefix) => {
    const problems = labelName(name, prefix);
    if (!prefix && name === ROOT_CLUSTER) {
      problems.push(
        `"${ROOT_CLUSTER}" is reserved: the root cluster always exists`,
      );
    }
    return problems;
  },
  // Root has no object, but a delete of it is refused as such (403), as
  // the immortal namespaces are, rather than answered "not found".
  undeletable: {
    names: [ROOT_CLUSTER],
    reason: "the root cluster always exists and cannot be deleted",
  },
  prepareForCreate(obj) {
    // Born initializing, held by the teardown finalizer (so its data is
    // removed before it goes), as a namespace is born with its finalizer.
    const name = obj.metadata.name ?? "";
    (obj as VirtualCluster).status = {
      phase: "Initializing",
      path: clusterPath(name),
    };
    const finalizers = obj.metadata.finalizers ?? [];
    if (!finalizers.includes(TEARDOWN_FINALIZER)) {
      obj.metadata.finalizers = [...finalizers, TEARDOWN_FINALIZER];
    }
    defaultAdmins(obj);
  },
  prepareForUpdate(next) {
    defaultAdmins(next);
  },
  validate(obj) {
    const spec = obj.spec;
    if (spec !== undefined && spec !== null && !record(spec)) {
      return [typeInvalid("spec", spec, "must be an object")];
    }
    return [
      ...validateAdmins(record(spec)?.admins),
      ...validateLimits(record(spec)?.limits),
    ];
  },
  columns,
  subresources: {
    status: {
      verbs: ["get", "patch", "update"],
      merge(next, old) {
        const out = structuredClone(old);
        if (next.status === undefined) delete out.status;
        else out.status = structuredClone(next.status);
        return out;
      },
    },
  },
};
