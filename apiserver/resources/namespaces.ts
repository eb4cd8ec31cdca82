/**
 * core/v1 Namespace. Differs from the generic kinds in three named ways:
 * its phase (`Active`, `Terminating`) is server-owned; `spec.finalizers`
 * (default `kubernetes`) hold deletion like `metadata.finalizers`; and the
 * `finalize` subresource is the only way to change `spec.finalizers`.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  invalid,
  typeInvalid,
} from "../validation/field_error.ts";
import { isQualifiedName, labelName } from "../validation/names.ts";
import { ageColumn, fields, nameColumn, str } from "./_columns.ts";
import { statusSubresource } from "./_subresources.ts";
import type { ResourceDefinition, SubresourceDefinition } from "./types.ts";
import { NAMESPACE, NAMESPACE_LIST } from "../schema/core_v1.ts";

/** The finalizer the namespace controller removes once the namespace is empty. */
export const KUBERNETES_FINALIZER = "kubernetes";
/** The namespaces no one may delete, in every cluster (as upstream). */
export const IMMORTAL_NAMESPACES: readonly string[] = Object.freeze([
  "default",
  "kube-system",
  "kube-public",
]);

/** The label every namespace carries with its own name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

function spec(obj: KubeObject): Record<string, unknown> {
  const s = fields(obj).spec;
  return s && typeof s === "object" ? s as Record<string, unknown> : {};
}

function specFinalizers(obj: KubeObject): unknown[] {
  const f = spec(obj).finalizers;
  return Array.isArray(f) ? f : [];
}

function setNameLabel(obj: KubeObject): void {
  if (!obj.metadata.name) return;
  obj.metadata.labels = {
    ...(obj.metadata.labels ?? {}),
    [NAMESPACE_NAME_LABEL]: obj.metadata.name,
  };
}

/** `finalize`: an update changes only `spec.finalizers`. */
const finalizeSubresource: SubresourceDefinition = {
  verbs: ["update"],
  merge(next, old) {
    const out = structuredClone(old);
    out.spec = {
      ...spec(old),
      finalizers: structuredClone(specFinalizers(next)),
    };
    return out;
  },
};

/** The `namespaces` resource. */
export const namespaces: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Namespace",
  schema: NAMESPACE,
  listSchema: NAMESPACE_LIST,
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  validateName: labelName,
  hasGeneration: false,
  returnDeletedObject: true,
  propagationPolicyOnFirstDeleteOnly: true,
  // Upstream's namespace storage has no collection delete.
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  // Upstream's NamespaceLifecycle admission keeps these forever.
  undeletable: {
    names: IMMORTAL_NAMESPACES,
    reason: "this namespace may not be deleted",
  },
  subresources: { status: statusSubresource, finalize: finalizeSubresource },
  default: setNameLabel,
  prepareForCreate(obj) {
    const fin = specFinalizers(obj);
    obj.spec = {
      ...spec(obj),
      finalizers: fin.includes(KUBERNETES_FINALIZER)
        ? fin
        : [...fin, KUBERNETES_FINALIZER],
    };
    obj.status = { phase: "Active" };
    setNameLabel(obj);
  },
  prepareForUpdate(next, old) {
    next.spec = {
      ...spec(next),
      finalizers: structuredClone(specFinalizers(old)),
    };
    setNameLabel(next);
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const f = spec(obj).finalizers;
    if (f !== undefined && !Array.isArray(f)) {
      return [typeInvalid("spec.finalizers", f, "must be a list of strings")];
    }
    specFinalizers(obj).forEach((v, i) => {
      const field = `spec.finalizers[${i}]`;
      if (typeof v !== "string") {
        errs.push(typeInvalid(field, v, "must be a string"));
        return;
      }
      for (const m of isQualifiedName(v)) errs.push(invalid(field, v, m));
      if (!v.includes("/") && v !== KUBERNETES_FINALIZER) {
        errs.push(
          invalid(
            field,
            v,
            "name is neither a standard finalizer name nor is it fully qualified",
          ),
        );
      }
    });
    return errs;
  },
  pendingFinalizers: (obj) =>
    (obj.metadata.finalizers?.length ?? 0) > 0 ||
    specFinalizers(obj).length > 0,
  prepareForDeletion(obj) {
    obj.status = {
      ...(fields(obj).status as Record<string, unknown> ?? {}),
      phase: "Terminating",
    };
  },
  selectableFields: (obj) => ({
    "status.phase": str((fields(obj).status as Record<string, unknown>)?.phase),
  }),
  columns: [
    nameColumn,
    {
      name: "Status",
      type: "string",
      description: "The status of the namespace (Active or Terminating).",
      cell: (obj) =>
        str((fields(obj).status as Record<string, unknown>)?.phase),
    },
    ageColumn,
  ],
};
