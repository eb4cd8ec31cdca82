/**
 * Reads that answer with the objects' JSON text instead of decoded copies.
 * The watch cache already holds every object's JSON; a list or get that is
 * only going to be encoded again (the API's plain JSON responses) can write
 * those texts as they are, where a decoded copy would cost a `JSON.parse`
 * per object and then a `JSON.stringify` — and, for a list of 20,000
 * objects, ~60 MB of short-lived copies per concurrent list.
 *
 * This is a capability of some stores, not part of the `Store` contract:
 * {@linkcode jsonReadsOf} finds it, and a caller without it uses `list`/`get`.
 *
 * @example
 * ```ts
 * const reads = jsonReadsOf(store);
 * const page = reads
 *   ? await reads.listJson(prefix, { recursive: true })
 *   : undefined; // fall back to store.list
 * ```
 *
 * @module
 */

import type { GetOptions, ListOptions, Store } from "../store.ts";

/** One list page whose items are the objects' JSON texts. */
export interface JsonListResult {
  /** Each item's JSON (as `JSON.stringify` of the object would give it). */
  items: string[];
  /** The revision the list was read at. */
  resourceVersion: string;
  /** Set when more items may follow. */
  continue?: string;
  /** Items after this page, when known. */
  remainingItemCount?: number;
}

/** A store that can answer reads with JSON texts (same semantics as `list`/`get`). */
export interface JsonReads {
  /** As `Store.list`, with each item as its JSON text. */
  listJson(key: string, opts: ListOptions): Promise<JsonListResult>;
  /** As `Store.get`, as the object's JSON text. */
  getJson(key: string, opts?: GetOptions): Promise<string>;
}

/** `store`'s JSON reads, when it has them. */
export function jsonReadsOf(store: Store): JsonReads | undefined {
  const s = store as Partial<JsonReads>;
  return typeof s.listJson === "function" && typeof s.getJson === "function"
    ? s as JsonReads
    : undefined;
}
