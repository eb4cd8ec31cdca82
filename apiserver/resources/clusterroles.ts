/**
 * rbac.authorization.k8s.io/v1 ClusterRole.
 *
 * @module
 */

import { pathSegmentName } from "../validation/names.ts";
import { createdAtColumn, nameColumn } from "./_columns.ts";
import { RBAC_GROUP, validateRules } from "./_rbac.ts";
import type { ResourceDefinition } from "./types.ts";
import { CLUSTER_ROLE, CLUSTER_ROLE_LIST } from "../schema/rbac_v1.ts";

/** The `clusterroles` resource. */
export const clusterRoles: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "ClusterRole",
  schema: CLUSTER_ROLE,
  listSchema: CLUSTER_ROLE_LIST,
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  validateName: pathSegmentName,
  allowCreateOnUpdate: true,
  validate: (obj) => validateRules(obj, false),
  columns: [nameColumn, createdAtColumn],
};
