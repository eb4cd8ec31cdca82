/**
 * Which storage keys exist in a key range, from the watch cache's sorted
 * index (no object is read or decoded). A `Store.list` page carries objects
 * but not their keys; a caller that must know each item's key (the
 * cross-cluster list, whose items carry their cluster) looks up the keys of
 * the page's range here, and a caller that needs only how many there are
 * (a virtual cluster's object count) counts them.
 *
 * This is a capability of some stores, not part of the `Store` contract:
 * {@linkcode keyReadsOf} finds it, and a caller without it finds keys some
 * other way (e.g. the keyed initial events of a watch).
 *
 * @example
 * ```ts
 * const keys = keyReadsOf(store)?.currentKeys(start, end);
 * // undefined: no cache (or not initialised) — look elsewhere
 * ```
 *
 * @module
 */

import type { Store } from "../store.ts";
import { isStorageError } from "../errors.ts";

/** A store that can name its current keys in a range. */
export interface KeyReads {
  /**
   * The keys in `[start, end)` at the cache's current revision, in key
   * order; `undefined` while the cache cannot answer (not initialised,
   * disabled, closed).
   */
  currentKeys(start: string, end: string): string[] | undefined;

  /**
   * How many keys lie under `prefix`, as a consistent list (no
   * resourceVersion) of it would find them: waits as that list would for
   * the cache to be current, then counts the sorted index (no object is
   * read or decoded); `undefined` when such a list would go to the backend.
   */
  countKeys(prefix: string): Promise<number | undefined>;
}

/** `store`'s key reads, when it has them. */
export function keyReadsOf(store: Store): KeyReads | undefined {
  const s = store as Partial<KeyReads>;
  return typeof s.currentKeys === "function" ? s as KeyReads : undefined;
}

/**
 * Whether `store` holds `key`, as its cache has it now: from the cache's
 * keys where it has them (nothing decoded, no `NotFound` made), else a get
 * at resourceVersion `"0"`. The answer may be stale: for writers whose
 * create or update copes with a key taken or gone meanwhile.
 */
export async function holdsKey(store: Store, key: string): Promise<boolean> {
  // Keys never hold a NUL: [key, key + "\0") is the key alone.
  const keys = keyReadsOf(store)?.currentKeys(key, key + "\0");
  if (keys !== undefined) return keys.length > 0;
  try {
    await store.get(key, { resourceVersion: "0" });
    return true;
  } catch (e) {
    if (isStorageError(e, "NotFound")) return false;
    throw e;
  }
}
