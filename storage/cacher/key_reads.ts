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
