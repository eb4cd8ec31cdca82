/**
 * Server-side apply and `managedFields`: field sets with the FieldsV1
 * encoding, apply with conflict detection, and ownership tracking for
 * ordinary writes — driven by the kind's structural schema
 * (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
 * `x-kubernetes-map-type`).
 *
 * @module
 */

export * from "./cap_managers.ts";
export * from "./errors.ts";
export * from "./field_manager.ts";
export * from "./last_applied.ts";
export * from "./manager_name.ts";
export {
  decodeManagedFields,
  encodeManagedFields,
  isResetRequest,
  type ManagedFieldsEntry,
  type ManagedFieldsOperation,
  managerId,
  type ManagerKey,
  type ManagerRecord,
  type Managers,
} from "./managed_fields.ts";
export {
  FieldSet,
  FieldsV1Error,
  fromFieldsV1,
  toFieldsV1,
} from "./field_set.ts";
export {
  type FieldPath,
  fieldPath,
  type PathElement,
  pathString,
} from "./path.ts";
export { toFieldSet } from "./to_field_set.ts";
export { compare, type Comparison } from "./compare.ts";
