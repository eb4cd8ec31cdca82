/**
 * coordination.k8s.io/v1 Lease (leader election, node heartbeats).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  invalid,
  typeInvalid,
} from "../validation/field_error.ts";
import { ageColumn, fields, nameColumn, str } from "./_columns.ts";
import type { ResourceDefinition } from "./types.ts";
import { LEASE, LEASE_LIST } from "../schema/coordination_v1.ts";

function spec(obj: KubeObject): Record<string, unknown> {
  const s = fields(obj).spec;
  return s && typeof s === "object" ? s as Record<string, unknown> : {};
}

const MICRO_TIME =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/** The `leases` resource. */
export const leases: ResourceDefinition = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  schema: LEASE,
  listSchema: LEASE_LIST,
  plural: "leases",
  singular: "lease",
  namespaced: true,
  allowCreateOnUpdate: true,
  hasGeneration: true,
  validate(obj) {
    const s = spec(obj);
    const errs: FieldError[] = [];
    for (const f of ["leaseDurationSeconds", "leaseTransitions"]) {
      const v = s[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== "number" || !Number.isInteger(v)) {
        errs.push(typeInvalid(`spec.${f}`, v, "must be an integer"));
      } else if (f === "leaseDurationSeconds" && v <= 0) {
        errs.push(invalid(`spec.${f}`, v, "must be greater than 0"));
      } else if (v < 0) {
        errs.push(
          invalid(`spec.${f}`, v, "must be greater than or equal to 0"),
        );
      }
    }
    for (const f of ["acquireTime", "renewTime"]) {
      const v = s[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string" || !MICRO_TIME.test(v)) {
        errs.push(invalid(`spec.${f}`, v, "must be an RFC 3339 timestamp"));
      }
    }
    const h = s.holderIdentity;
    if (h !== undefined && h !== null && typeof h !== "string") {
      errs.push(typeInvalid("spec.holderIdentity", h, "must be a string"));
    }
    return errs;
  },
  columns: [
    nameColumn,
    {
      name: "Holder",
      type: "string",
      description: "The holder of the lease.",
      cell: (obj) => str(spec(obj).holderIdentity),
    },
    ageColumn,
  ],
};
