/**
 * Resource lists (`map[ResourceName]Quantity`) as quota reads and writes
 * them: parsed from a quota's `hard`/`used` maps, compared, added and
 * printed with upstream's `prettyPrint` (`count/configmaps=2,secrets=1`).
 *
 * @module
 */

import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  type Quantity,
  ZERO_QUANTITY,
} from "../../validation/quantity.ts";

/** Resource name → quantity. */
export type ResourceList = Map<string, Quantity>;

/** The quantities of a `hard`/`used` map; unparsable values are left out. */
export function resourceListOf(value: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!value || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string" && typeof v !== "number") continue;
    try {
      out.set(k, parseQuantity(String(v)));
    } catch {
      // Validation keeps these out of storage; a bad value counts as absent.
    }
  }
  return out;
}

/** The list as a JSON map of canonical quantities. */
export function toJsonMap(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, q] of list) out[k] = formatQuantity(q);
  return out;
}

/** Only the entries of `list` named in `names`. */
export function mask(
  list: ResourceList,
  names: Iterable<string>,
): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) {
    const q = list.get(n);
    if (q) out.set(n, q);
  }
  return out;
}

/** `a + b` per name (names of either). */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, q] of b) {
    const had = out.get(k);
    out.set(k, had ? addQuantities(had, q) : q);
  }
  return out;
}

/** The names of `a` whose quantity exceeds `limit`'s (names `limit` lacks do not). */
export function exceeded(a: ResourceList, limit: ResourceList): string[] {
  const out: string[] = [];
  for (const [k, q] of a) {
    const l = limit.get(k);
    if (l && compareQuantities(q, l) > 0) out.push(k);
  }
  return out.sort();
}

/** True when both lists hold the same names with equal quantities. */
export function equalLists(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, q] of a) {
    const o = b.get(k);
    if (!o || compareQuantities(q, o) !== 0) return false;
  }
  return true;
}

/** Upstream's `prettyPrint`: `a=1,b=2`, sorted by name. */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()].sort()
    .map((k) => `${k}=${formatQuantity(list.get(k) ?? ZERO_QUANTITY)}`)
    .join(",");
}
