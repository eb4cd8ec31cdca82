/**
 * Write and delete preconditions (`Preconditions`: the current object's UID
 * and resourceVersion) checked with upstream's messages
 * (`k8s.io/apiserver/pkg/storage.Preconditions.Check`), in one place for
 * every store that checks them itself: the log-backed store, the etcd store
 * and the encrypting wrapper.
 *
 * @module
 */

import { invalidObject } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import type { Preconditions } from "./store.ts";

/**
 * Checks `preconditions` against `obj` (`null` for a missing object, which
 * has an empty UID and resourceVersion); a mismatch is an `InvalidObject`
 * error with upstream's message (409 Conflict at the API).
 */
export function checkPreconditions(
  key: string,
  obj: KubeObject | null,
  preconditions: Preconditions | undefined,
): void {
  if (!preconditions) return;
  const uid = obj?.metadata?.uid ?? "";
  const rv = obj?.metadata?.resourceVersion ?? "";
  if (preconditions.uid !== undefined && preconditions.uid !== uid) {
    throw invalidObject(
      key,
      `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${uid}`,
    );
  }
  if (
    preconditions.resourceVersion !== undefined &&
    preconditions.resourceVersion !== rv
  ) {
    throw invalidObject(
      key,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${rv}`,
    );
  }
}
