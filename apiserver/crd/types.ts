/**
 * The `apiextensions.k8s.io/v1` `CustomResourceDefinition` object, as far as
 * hyperplane reads it. Field names follow upstream's JSON exactly.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { Schema } from "../schema/types.ts";

/** The API group of CRDs. */
export const CRD_GROUP = "apiextensions.k8s.io";
/** `apiextensions.k8s.io/v1`. */
export const CRD_API_VERSION = "apiextensions.k8s.io/v1";
/** The finalizer that removes every custom resource before the CRD goes. */
export const CRD_CLEANUP_FINALIZER =
  "customresourcecleanup.apiextensions.k8s.io";

/** `spec.names` / `status.acceptedNames`. */
export interface CrdNames {
  plural?: string;
  singular?: string;
  shortNames?: string[];
  kind?: string;
  listKind?: string;
  categories?: string[];
}

/** `subresources.scale`. */
export interface CrdScale {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
}

/** `versions[].subresources`. */
export interface CrdSubresources {
  status?: Record<string, never> | Record<string, unknown>;
  scale?: CrdScale;
}

/** `versions[].additionalPrinterColumns[]`. */
export interface PrinterColumn {
  name?: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath?: string;
}

/** `versions[].selectableFields[]`. */
export interface SelectableField {
  jsonPath?: string;
}

/** One entry of `spec.versions`. */
export interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: CrdSubresources;
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: SelectableField[];
}

/** `spec.conversion`. */
export interface CrdConversion {
  strategy?: string;
  webhook?: Record<string, unknown>;
}

/** `spec`. */
export interface CrdSpec {
  group?: string;
  names?: CrdNames;
  scope?: string;
  versions?: CrdVersion[];
  conversion?: CrdConversion;
  preserveUnknownFields?: boolean;
}

/** One condition of `status.conditions`. */
export interface CrdCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** `status`. */
export interface CrdStatus {
  conditions?: CrdCondition[];
  acceptedNames?: CrdNames;
  storedVersions?: string[];
}

/** A `CustomResourceDefinition`. */
export interface CustomResourceDefinition extends KubeObject {
  spec: CrdSpec;
  status?: CrdStatus;
}
