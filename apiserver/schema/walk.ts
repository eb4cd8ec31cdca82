/**
 * Walking a schema along a field path, as `kubectl explain` and field
 * validation do.
 *
 * @module
 */

import type { Schema } from "./types.ts";

/**
 * The schema of the field at `path` (`["spec", "rules", "verbs"]` or
 * `"spec.rules.verbs"`) below `schema`. List items and map values are
 * stepped through implicitly, as `kubectl explain` does; an explicit `[]`
 * or `*` segment steps into items/values too. `undefined` when no such
 * field is declared.
 */
export function schemaAt(
  schema: Schema,
  path: string | readonly string[],
): Schema | undefined {
  const segments = typeof path === "string"
    ? path.split(".").filter((s) => s !== "")
    : path;
  let node: Schema | undefined = schema;
  for (const segment of segments) {
    node = step(node, segment);
    if (!node) return undefined;
  }
  return node;
}

function step(node: Schema, segment: string): Schema | undefined {
  // Lists are transparent for field names (rules.verbs = rules[*].verbs).
  while (node.type === "array" && node.items) {
    if (segment === "[]" || segment === "*") return node.items;
    node = node.items;
  }
  if (node.properties && Object.hasOwn(node.properties, segment)) {
    return node.properties[segment];
  }
  if (typeof node.additionalProperties === "object") {
    return node.additionalProperties;
  }
  return undefined;
}
