/**
 * The built-in schema index, derived from the built-in definitions: each
 * definition that carries its upstream schemas (`schema` and `listSchema`)
 * contributes its kind and its list. Nothing here names a kind, so adding a
 * built-in kind is its definition file plus its line in `registry.ts`; the
 * agreement test (`kind_tables_test.ts`) checks the result.
 *
 * The index is built on first use, not when the module loads: definitions
 * import handlers that import this module, and a lazy index never reads a
 * definition that is still loading.
 *
 * @module
 */

import { DELETE_OPTIONS, STATUS } from "../schema/meta_v1_status.ts";
import type { Schema } from "../schema/types.ts";
import { BUILTIN_RESOURCES } from "./registry.ts";
import { listKindOf, type ResourceDefinition } from "./types.ts";

/** One built-in kind's schema. */
export interface BuiltinSchema {
  group: string;
  version: string;
  kind: string;
  schema: Schema;
}

/**
 * The schemas `defs` carry: each kind with a `listSchema` and its list,
 * plus meta's `Status` and `DeleteOptions`, which the core group version
 * registers (as upstream's `metav1.AddToGroupVersion`).
 */
export function schemasOf(
  defs: readonly ResourceDefinition[],
): BuiltinSchema[] {
  const out: BuiltinSchema[] = [];
  for (const d of defs) {
    if (!d.schema || !d.listSchema) continue;
    const { group, version } = d;
    out.push({ group, version, kind: d.kind, schema: d.schema });
    out.push({ group, version, kind: listKindOf(d), schema: d.listSchema });
  }
  out.push({ group: "", version: "v1", kind: "Status", schema: STATUS });
  out.push({
    group: "",
    version: "v1",
    kind: "DeleteOptions",
    schema: DELETE_OPTIONS,
  });
  return out;
}

let index: Map<string, Schema> | undefined;

/**
 * The schema of a built-in kind (or its list), or `undefined` when it is
 * not built in (a custom resource, a kind written in code).
 *
 * @example
 * ```ts
 * builtinSchema("", "v1", "ConfigMap")?.properties?.data;
 * ```
 */
export function builtinSchema(
  group: string,
  version: string,
  kind: string,
): Schema | undefined {
  index ??= new Map(
    schemasOf(BUILTIN_RESOURCES).map((b) => [
      `${b.group}/${b.version}/${b.kind}`,
      b.schema,
    ]),
  );
  return index.get(`${group}/${version}/${kind}`);
}
