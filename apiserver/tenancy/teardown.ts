/**
 * Removes every key of one virtual cluster from storage, in bulk in the
 * backend (`Store.deletePrefix` per resource: one range delete, not one
 * request per object): first the custom resources of each of the cluster's
 * CRDs (read before anything is deleted), then every built-in resource,
 * the CRDs last — so a teardown cut short by a restart finds the CRDs it
 * still needs and simply runs again.
 *
 * @module
 */

import {
  clusterPrefix,
  type KubeObject,
  type ResourceRef,
  type StoreFactory,
} from "../../storage/mod.ts";
import { CRD_GROUP } from "../crd/mod.ts";

const CRDS: ResourceRef = {
  group: CRD_GROUP,
  resource: "customresourcedefinitions",
};

/** What a teardown removed. */
export interface TeardownResult {
  /** Keys deleted. */
  deleted: number;
  /** Resources whose prefix was deleted (custom ones included). */
  resources: number;
}

function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return (a.group ?? "") === (b.group ?? "") && a.resource === b.resource;
}

/** The group and plural of a stored CRD, if it names them. */
function customResourceOf(crd: KubeObject): ResourceRef | undefined {
  const spec = crd.spec as
    | { group?: unknown; names?: { plural?: unknown } }
    | undefined;
  const group = spec?.group;
  const plural = spec?.names?.plural;
  if (typeof group !== "string" || typeof plural !== "string") return;
  if (!group || !plural || group.includes("/") || plural.includes("/")) return;
  return { group, resource: plural };
}

/**
 * Deletes all of `cluster`'s data: the custom resources of its CRDs, each
 * resource of `builtins` (stored resources; duplicates are skipped), then
 * its CRDs.
 */
export async function removeClusterData(
  storage: Pick<StoreFactory, "storeFor">,
  builtins: readonly ResourceRef[],
  cluster: string,
): Promise<TeardownResult> {
  const crdStore = storage.storeFor(CRDS);
  const crds = await crdStore.list(clusterPrefix({ ...CRDS, cluster }), {
    recursive: true,
  });
  const order: ResourceRef[] = [];
  const add = (ref: ResourceRef) => {
    if (!order.some((r) => sameRef(r, ref))) order.push(ref);
  };
  for (const crd of crds.items) {
    const ref = customResourceOf(crd);
    if (ref) add(ref);
  }
  for (const ref of builtins) if (!sameRef(ref, CRDS)) add(ref);
  add(CRDS);
  let deleted = 0;
  for (const ref of order) {
    const r = await storage.storeFor(ref).deletePrefix(
      clusterPrefix({ ...ref, cluster }),
    );
    deleted += r.deleted;
  }
  return { deleted, resources: order.length };
}
