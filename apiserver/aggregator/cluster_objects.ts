/**
 * What the aggregator writes into a virtual cluster's storage: the
 * `extension-apiserver-authentication` ConfigMap, the local APIServices
 * (created when missing, removed when their group/version is no longer
 * served) and the `Available` condition of a checked APIService. Kept apart
 * from `aggregator.ts`, which decides when; these functions only write.
 *
 * @module
 */

import {
  clusterPrefix,
  isStorageError,
  type KubeObject,
  objectKey,
  type Store,
} from "../../storage/mod.ts";
import {
  createQuietly,
  createQuietlyOrUpdate,
} from "../../storage/cacher/mod.ts";
import { jsonEqual } from "../../internal/json.ts";
import { rfc3339 } from "../../internal/time.ts";
import { availableCondition } from "../resources/apiservices.ts";
import type { ApiServiceCondition } from "../resources/apiservices.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { prepareCreate } from "../handlers/strategy.ts";
import { withTypeMeta } from "../handlers/context.ts";
import { AUTHENTICATION_CONFIGMAP } from "./authentication_configmap.ts";
import {
  isAutomanagedLocal,
  localApiService,
  type LocalGroupVersion,
} from "./local_apiservices.ts";

/** A kind and its store. */
export interface KindStore {
  def: ResourceDefinition;
  store: Store;
}

function authKey(def: ResourceDefinition, cluster: string): string {
  return objectKey({
    resource: def.plural,
    cluster,
    namespace: "kube-system",
    name: AUTHENTICATION_CONFIGMAP,
  });
}

/** True when `cluster` has its authentication ConfigMap (it was bootstrapped and not deleted). */
export async function hasAuthenticationConfigMap(
  configMaps: KindStore,
  cluster: string,
): Promise<boolean> {
  try {
    await configMaps.store.get(authKey(configMaps.def, cluster));
    return true;
  } catch (e) {
    if (isStorageError(e, "NotFound")) return false;
    throw e;
  }
}

/** Creates the ConfigMap, or updates its `data` when it differs. */
export async function writeAuthenticationConfigMap(
  configMaps: KindStore,
  cluster: string,
  data: Record<string, string>,
  now: Date,
): Promise<void> {
  const { def, store } = configMaps;
  // A fresh object per call: a create hands it over to the store.
  const make = () =>
    prepareCreate(
      def,
      withTypeMeta(def, {
        metadata: {
          name: AUTHENTICATION_CONFIGMAP,
          namespace: "kube-system",
        },
        data: { ...data },
      } as KubeObject),
      now,
    );
  await createQuietlyOrUpdate(store, authKey(def, cluster), make, {
    ignoreNotFound: true,
    tryUpdate: (cur) => {
      if (!cur) return make();
      if (jsonEqual(cur.data, data)) return cur;
      return { ...structuredClone(cur), data };
    },
  });
}

/**
 * Makes `cluster`'s local APIServices match `wanted`: the missing ones are
 * created (with their `Local` condition), automanaged local ones no longer
 * wanted are deleted unless `prune` is false; anything a user wrote is left
 * alone.
 */
export async function syncLocalApiServices(
  apiServices: KindStore,
  cluster: string,
  wanted: readonly LocalGroupVersion[],
  now: Date,
  prune = true,
): Promise<void> {
  const { def, store } = apiServices;
  const key = (name: string) =>
    objectKey({ group: def.group, resource: def.plural, cluster, name });
  const want = new Map(wanted.map((gv) => [`${gv.version}.${gv.group}`, gv]));
  const { items } = await store.list(
    clusterPrefix({ group: def.group, resource: def.plural, cluster }),
    { recursive: true },
  );
  const have = new Map(items.map((o) => [o.metadata.name ?? "", o]));
  // All at once: a new cluster's ~20 creates share the backend's batches.
  const writes: Promise<unknown>[] = [];
  for (const [name, gv] of want) {
    if (have.has(name)) continue;
    const obj = localApiService(gv, now);
    const status = obj.status;
    // prepareCreate drops a new object's status (the kind's strategy).
    const prepared = prepareCreate(def, obj, now);
    prepared.status = status;
    writes.push(
      // Not read back (`createQuietly`: no decode of the stored object).
      createQuietly(store, key(name), prepared).catch((e) => {
        if (!isStorageError(e, "KeyExists")) throw e;
      }),
    );
  }
  for (const [name, obj] of prune ? have : []) {
    if (want.has(name) || !isAutomanagedLocal(obj)) continue;
    writes.push(
      store.delete(key(name)).catch((e) => {
        if (!isStorageError(e, "NotFound")) throw e;
      }),
    );
  }
  const failed = (await Promise.allSettled(writes)).find((r) =>
    r.status === "rejected"
  );
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Sets the `Available` condition of an APIService; a condition equal in
 * status, reason and message is not written, and `lastTransitionTime`
 * changes only with the status.
 */
export async function writeAvailableCondition(
  apiServices: KindStore,
  cluster: string,
  name: string,
  condition: Omit<ApiServiceCondition, "lastTransitionTime">,
  now: Date,
): Promise<void> {
  const { def, store } = apiServices;
  const key = objectKey({
    group: def.group,
    resource: def.plural,
    cluster,
    name,
  });
  await store.guaranteedUpdate(key, {
    tryUpdate: (found) => {
      const cur = found!;
      const old = availableCondition(cur);
      const c = condition;
      if (
        old && old.status === c.status && old.reason === c.reason &&
        old.message === c.message
      ) {
        return cur;
      }
      const next = structuredClone(cur);
      const status = (next.status ?? {}) as { conditions?: unknown[] };
      const others = (status.conditions ?? []).filter((x) =>
        (x as { type?: string }).type !== "Available"
      );
      const lastTransitionTime = old?.status === c.status &&
          old.lastTransitionTime
        ? old.lastTransitionTime
        : rfc3339(now);
      next.status = {
        ...status,
        conditions: [...others, { ...c, lastTransitionTime }],
      };
      return next;
    },
  });
}
