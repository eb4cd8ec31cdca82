/**
 * The `apiextensions.k8s.io/v1` `customresourcedefinitions` kind itself, as
 * a {@linkcode ResourceDefinition} for the generic handlers, after
 * upstream's `customresourcedefinition` strategy: cluster-scoped, full CRD
 * validation (422 with causes), status reset on create (only the storage
 * version recorded), `status` subresource, generation bumps on spec
 * changes, and a first DELETE that only marks the CRD (finalizer
 * `customresourcecleanup.apiextensions.k8s.io`, `Terminating` condition)
 * so the cleanup controller can remove every custom resource first.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { statusSubresourceMerge } from "./_status_subresource.ts";
import { CRD_SCHEMA } from "./crd_schema.ts";
import { DEFAULT_PRINTER_COLUMNS, printerColumns } from "./printer_columns.ts";
import { CelRules } from "./schema/cel.ts";
import { recordStoredVersion, terminatingStatus } from "./status.ts";
import {
  CRD_CLEANUP_FINALIZER,
  type CustomResourceDefinition,
} from "./types.ts";
import {
  defaultCrd,
  validateCrd,
  validateCrdUpdateRules,
} from "./validate_crd.ts";

function asCrd(obj: KubeObject): CustomResourceDefinition {
  return obj as CustomResourceDefinition;
}

/** Options for {@linkcode customResourceDefinitions}. */
export interface CrdResourceOptions {
  /** The clock for `Terminating` transitions. */
  now?: () => Date;
}

/** The `customresourcedefinitions` kind. */
export function customResourceDefinitions(
  opts: CrdResourceOptions = {},
): ResourceDefinition {
  const cel = new CelRules();
  const now = opts.now ?? (() => new Date());
  return {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    singular: "customresourcedefinition",
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    namespaced: false,
    schema: CRD_SCHEMA,
    hasGeneration: true,
    columns: [
      printerColumns([])[0],
      {
        name: "Created At",
        type: "date",
        description: DEFAULT_PRINTER_COLUMNS[0].description ?? "",
        cell: (o: KubeObject) => o.metadata.creationTimestamp ?? "",
      },
    ],
    subresources: {
      status: statusSubresourceMerge(() => {}),
    },
    default: (obj) => defaultCrd(asCrd(obj)),
    prepareForCreate(obj) {
      const crd = asCrd(obj);
      defaultCrd(crd);
      crd.status = { storedVersions: [] };
      crd.status.storedVersions = recordStoredVersion(crd);
    },
    prepareForUpdate(next) {
      const crd = asCrd(next);
      defaultCrd(crd);
      crd.status = { ...crd.status, storedVersions: recordStoredVersion(crd) };
    },
    validate: (obj) => validateCrd(asCrd(obj), { cel }),
    validateUpdate: (next, old) =>
      validateCrdUpdateRules(asCrd(next), asCrd(old)),
    pendingFinalizers: (obj) =>
      obj.metadata.deletionTimestamp === undefined ||
      (obj.metadata.finalizers?.length ?? 0) > 0,
    prepareForDeletion(obj) {
      const crd = asCrd(obj);
      const fins = crd.metadata.finalizers ?? [];
      if (!fins.includes(CRD_CLEANUP_FINALIZER)) {
        crd.metadata.finalizers = [...fins, CRD_CLEANUP_FINALIZER];
      }
      const terminating = crd.status?.conditions?.some((c) =>
        c.type === "Terminating" && c.status === "True"
      );
      if (!terminating) {
        crd.status = terminatingStatus(crd, now(), "InstanceDeletionPending");
      }
    },
  };
}
