/**
 * rbac.authorization.k8s.io/v1 Role (stored and served; enforcement comes
 * with the RBAC authorizer).
 *
 * @module
 */

import { pathSegmentName } from "../validation/names.ts";
import { createdAtColumn, nameColumn } from "./_columns.ts";
import { RBAC_GROUP, validateRules } from "./_rbac.ts";
import type { ResourceDefinition } from "./types.ts";
import { ROLE, ROLE_LIST } from "../schema/rbac_v1.ts";

/** The `roles` resource. */
export const roles: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "Role",
  schema: ROLE,
  listSchema: ROLE_LIST,
  plural: "roles",
  singular: "role",
  namespaced: true,
  validateName: pathSegmentName,
  allowCreateOnUpdate: true,
  validate: (obj) => validateRules(obj, true),
  columns: [nameColumn, createdAtColumn],
};
