/**
 * Field paths and JSON helpers shared by the schema walkers.
 *
 * @module
 */

import { isObject, jsonEqual } from "../../../internal/json.ts";

export { isObject, jsonEqual as deepEqual };

/** `spec` + `replicas` → `spec.replicas`; the root is `""`. */
export function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** `spec.items` + 2 → `spec.items[2]`. */
export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** The JSON type name of a value, as kube-openapi reports it. */
export function jsonTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}
