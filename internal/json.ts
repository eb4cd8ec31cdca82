/**
 * The JSON helpers every layer needs and none should write again: telling
 * a JSON object from arrays and scalars, comparing JSON values by
 * structure (object key order ignored), and freezing a JSON value deeply.
 *
 * @module
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * True for a JSON object (not `null`, not an array).
 *
 * @example
 * ```ts
 * import { isObject } from "./json.ts";
 *
 * isObject({ a: 1 }); // true
 * isObject([1]); // false
 * ```
 */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Structural equality of JSON values: arrays item by item, objects key by
 * key whatever their order.
 *
 * @example
 * ```ts
 * import { jsonEqual } from "./json.ts";
 *
 * jsonEqual({ a: 1, b: [2] }, { b: [2], a: 1 }); // true
 * ```
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length &&
      a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * Whether `value` is frozen all the way down (a primitive counts as
 * frozen): an object or array frozen only at its top could still change
 * below.
 *
 * @example
 * ```ts
 * import { deepFreeze, isDeepFrozen } from "./json.ts";
 *
 * isDeepFrozen(deepFreeze({ a: [1] })); // true
 * isDeepFrozen(Object.freeze({ a: [1] })); // false
 * ```
 */
export function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (!Object.isFrozen(value)) return false;
  for (const v of Object.values(value as Record<string, unknown>)) {
    if (!isDeepFrozen(v)) return false;
  }
  return true;
}

/**
 * Deep-freezes a plain JSON value in place and returns it (a part already
 * frozen is taken as frozen all the way down, so shared frozen subtrees are
 * not walked again).
 *
 * @example
 * ```ts
 * import { deepFreeze } from "./json.ts";
 *
 * const v = deepFreeze({ a: { b: [1] } });
 * Object.isFrozen(v.a.b); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) {
      deepFreeze(v);
    }
  }
  return value;
}
