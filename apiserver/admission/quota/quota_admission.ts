/**
 * The `ResourceQuota` validating admission plugin (upstream's quota
 * admission with its object count evaluators). On every create of a
 * namespaced object it finds the namespace's quotas that limit the kind
 * (`count/<resource>[.<group>]` or a legacy name), refuses the create with
 * upstream's 403 when one would be exceeded, and otherwise charges each of
 * them — `status.used` + 1, written with optimistic concurrency on the
 * quota (a lost race re-reads and re-checks; concurrent charges to one
 * quota are decided and written in batches, `charger.ts`) — before the
 * object is stored. Concurrent creators therefore never push usage above hard. A
 * create that fails after its charge leaves the quota over-counted until
 * the `resourcequota` controller recalculates it, as upstream. Dry runs are
 * checked and not charged; updates charge nothing (object counts change
 * only on create).
 *
 * @module
 */

import type { KubeObject, Store } from "../../../storage/mod.ts";
import { namespacePrefix, objectKey } from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import { forbiddenError } from "../../status/mod.ts";
import type { AdmissionAttributes, ValidatingAdmission } from "../admission.ts";
import { QuotaCharger } from "./charger.ts";
import { charge, QuotaRefusal, quotaView } from "./evaluate.ts";
import {
  type GroupResource,
  isIgnoredResource,
  objectCountNames,
} from "./resource_names.ts";
import { mask, type ResourceList, toJsonMap } from "./resource_list.ts";
import {
  compareQuantities,
  quantityOf,
  subtractQuantities,
} from "../../validation/quantity.ts";

const QUOTAS: GroupResource = { group: "", resource: "resourcequotas" };

/** The plugin's name, as upstream's. */
export const RESOURCE_QUOTA_PLUGIN = "ResourceQuota";

/** Builds the plugin over the `resourcequotas` store. */
export function resourceQuotaAdmission(
  quotas: Store,
  logger: Logger,
): ValidatingAdmission {
  const charger = new QuotaCharger(quotas);
  return {
    name: RESOURCE_QUOTA_PLUGIN,
    async validate(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource) return;
      if (!attrs.namespace) return;
      const gr = { group: attrs.group, resource: attrs.resource };
      if (isIgnoredResource(gr)) return;
      const delta: ResourceList = new Map(
        objectCountNames(gr).map((n) => [n, quantityOf(1)]),
      );
      const listed = await quotas.list(
        namespacePrefix({
          ...QUOTAS,
          cluster: attrs.cluster,
          namespace: attrs.namespace,
        }),
        { recursive: true, resourceVersion: "0" },
      );
      const candidates = listed.items
        .filter((q) => refuseOrApplies(attrs, q, delta))
        .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
      if (candidates.length === 0 || attrs.dryRun) return;
      const charged: string[] = [];
      try {
        for (const q of candidates) {
          const key = keyOf(attrs, q.metadata.name!);
          await charger.charge(key, delta);
          charged.push(key);
        }
      } catch (e) {
        // A later quota refused: give back what the earlier ones took.
        for (const key of charged) await refund(quotas, key, delta, logger);
        if (e instanceof QuotaRefusal) throw refused(attrs, e);
        throw e;
      }
    },
  };
}

function keyOf(attrs: AdmissionAttributes, name: string): string {
  return objectKey({
    ...QUOTAS,
    cluster: attrs.cluster,
    namespace: attrs.namespace,
    name,
  });
}

function refused(attrs: AdmissionAttributes, e: QuotaRefusal): Error {
  return forbiddenError(
    { group: attrs.group, resource: attrs.resource },
    attrs.name || attrs.object?.metadata.generateName || "Unknown",
    e.message,
  );
}

/** True when `quota` limits the create; throws the 403 when it refuses it. */
function refuseOrApplies(
  attrs: AdmissionAttributes,
  quota: KubeObject,
  delta: ResourceList,
): boolean {
  try {
    return charge(quotaView(quota), delta) !== undefined;
  } catch (e) {
    if (e instanceof QuotaRefusal) throw refused(attrs, e);
    throw e;
  }
}

/** Takes one create's charge back from the quota at `key` (best effort). */
async function refund(
  quotas: Store,
  key: string,
  delta: ResourceList,
  logger: Logger,
): Promise<void> {
  try {
    await quotas.guaranteedUpdate(key, {
      tryUpdate: (current) => {
        const view = quotaView(current!);
        const used = new Map(view.used);
        for (const [k, q] of mask(delta, view.used.keys())) {
          const next = subtractQuantities(used.get(k)!, q);
          if (compareQuantities(next, quantityOf(0)) >= 0) used.set(k, next);
        }
        const status = (current as Record<string, unknown>).status as Record<
          string,
          unknown
        >;
        return { ...current!, status: { ...status, used: toJsonMap(used) } };
      },
    });
  } catch (error) {
    // The controller's recalculation corrects the count.
    logger.warn("quota refund failed", { key, error });
  }
}
