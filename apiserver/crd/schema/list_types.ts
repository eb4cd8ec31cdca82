/**
 * `x-kubernetes-list-type` uniqueness, after upstream's
 * `ValidateListSetsAndMaps`: a `set` holds no value twice, a `map` holds no
 * two items with the same key fields (a missing key takes its default).
 *
 * @module
 */

import type { Schema } from "../../schema/types.ts";
import { duplicate, type FieldError } from "../../validation/field_error.ts";
import { indexPath, isObject } from "./_path.ts";

function keyOf(item: unknown, keys: string[], s: Schema): unknown {
  if (!isObject(item)) return item;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = Object.hasOwn(item, k)
      ? item[k]
      : s.items?.properties?.[k]?.default;
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function scalarKey(v: unknown): string | undefined {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  return undefined;
}

function stableKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableKey).join(",")}]`;
  if (isObject(v)) {
    return `{${
      Object.keys(v).sort().map((k) =>
        `${JSON.stringify(k)}:${stableKey(v[k])}`
      )
        .join(",")
    }}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** `Duplicate value` errors for a `set` or `map` list at `path`. */
export function validateListTypes(
  list: unknown[],
  s: Schema,
  path: string,
): FieldError[] {
  const type = s["x-kubernetes-list-type"];
  if (type !== "set" && type !== "map") return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  const keys = s["x-kubernetes-list-map-keys"] ?? [];
  list.forEach((item, i) => {
    const id = type === "map" ? keyOf(item, keys, s) : item;
    const k = scalarKey(id) ?? stableKey(id);
    if (seen.has(k)) errs.push(duplicate(indexPath(path, i), id));
    seen.add(k);
  });
  return errs;
}
