/**
 * The end of a controller's finalizer work, written once: drop its
 * finalizer (with a last status change, in one write), then delete the
 * object when it is being deleted and no finalizer is left — what the API's
 * update does when the last finalizer goes (`handlers/update_flow.ts`), for
 * controllers inside the API server that write their store directly (the CRD
 * controller's cleanup, the virtual cluster teardown). It lives with the CRD
 * controller, its first user; `apiserver/tenancy` imports it from here.
 *
 * @module
 */

import {
  isStorageError,
  type KubeObject,
  type Store,
} from "../../storage/mod.ts";

/** Options for {@linkcode finalizeAndDelete}. */
export interface FinalizeOptions {
  /** The finalizer this controller owns (absent already: nothing to drop). */
  finalizer: string;
  /** Act only on the object with this UID (not a new one of the same name). */
  uid?: string;
  /** A change written in the same update (a final status); may return `cur`. */
  change?: (cur: KubeObject) => KubeObject;
  /** Attempts of the final delete when concurrent writes keep winning (10). */
  attempts?: number;
}

function gone(e: unknown): boolean {
  // NotFound, or a failed UID precondition (replaced by a new object).
  return isStorageError(e, "NotFound") || isStorageError(e, "InvalidObject");
}

/**
 * Drops `opts.finalizer` from the object at `key` and deletes the object
 * once it is marked for deletion and holds no finalizer. A concurrent write
 * (another replica's status) fails the delete's resourceVersion
 * precondition: the object is read again and the delete retried, so it
 * never stays behind without finalizers. Returns false when the object was
 * gone (or replaced) already, true otherwise (deleted, or still held by
 * another finalizer).
 *
 * @example
 * ```ts ignore
 * await finalizeAndDelete(store, key, { finalizer: "example.com/cleanup", uid });
 * ```
 */
export async function finalizeAndDelete(
  store: Store,
  key: string,
  opts: FinalizeOptions,
): Promise<boolean> {
  const uid = opts.uid;
  let cur: KubeObject;
  try {
    cur = await store.guaranteedUpdate(key, {
      preconditions: uid ? { uid } : undefined,
      tryUpdate: (stored) => {
        if (!stored) throw new Error("unreachable: no ignoreNotFound");
        const changed = opts.change ? opts.change(stored) : stored;
        const f = changed.metadata.finalizers ?? [];
        if (!f.includes(opts.finalizer)) return changed;
        const next = changed === stored ? structuredClone(stored) : changed;
        next.metadata.finalizers = f.filter((x) => x !== opts.finalizer);
        if (next.metadata.finalizers.length === 0) {
          delete next.metadata.finalizers;
        }
        return next;
      },
    });
  } catch (e) {
    if (gone(e)) return false;
    throw e;
  }
  for (let attempt = 0; attempt < (opts.attempts ?? 10); attempt++) {
    if (!cur.metadata.deletionTimestamp) return true;
    if ((cur.metadata.finalizers?.length ?? 0) > 0) return true;
    try {
      await store.delete(key, {
        preconditions: { uid, resourceVersion: cur.metadata.resourceVersion },
      });
      return true;
    } catch (e) {
      // A failed precondition is InvalidObject (or Conflict): read again.
      if (isStorageError(e, "NotFound")) return true;
      if (
        !isStorageError(e, "Conflict") && !isStorageError(e, "InvalidObject")
      ) {
        throw e;
      }
    }
    try {
      cur = await store.get(key);
    } catch (e) {
      if (isStorageError(e, "NotFound")) return true;
      throw e;
    }
    if (uid && cur.metadata.uid !== uid) return false;
  }
  throw new Error(`${key}: the final delete kept conflicting`);
}
