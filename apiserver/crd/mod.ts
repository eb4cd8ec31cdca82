/**
 * CustomResourceDefinition semantics as libraries: CRD validation and
 * defaulting, status (accepted names, conditions, stored versions), the
 * per-version serving definitions (schema validation, pruning, defaulting,
 * CEL, status/scale subresources, printer columns, `None` conversion) and
 * the structural-schema toolkit in `schema/`. See `README.md` for how the
 * API server wires them in.
 *
 * ```ts
 * defaultCrd(crd);
 * const errs = validateCrd(crd);            // 422 causes when non-empty
 * crd.status = computeCrdStatus(crd, { others, now: new Date() });
 * const versions = crdToDefinitions(crd);  // one per served version
 * ```
 *
 * @module
 */

export * from "./types.ts";
export {
  defaultCrd,
  storageVersionOf,
  validateCrd,
  type ValidateCrdOptions,
  validateCrdUpdate,
  validateCrdUpdateRules,
  validateStoredVersions,
  WEBHOOK_UNSUPPORTED,
} from "./validate_crd.ts";
export {
  computeCrdStatus,
  type CrdStatusInput,
  isEstablished,
  isTerminating,
  namesAccepted,
  recordStoredVersion,
  type ServedNames,
  terminatingStatus,
} from "./status.ts";
export {
  apiVersionFor,
  convertNone,
  crdToDefinitions,
  type CustomResourceVersion,
  type ToDefinitionOptions,
} from "./to_definition.ts";
export {
  applyScale,
  getPath,
  scaleOf,
  type ScaleSubresource,
  scaleSubresource,
  setPath,
  validateScale,
} from "./scale.ts";
export {
  cellFor,
  DEFAULT_PRINTER_COLUMNS,
  printerColumns,
} from "./printer_columns.ts";
export {
  evalJsonPath,
  type JsonPath,
  JsonPathError,
  parseJsonPath,
  printJsonValue,
} from "./jsonpath.ts";
export {
  type CrdResourceOptions,
  customResourceDefinitions,
} from "./crd_resource.ts";
export { TERMINATING_STAGES, type TerminatingStage } from "./status.ts";
export * as crdSchema from "./schema/mod.ts";
export { finalizeAndDelete, type FinalizeOptions } from "./finalize.ts";
