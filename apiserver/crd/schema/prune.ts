/**
 * Pruning of unknown fields, after upstream's `pruning.PruneWithOptions`:
 * every field the schema does not name is removed, except below
 * `x-kubernetes-preserve-unknown-fields: true`. `apiVersion`, `kind` and
 * `metadata` are kept at the root and in `x-kubernetes-embedded-resource`
 * objects. The removed paths (`spec.foo`, `spec.items[0].bar`) feed
 * `fieldValidation=Strict|Warn` (`unknown field "spec.foo"`).
 *
 * @module
 */

import type { Schema } from "../../schema/types.ts";
import { childPath, indexPath, isObject } from "./_path.ts";

const RESOURCE_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/** Options for {@linkcode prune}. */
export interface PruneOptions {
  /** The value is a whole object (root `apiVersion`/`kind`/`metadata` kept). Default true. */
  isResourceRoot?: boolean;
}

/**
 * Removes unknown fields from `value` in place; returns their paths, sorted.
 *
 * ```ts
 * const obj = { spec: { replicas: 1, foo: 2 } };
 * prune(obj, schema); // ["spec.foo"], obj.spec is { replicas: 1 }
 * ```
 */
export function prune(
  value: unknown,
  schema: Schema,
  opts: PruneOptions = {},
): string[] {
  const pruned: string[] = [];
  walk(value, schema, "", opts.isResourceRoot ?? true, pruned);
  return pruned.sort();
}

function walk(
  x: unknown,
  s: Schema | undefined,
  path: string,
  isResource: boolean,
  pruned: string[],
): void {
  if (Array.isArray(x)) {
    if (s === undefined) return;
    if (s.items === undefined) return;
    x.forEach((item, i) => {
      walk(item, s.items, indexPath(path, i), false, pruned);
    });
    return;
  }
  if (!isObject(x) || s === undefined) return;
  const resource = isResource || s["x-kubernetes-embedded-resource"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const additional = typeof s.additionalProperties === "object"
    ? s.additionalProperties
    : undefined;
  for (const k of Object.keys(x)) {
    const p = childPath(path, k);
    if (resource && RESOURCE_FIELDS.has(k)) {
      // metadata follows the ObjectMeta rules, not the schema.
      continue;
    }
    const prop = s.properties?.[k];
    if (prop !== undefined) {
      walk(x[k], prop, p, false, pruned);
    } else if (additional !== undefined) {
      walk(x[k], additional, p, false, pruned);
    } else if (s.additionalProperties !== undefined) {
      // `additionalProperties: true|false` keeps the key but says nothing of
      // its value: objects in it are emptied (upstream prunes with no
      // schema, even below x-kubernetes-preserve-unknown-fields).
      dropAll(x[k], p, pruned);
    } else if (!preserve) {
      delete x[k];
      pruned.push(p);
    }
  }
}

function dropAll(x: unknown, path: string, pruned: string[]): void {
  if (Array.isArray(x)) {
    x.forEach((item, i) => dropAll(item, indexPath(path, i), pruned));
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    delete x[k];
    pruned.push(childPath(path, k));
  }
}
