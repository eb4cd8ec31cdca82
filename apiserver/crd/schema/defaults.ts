/**
 * Structural defaulting, after upstream's `structuraldefaulting.Default` and
 * `PruneNonNullableNullsWithoutDefaults`: a missing field (or a `null` in a
 * non-nullable one) takes a copy of its `default`, then defaulting recurses
 * into properties, `additionalProperties` and list items — also into values
 * that were just defaulted. A `null` in a non-nullable field without a
 * default is dropped. Applied on create, update and read.
 *
 * @module
 */

import type { Schema } from "../../schema/types.ts";
import { isObject } from "./_path.ts";

function isNonNullableNull(v: unknown, s: Schema): boolean {
  return v === null && !s.nullable;
}

/**
 * Fills in defaults in `value` (in place) and returns it.
 *
 * ```ts
 * const obj = { spec: {} };
 * applyDefaults(obj, { type: "object", properties: { spec: { type: "object",
 *   properties: { replicas: { type: "integer", default: 1 } } } } });
 * // obj.spec.replicas === 1
 * ```
 */
export function applyDefaults<T>(value: T, schema: Schema): T {
  walk(value, schema);
  return value;
}

function walk(x: unknown, s: Schema): void {
  if (Array.isArray(x)) {
    const items = s.items;
    if (items === undefined) return;
    for (let i = 0; i < x.length; i++) {
      if (items.default !== undefined && isNonNullableNull(x[i], items)) {
        x[i] = structuredClone(items.default);
      }
      walk(x[i], items);
    }
    return;
  }
  if (!isObject(x)) return;
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    const present = Object.hasOwn(x, k);
    if (prop.default !== undefined) {
      if (!present || isNonNullableNull(x[k], prop)) {
        if (isNonNullableNull(prop.default, prop)) delete x[k];
        else x[k] = structuredClone(prop.default);
      }
    } else if (present && isNonNullableNull(x[k], prop)) {
      delete x[k];
    }
  }
  const additional = typeof s.additionalProperties === "object"
    ? s.additionalProperties
    : undefined;
  for (const k of Object.keys(x)) {
    const prop = s.properties?.[k];
    if (prop !== undefined) {
      walk(x[k], prop);
    } else if (additional !== undefined) {
      if (isNonNullableNull(x[k], additional)) {
        if (additional.default !== undefined) {
          x[k] = structuredClone(additional.default);
        } else {
          delete x[k];
          continue;
        }
      }
      walk(x[k], additional);
    }
  }
}
