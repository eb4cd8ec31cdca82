/**
 * Table columns of RoleBinding and ClusterRoleBinding.
 *
 * @module
 */

import { ageColumn, nameColumn } from "./_columns.ts";
import { roleRefCell, subjectsCell } from "./_rbac.ts";
import type { TableColumn } from "./types.ts";

/** Name, Role, Age, and (wide) Users, Groups, ServiceAccounts. */
export const bindingColumns: TableColumn[] = [
  nameColumn,
  {
    name: "Role",
    type: "string",
    description: "RoleRef references the role being granted.",
    cell: roleRefCell,
  },
  ageColumn,
  ...(["User", "Group", "ServiceAccount"] as const).map((kind) => ({
    name: `${kind}s`,
    type: "string",
    description: `${kind} subjects of the binding.`,
    priority: 1,
    cell: (obj: Parameters<typeof subjectsCell>[0]) => subjectsCell(obj, kind),
  })),
];
