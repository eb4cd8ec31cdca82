/**
 * rbac.authorization.k8s.io/v1 ClusterRole.
 *
 * @module
 */

import { pathSegmentName } from "../validation/names.ts";
import { createdAtColumn, nameColumn } from "./_columns.ts";
import { RBAC_GROUP, validateRules } from "./_rbac.ts";
import type { ResourceDefinition } from "./types.ts";

/** The `clusterroles` resource. */
export const clusterRoles: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "ClusterRole",
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  validateName: pathSegmentName,
  allowCreateOnUpdate: true,
  validate: (obj) => validateRules(obj, false),
  columns: [nameColumn, createdAtColumn],
};
