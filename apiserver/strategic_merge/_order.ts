/**
 * List ordering for strategic merge patch: `$setElementOrder` and the
 * "patch order first, then live order" rule of upstream's
 * `normalizeElementOrder` / `mergeSortedSlice`.
 *
 * @module
 */

import { badArgType, noMergeKey } from "./errors.ts";
import { isObject } from "../../internal/json.ts";

export { isObject };

type Obj = Record<string, unknown>;

/** Go's `==` on decoded JSON scalars; composite values compare by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function keyOf(item: unknown, mergeKey: string, maps: boolean): unknown {
  if (!maps) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Index of `value` in `list` (by merge key for maps), or -1. */
export function indexIn(
  list: unknown[],
  value: unknown,
  mergeKey: string,
  maps: boolean,
): number {
  const want = keyOf(value, mergeKey, maps);
  return list.findIndex((v) => sameValue(keyOf(v, mergeKey, maps), want));
}

/** Splits `items` into those present in `by` and the rest (server-only). */
export function partitionByPresence(
  items: unknown[],
  by: unknown[],
  mergeKey: string,
  maps: boolean,
): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of items) {
    if (maps) {
      if (!isObject(v)) throw badArgType("map[string]interface {}", v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    }
    (indexIn(by, v, mergeKey, maps) >= 0 ? present : serverOnly).push(v);
  }
  return [present, serverOnly];
}

function isDeleteItem(v: unknown): boolean {
  return isObject(v) && v["$patch"] === "delete";
}

/**
 * Sorts `toSort` by `order`, exactly as Go's insertion sort does with
 * upstream's (non-strict) comparator, so results match kube-apiserver.
 */
function normalizeSliceOrder(
  toSort: unknown[],
  order: unknown[],
  mergeKey: string,
  maps: boolean,
): unknown[] {
  let items = [...toSort];
  let toDelete: unknown[] = [];
  if (maps) {
    for (const v of [...items, ...order]) {
      if (!isObject(v)) throw badArgType("map[string]interface {}", v);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    }
    toDelete = items.filter(isDeleteItem);
    items = items.filter((v) => !isDeleteItem(v));
  }
  const less = (a: unknown, b: unknown): boolean => {
    const ia = indexIn(order, a, mergeKey, maps);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, maps);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j], items[j - 1]); j--) {
      [items[j], items[j - 1]] = [items[j - 1], items[j]];
    }
  }
  return [...items, ...toDelete];
}

/**
 * Orders the merged list: patch items in `patchOrder`, server-only items in
 * `serverOrder`, interleaved by their positions in the live list.
 */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  maps: boolean,
): unknown[] {
  const right = normalizeSliceOrder(patch, patchOrder, mergeKey, maps);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, maps);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, maps);
      const ri = indexIn(serverOrder, right[j], mergeKey, maps);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
