/**
 * How server-side apply reads a structural schema: which object keys are
 * declared fields, which maps are atomic, and how list items are identified
 * (`x-kubernetes-list-type` / `x-kubernetes-list-map-keys`). Nodes without a
 * schema are "deduced" as upstream: maps granular, lists atomic.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import { ApplyError } from "./errors.ts";
import { keyElement, type PathElement } from "./path.ts";
import { isObject, jsonEqual } from "../../internal/json.ts";

export { isObject, jsonEqual };

type Obj = Record<string, unknown>;

/** Folds `allOf` branches into one node. */
export function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema?.allOf?.length) return schema;
  let out: Schema = { ...schema, allOf: undefined };
  for (const branch of schema.allOf) {
    const b = resolve(branch) ?? {};
    out = {
      ...b,
      ...out,
      properties: { ...b.properties, ...out.properties },
      items: out.items ?? b.items,
      additionalProperties: out.additionalProperties ?? b.additionalProperties,
    };
  }
  return out;
}

/** The schema of key `key` of object schema `schema`. */
export function childSchema(
  schema: Schema | undefined,
  key: string,
): Schema | undefined {
  const prop = schema?.properties?.[key];
  if (prop) return resolve(prop);
  const ap = schema?.additionalProperties;
  return typeof ap === "object" ? resolve(ap) : undefined;
}

/** True when `key` is a declared property (a struct field, not a map entry). */
export function isDeclared(schema: Schema | undefined, key: string): boolean {
  return schema?.properties?.[key] !== undefined;
}

/** True when an object node is replaced whole (`x-kubernetes-map-type: atomic`). */
export function isAtomicMap(schema: Schema | undefined): boolean {
  return schema?.["x-kubernetes-map-type"] === "atomic";
}

/** How a list node merges. */
export interface ListInfo {
  type: "atomic" | "set" | "map";
  keys: string[];
  item?: Schema;
}

/** The list semantics of `schema` (atomic without a schema). */
export function listInfo(schema: Schema | undefined): ListInfo {
  const type = schema?.["x-kubernetes-list-type"] ?? "atomic";
  return {
    type,
    keys: schema?.["x-kubernetes-list-map-keys"] ?? [],
    item: resolve(schema?.items),
  };
}

/** The path element that identifies item `index` of a `set` or `map` list. */
export function itemElement(
  info: ListInfo,
  item: unknown,
  index: number,
  at: string,
): PathElement {
  const fail = (msg: string): never => {
    throw new ApplyError(422, `${at || "."}: element ${index}: ${msg}`);
  };
  if (info.type === "set") {
    if (isObject(item)) {
      fail("associative list without keys has an element that's a map type");
    }
    if (Array.isArray(item)) {
      fail("associative list without keys has an element that's a list type");
    }
    return { value: item };
  }
  if (item === null) {
    fail("associative list with keys may not have a null element");
  }
  if (!isObject(item)) {
    fail("associative list with keys may not have non-map elements");
  }
  const fields: Array<[string, unknown]> = [];
  for (const k of info.keys) {
    let v = (item as Obj)[k];
    if (v === undefined) v = info.item?.properties?.[k]?.default;
    if (v === undefined) {
      fail(
        `associative list with keys has an element that omits key field ${
          JSON.stringify(k)
        } (and doesn't have default value)`,
      );
    }
    fields.push([k, v]);
  }
  return keyElement(fields);
}
