/**
 * core/v1 ResourceQuota: hard limits per namespace (`spec.hard`), enforced by
 * the quota admission plugin (`admission/quota/`) against `status.used`,
 * which the `resourcequota` controller keeps exact. Validation is
 * upstream's `ValidateResourceQuota`: resource names, non-negative (and for
 * object counts whole) quantities, scopes and scope selectors. Quantities
 * are stored in canonical form (`1000m` → `1`), as upstream's encoding does.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  canonicalQuantity,
  formatQuantity,
  ZERO_QUANTITY,
} from "../validation/quantity.ts";
import { ageColumn, fields, nameColumn } from "./_columns.ts";
import { validateResourceQuota } from "./_resourcequota_validation.ts";
import type { ResourceDefinition, SubresourceDefinition } from "./types.ts";
import {
  RESOURCE_QUOTA,
  RESOURCE_QUOTA_LIST,
} from "../schema/core_v1_resourcequota.ts";

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

/** A map of quantities with every value in canonical form. */
function canonicalMap(value: unknown): unknown {
  const map = record(value);
  if (!map) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    out[k] = typeof v === "string" || typeof v === "number"
      ? canonicalQuantity(String(v))
      : v;
  }
  return out;
}

function canonicalSpec(obj: KubeObject): void {
  const spec = record(fields(obj).spec);
  if (spec?.hard !== undefined) spec.hard = canonicalMap(spec.hard);
}

function canonicalStatus(obj: KubeObject): void {
  const status = record(fields(obj).status);
  if (!status) return;
  if (status.hard !== undefined) status.hard = canonicalMap(status.hard);
  if (status.used !== undefined) status.used = canonicalMap(status.used);
}

/** `status`: only `.status` changes, its quantities canonical. */
const quotaStatusSubresource: SubresourceDefinition = {
  verbs: ["get", "patch", "update"],
  merge(next, old) {
    const out = structuredClone(old);
    if (next.status === undefined) delete out.status;
    else out.status = structuredClone(next.status);
    canonicalStatus(out);
    return out;
  },
};

/** `configmaps: 1/2, count/secrets: 0/5` — the quota's resources, sorted. */
function usageCell(obj: KubeObject, limits: boolean): string {
  const spec = record(fields(obj).spec) ?? {};
  const status = record(fields(obj).status) ?? {};
  const used = record(status.used) ?? {};
  const hard = record(status.hard) ?? {};
  const show = (v: unknown) =>
    typeof v === "string" ? v : formatQuantity(ZERO_QUANTITY);
  return Object.keys(record(spec.hard) ?? {}).sort()
    .filter((r) => {
      const pieces = r.split(".");
      return (pieces.length > 1 && pieces[0] === "limits") === limits;
    })
    .map((r) => `${r}: ${show(used[r])}/${show(hard[r])}`)
    .join(", ");
}

/** The `resourcequotas` resource. */
export const resourceQuotas: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  schema: RESOURCE_QUOTA,
  listSchema: RESOURCE_QUOTA_LIST,
  plural: "resourcequotas",
  singular: "resourcequota",
  shortNames: ["quota"],
  namespaced: true,
  subresources: { status: quotaStatusSubresource },
  prepareForCreate(obj) {
    // As upstream's strategy: a new quota's usage is the controller's to fill.
    delete fields(obj).status;
    canonicalSpec(obj);
  },
  prepareForUpdate(next) {
    canonicalSpec(next);
  },
  validate: validateResourceQuota,
  columns: [
    nameColumn,
    ageColumn,
    {
      name: "Request",
      type: "string",
      description:
        "Request represents a minimum amount of cpu/memory that a container may consume.",
      cell: (obj) => usageCell(obj, false),
    },
    {
      name: "Limit",
      type: "string",
      description:
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
      cell: (obj) => usageCell(obj, true),
    },
  ],
};
