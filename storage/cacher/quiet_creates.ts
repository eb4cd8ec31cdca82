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
 * @module
 */

import type { KubeObject } from "../object.ts";
import type { Store } from "../store.ts";

/** A store that can create an object without decoding it back. */
export interface QuietCreates {
  /**
   * As `Store.create` (same checks and errors, same stored value), resolving
   * with the new object's revision only.
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
 * `Store.create`.
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
