/**
 * rbac.authorization.k8s.io/v1 ClusterRoleBinding.
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
import {
  CLUSTER_ROLE_BINDING,
  CLUSTER_ROLE_BINDING_LIST,
} from "../schema/rbac_v1.ts";

/** The `clusterrolebindings` resource. */
export const clusterRoleBindings: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "ClusterRoleBinding",
  schema: CLUSTER_ROLE_BINDING,
  listSchema: CLUSTER_ROLE_BINDING_LIST,
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  validateName: pathSegmentName,
  allowCreateOnUpdate: true,
  validate: (obj) => validateBinding(obj, ["ClusterRole"], true),
  validateUpdate: validateRoleRefUpdate,
  default: defaultSubjects,
  prepareForCreate: defaultSubjects,
  prepareForUpdate: (next) => defaultSubjects(next),
  columns: bindingColumns,
};
