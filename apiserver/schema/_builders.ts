/**
 * Small constructors for schema nodes, so the per-group files read like the
 * upstream Go types: a field, its type, its description.
 *
 * @module
 */

import type { Schema } from "./types.ts";

/** A string field. */
export function str(description: string, extra: Schema = {}): Schema {
  return { type: "string", description, ...extra };
}

/** An `int32` field. */
export function int32(description: string): Schema {
  return { type: "integer", format: "int32", description };
}

/** An `int64` field. */
export function int64(description: string): Schema {
  return { type: "integer", format: "int64", description };
}

/** A boolean field. */
export function bool(description: string): Schema {
  return { type: "boolean", description };
}

/** A `map[string]string` field. */
export function strMap(description: string): Schema {
  return {
    type: "object",
    description,
    additionalProperties: { type: "string", default: "" },
  };
}

/** A `[]string` field; `listType` as upstream (`atomic` when unset there). */
export function strList(
  description: string,
  extra: Schema = {},
): Schema {
  return {
    type: "array",
    description,
    items: { type: "string", default: "" },
    ...extra,
  };
}

/** A list of `item` objects. */
export function listOf(
  description: string,
  item: Schema,
  extra: Schema = {},
): Schema {
  return { type: "array", description, items: item, ...extra };
}

/** A closed object with the given properties. */
export function object(
  description: string,
  properties: Record<string, Schema>,
  extra: Schema = {},
): Schema {
  return { type: "object", description, properties, ...extra };
}
