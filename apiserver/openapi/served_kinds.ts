/**
 * The bridge from the server's resource definitions to the OpenAPI
 * generator's {@linkcode ServedKind}s: one schema per kind, the same one
 * field validation reads (`def.schema ?? builtinSchema(...)`).
 *
 * @module
 */

import type { Schema } from "../schema/mod.ts";
import { builtinSchema } from "../resources/kind_tables.ts";
import { type ResourceDefinition, verbsOf } from "../resources/types.ts";
import type { ServedKind } from "./types.ts";

/** PATCH content types of custom resources (no strategic merge patch). */
const CUSTOM_RESOURCE_PATCH = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/apply-patch+yaml",
];

/**
 * Served as a custom resource (merge patches only, as upstream serves CRDs):
 * what the definition says (`customResource`), else a kind with neither a
 * built-in schema nor the apiextensions group.
 */
export function isCustomResource(def: ResourceDefinition): boolean {
  if (def.customResource !== undefined) return def.customResource;
  return builtinSchema(def.group, def.version, def.kind) === undefined &&
    def.group !== "apiextensions.k8s.io";
}

/**
 * The structural schema of a served kind: the definition's own (CRDs), else
 * the built-in one; `undefined` when neither exists.
 */
export function schemaOf(def: ResourceDefinition): Schema | undefined {
  return def.schema ?? builtinSchema(def.group, def.version, def.kind);
}

/**
 * The served kinds of a set of definitions, in order; kinds without a
 * schema are left out (OpenAPI cannot describe them).
 */
export function servedKinds(
  defs: Iterable<ResourceDefinition>,
  extra: readonly ServedKind[] = [],
): ServedKind[] {
  const out: ServedKind[] = [];
  for (const def of defs) {
    const schema = schemaOf(def);
    if (!schema) continue;
    out.push({
      group: def.group,
      version: def.version,
      kind: def.kind,
      plural: def.plural,
      namespaced: def.namespaced,
      verbs: verbsOf(def),
      schema,
      ...(isCustomResource(def) ? { patchTypes: CUSTOM_RESOURCE_PATCH } : {}),
    });
  }
  return [...out, ...extra];
}

/**
 * Remembers the served-kind array of each definition set (keyed by object
 * identity, e.g. a cluster's registry), so the OpenAPI document cache hits
 * by array identity while the set does not change.
 */
export class ServedKindsCache<K extends object> {
  readonly #byKey = new WeakMap<K, ServedKind[]>();

  /** The kinds of `key`, computed by `compute` on first use. */
  get(key: K, compute: () => ServedKind[]): ServedKind[] {
    let kinds = this.#byKey.get(key);
    if (!kinds) {
      kinds = compute();
      this.#byKey.set(key, kinds);
    }
    return kinds;
  }
}
