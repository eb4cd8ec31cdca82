/**
 * rbac.authorization.k8s.io/v1 RoleBinding.
 *
 * @module
 */

import { pathSegmentName } from "../validation/names.ts";
import { bindingColumns } from "./_binding_columns.ts";
import {
  defaultSubjects,
  RBAC_GROUP,
  validateBinding,
  validateRoleRefUpdate,
} from "./_rbac.ts";
import type { ResourceDefinition } from "./types.ts";
import { ROLE_BINDING, ROLE_BINDING_LIST } from "../schema/rbac_v1.ts";

/** The `rolebindings` resource. */
export const roleBindings: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "RoleBinding",
  schema: ROLE_BINDING,
  listSchema: ROLE_BINDING_LIST,
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  validateName: pathSegmentName,
  allowCreateOnUpdate: true,
  validate: (obj) => validateBinding(obj, ["Role", "ClusterRole"], false),
  validateUpdate: validateRoleRefUpdate,
  default: defaultSubjects,
  prepareForCreate: defaultSubjects,
  prepareForUpdate: (next) => defaultSubjects(next),
  columns: bindingColumns,
};
