/**
 * Unknown-field detection for `fieldValidation=Strict|Warn`: the fields of
 * a decoded object its schema does not declare, as the JSON paths upstream
 * prints (`spec.foo`, `rules[0].verbz`, `data` map keys are never unknown).
 *
 * @module
 */

import { OBJECT_META } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const EMBEDDED_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/**
 * Paths of the fields of `obj` that `schema` does not know, in document
 * order. Respects `additionalProperties` (a schema: map values are checked
 * against it; `true`: anything goes), `x-kubernetes-preserve-unknown-fields`
 * (unknown keys of that node are kept; declared ones are still checked),
 * `x-kubernetes-embedded-resource` (`apiVersion`, `kind` and an ObjectMeta
 * `metadata` are implied) and `x-kubernetes-int-or-string`. Values of the
 * wrong JSON type are not reported here (type validation does that).
 *
 * @example
 * ```ts
 * unknownFields({ data: {}, spec: { a: 1 } }, CONFIG_MAP); // ["spec"]
 * ```
 */
export function unknownFields(obj: unknown, schema: Schema): string[] {
  const out: string[] = [];
  walk(obj, schema, "", out);
  return out;
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

function walk(value: unknown, schema: Schema, path: string, out: string[]) {
  if (value === null || typeof value !== "object") return;
  if (schema["x-kubernetes-int-or-string"]) return;
  if (Array.isArray(value)) {
    if (!schema.items) return;
    value.forEach((item, i) => walk(item, schema.items!, `${path}[${i}]`, out));
    return;
  }
  if (schema.type !== undefined && schema.type !== "object") return;
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  // A map of scalars (ConfigMap data, labels) has nothing to report: its
  // keys are not looked at one by one (there may be 100,000 of them).
  if (!schema.properties && isScalar(extra) && !isEmbedded(schema)) return;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const [key, child] of Object.entries(value)) {
    const childPath = join(path, key);
    if (Object.hasOwn(props, key)) {
      walk(child, props[key], childPath, out);
    } else if (embedded && EMBEDDED_FIELDS.has(key)) {
      if (key === "metadata") walk(child, OBJECT_META, childPath, out);
    } else if (typeof extra === "object") {
      walk(child, extra, childPath, out);
    } else if (extra === true || preserve) {
      continue;
    } else if (!schema.properties && extra === undefined && !schema.type) {
      // An empty schema `{}` constrains nothing (like JSON Schema).
      continue;
    } else {
      out.push(childPath);
    }
  }
}

/** True for a schema no value under it can have fields unknown to (a scalar). */
export function isScalar(schema: Schema | boolean | undefined): boolean {
  return typeof schema === "object" && schema.type !== undefined &&
    schema.type !== "object" && !schema.items;
}

/** True for an `x-kubernetes-embedded-resource` node. */
export function isEmbedded(schema: Schema): boolean {
  return schema["x-kubernetes-embedded-resource"] === true;
}
