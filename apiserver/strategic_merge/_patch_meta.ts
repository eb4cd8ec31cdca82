/**
 * Reads strategic-merge metadata (patch strategy, merge key) from a
 * structural schema, as upstream's `PatchMetaFromOpenAPI` does.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import { invalidPatch } from "./errors.ts";

/** What a field's schema says about merging it. */
export interface PatchMeta {
  /** The field's schema, if any. */
  schema?: Schema;
  /** `merge`, `replace` or `""` (no strategy: lists are replaced, maps merged). */
  strategy: string;
  /** The list merge key (`name`, `uid`, …), or `""`. */
  mergeKey: string;
}

/** Folds `allOf` branches into one node so `$ref`-style wrappers resolve. */
function resolve(schema: Schema | undefined): Schema | undefined {
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

/** The schema of field `key` inside object schema `schema` (declared property or map value). */
export function fieldSchema(
  schema: Schema | undefined,
  key: string,
): Schema | undefined {
  const s = resolve(schema);
  if (!s) return undefined;
  const prop = s.properties?.[key];
  if (prop) return resolve(prop);
  if (typeof s.additionalProperties === "object") {
    return resolve(s.additionalProperties);
  }
  return undefined;
}

/** The schema of the items of list schema `schema`. */
export function itemSchema(schema: Schema | undefined): Schema | undefined {
  return resolve(resolve(schema)?.items);
}

/**
 * The patch metadata of field `key` of `parent`: strategy (with `retainKeys`
 * split off, as upstream's `extractRetainKeysPatchStrategy`) and merge key.
 */
export function lookupPatchMeta(
  parent: Schema | undefined,
  key: string,
): PatchMeta {
  const schema = fieldSchema(parent, key);
  const raw = schema?.["x-kubernetes-patch-strategy"] ?? "";
  const strategies = raw.split(",").map((s) => s.trim()).filter((s) => s);
  let strategy = "";
  if (strategies.length === 1) {
    strategy = strategies[0] === "retainKeys" ? "" : strategies[0];
  } else if (strategies.length === 2) {
    if (strategies[0] === "retainKeys") strategy = strategies[1];
    else if (strategies[1] === "retainKeys") strategy = strategies[0];
    else {
      throw invalidPatch(
        `unexpected patch strategy: [${strategies.join(" ")}]`,
      );
    }
  } else if (strategies.length > 2) {
    throw invalidPatch(`unexpected patch strategy: [${strategies.join(" ")}]`);
  }
  return {
    schema,
    strategy,
    mergeKey: schema?.["x-kubernetes-patch-merge-key"] ?? "",
  };
}
