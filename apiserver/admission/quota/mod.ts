/**
 * Resource quota admission: object-count quotas (`count/<resource>`,
 * `count/<resource>.<group>`, legacy `configmaps`/`secrets`/
 * `resourcequotas`) enforced on create by charging `status.used` of the
 * namespace's ResourceQuotas with optimistic concurrency. See `README.md`.
 *
 * @example
 * ```ts
 * // BUILTIN_ADMISSION (admission/builtin.ts), last:
 * const factories = [resourceQuotaPlugins];
 * ```
 *
 * @module
 */

import type { AdmissionContext, AdmissionPlugins } from "../builtin.ts";
import { resourceQuotaAdmission } from "./quota_admission.ts";

export {
  RESOURCE_QUOTA_PLUGIN,
  resourceQuotaAdmission,
} from "./quota_admission.ts";
export {
  applies,
  charge,
  QuotaRefusal,
  type QuotaView,
  quotaView,
} from "./evaluate.ts";
export {
  countedResource,
  type GroupResource,
  isIgnoredResource,
  LEGACY_OBJECT_COUNT_NAMES,
  objectCountName,
  objectCountNames,
} from "./resource_names.ts";
export {
  add,
  equalLists,
  exceeded,
  mask,
  prettyPrint,
  type ResourceList,
  resourceListOf,
  toJsonMap,
} from "./resource_list.ts";

/**
 * The quota plugin for `BUILTIN_ADMISSION`: nothing when the server does
 * not serve `resourcequotas`.
 */
export function resourceQuotaPlugins(ctx: AdmissionContext): AdmissionPlugins {
  const def = ctx.builtin("", "v1", "resourcequotas");
  if (!def) return {};
  return {
    validating: [
      resourceQuotaAdmission(
        ctx.storeFor(def),
        ctx.logger.with({ admission: "ResourceQuota" }),
      ),
    ],
  };
}
