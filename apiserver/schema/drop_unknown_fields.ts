/**
 * Dropping the fields a built-in kind does not declare, as kube-apiserver
 * does when it decodes a body into its Go type (under `fieldValidation=Warn`
 * or `Ignore` the unknown fields are simply lost). The rules are the ones
 * {@linkcode unknownFields} reports by, so what is warned about is exactly
 * what is dropped.
 *
 * @module
 */

import { OBJECT_META } from "./meta_v1.ts";
import type { Schema } from "./types.ts";
import { isEmbedded, isScalar } from "./unknown_fields.ts";

const EMBEDDED_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/**
 * Removes, in place, every field of `obj` that `schema` does not declare;
 * returns `obj`.
 *
 * @example
 * ```ts
 * dropUnknownFields({ data: {}, spec: { a: 1 } }, CONFIG_MAP); // { data: {} }
 * ```
 */
export function dropUnknownFields<T>(obj: T, schema: Schema): T {
  walk(obj, schema);
  return obj;
}

function walk(value: unknown, schema: Schema) {
  if (value === null || typeof value !== "object") return;
  if (schema["x-kubernetes-int-or-string"]) return;
  if (Array.isArray(value)) {
    if (schema.items) { for (const item of value) walk(item, schema.items); }
    return;
  }
  if (schema.type !== undefined && schema.type !== "object") return;
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  if (!schema.properties && isScalar(extra) && !isEmbedded(schema)) return; // a map of scalars
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (Object.hasOwn(props, key)) {
      walk(child, props[key]);
    } else if (embedded && EMBEDDED_FIELDS.has(key)) {
      if (key === "metadata") walk(child, OBJECT_META);
    } else if (typeof extra === "object") {
      walk(child, extra);
    } else if (extra === true || preserve) {
      continue;
    } else if (!schema.properties && extra === undefined && !schema.type) {
      continue;
    } else {
      delete record[key];
    }
  }
}
