/**
 * Removes every stored custom resource of a CRD in one cluster (all
 * namespaces), as upstream's finalizing controller does before it lets a
 * CRD go: objects without finalizers are deleted, objects with finalizers
 * are marked with a deletionTimestamp and waited for.
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
import { rfc3339 } from "../handlers/strategy.ts";

/** Where a CRD's objects live in one cluster. */
export interface InstanceRef {
  store: Store;
  group: string;
  plural: string;
  cluster: string;
}

function keyOf(ref: InstanceRef, obj: KubeObject): string {
  return objectKey({
    group: ref.group,
    resource: ref.plural,
    cluster: ref.cluster,
    namespace: obj.metadata.namespace || undefined,
    name: obj.metadata.name ?? "",
  });
}

function ignoreGone(e: unknown): void {
  if (
    isStorageError(e, "NotFound") || isStorageError(e, "Conflict") ||
    isStorageError(e, "InvalidObject")
  ) return;
  throw e;
}

/**
 * One pass over the CRD's objects: deletes what can go, marks what waits for
 * finalizers. Returns how many objects remain (0 when none was left).
 */
export async function deleteInstancesOnce(
  ref: InstanceRef,
  now: Date,
): Promise<number> {
  const list = await ref.store.list(
    clusterPrefix({
      group: ref.group,
      resource: ref.plural,
      cluster: ref.cluster,
    }),
    { recursive: true },
  );
  let waiting = 0;
  for (const item of list.items) {
    const key = keyOf(ref, item);
    try {
      if ((item.metadata.finalizers?.length ?? 0) === 0) {
        await ref.store.delete(key, {
          preconditions: { uid: item.metadata.uid },
          validateDeletion: (cur) => {
            if ((cur.metadata.finalizers?.length ?? 0) > 0) {
              throw new FinalizersAppeared();
            }
          },
        });
        continue;
      }
      waiting++;
      if (item.metadata.deletionTimestamp) continue;
      await ref.store.guaranteedUpdate(key, {
        tryUpdate: (cur) => {
          if (!cur || cur.metadata.deletionTimestamp) return cur!;
          const next = structuredClone(cur);
          next.metadata.deletionTimestamp = rfc3339(now);
          next.metadata.deletionGracePeriodSeconds = 0;
          return next;
        },
      });
    } catch (e) {
      if (e instanceof FinalizersAppeared) {
        waiting++;
        continue;
      }
      ignoreGone(e);
    }
  }
  return waiting;
}

class FinalizersAppeared {}
