/**
 * Creates whose caller does not read the stored object back. `Store.create`
 * answers with the object as stored, which a log-backed store decodes from
 * the text it just wrote (a `JSON.parse` per object); a new virtual
 * cluster's bootstrap writes ~50 objects (its RBAC policy, system
 * namespaces and their seeds) and discards every answer. A store with
 * {@linkcode QuietCreates} (the log-backed store, and the watch cache over
 * one) skips that decode; {@linkcode createQuietly} falls back to `create`
 * for any other store. Same checks, same errors, same stored bytes.
 *
 * The caller also hands the object over: it must be plain JSON data (what
 * `JSON.parse` of its `JSON.stringify` gives: no `undefined`, dates or
 * class instances) and is not changed afterwards — not by the caller, who
 * may find it frozen. The log-backed store's watchers (the watch cache,
 * and through it the in-process informers) then get that object, frozen,
 * as the new object instead of decoding the stored text again: a new
 * cluster's ~60 objects are not parsed back.
 *
 * @module
 */

import type { KubeObject } from "../object.ts";
import type { GuaranteedUpdateOptions, Store } from "../store.ts";
import { isStorageError } from "../errors.ts";
import { holdsKey } from "./key_reads.ts";

/** A store that can create an object without decoding it back. */
export interface QuietCreates {
  /**
   * As `Store.create` (same checks and errors, same stored value), resolving
   * with the new object's revision only; `obj` is handed over (module doc).
   */
  createQuietly(key: string, obj: KubeObject): Promise<number>;
}

/** `store`'s quiet creates, when it has them. */
export function quietCreatesOf(store: Store): QuietCreates | undefined {
  const s = store as Partial<QuietCreates>;
  return typeof s.createQuietly === "function" ? s as QuietCreates : undefined;
}

/**
 * Creates `obj` at `key` in `store` and resolves with its revision: without
 * decoding the stored object where the store can, else through
 * `Store.create`. `obj` is handed over: plain JSON data, never changed
 * afterwards (module doc).
 */
export function createQuietly(
  store: Store,
  key: string,
  obj: KubeObject,
): Promise<number> {
  // No async wrapper of its own: the store's promise is handed on.
  const quiet = quietCreatesOf(store);
  if (quiet) return quiet.createQuietly(key, obj);
  return store.create(key, obj).then((created) =>
    Number(created.metadata.resourceVersion)
  );
}

/**
 * Keeps `key` holding a writer's own object: when `store` has nothing
 * there (as its cache has it now), `make()`'s object is created quietly
 * (handed over, see the module doc); when it has an object — or the create
 * finds the key taken — `guaranteedUpdate(key, update)` runs as it would
 * have alone. For objects a new virtual cluster starts with and a
 * controller keeps up to date afterwards (its admins binding, its
 * authentication ConfigMap): most writes are creates, and those are not
 * decoded back, by the writer or by the watch cache.
 */
export async function createQuietlyOrUpdate(
  store: Store,
  key: string,
  make: () => KubeObject,
  update: GuaranteedUpdateOptions,
): Promise<void> {
  if (!(await holdsKey(store, key))) {
    try {
      await createQuietly(store, key, make());
      return;
    } catch (e) {
      if (!isStorageError(e, "KeyExists")) throw e;
    }
  }
  await store.guaranteedUpdate(key, update);
}
