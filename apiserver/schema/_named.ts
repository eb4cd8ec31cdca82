/**
 * Named schema nodes: how one inlined {@linkcode Schema} tree (what
 * validation walks) still knows which of its nodes are upstream definitions
 * (`io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, …), so the OpenAPI
 * generator can factor them out as `$ref`s. The mark is a non-enumerable
 * symbol property: invisible to `JSON.stringify`, `Object.keys` and spreads,
 * so copying a schema never copies its name by accident.
 *
 * @module
 */

import type { Schema } from "./types.ts";
import { deepFreeze } from "../../internal/json.ts";

const DEFINITION = Symbol("hyperplane.schema.definition");

/** The definition a node stands for. */
export interface DefinitionRef {
  /** Upstream name, e.g. `io.k8s.api.core.v1.ConfigMap`. */
  name: string;
  /** The definition's own schema (with its own description). */
  body: Schema;
}

type Marked = Schema & { [DEFINITION]?: DefinitionRef };

function mark(schema: Schema, def: DefinitionRef): Schema {
  Object.defineProperty(schema, DEFINITION, { value: def, enumerable: false });
  return schema;
}

/** Marks `schema` as the upstream definition `name` and freezes it. */
export function named(name: string, schema: Schema): Schema {
  return deepFreeze(mark(schema, { name, body: schema }));
}

/**
 * A field whose schema is the definition `target`, with the field's own
 * description (a `$ref` with a description in OpenAPI).
 */
export function ref(target: Schema, description?: string): Schema {
  const def = definitionOf(target);
  if (!def) throw new Error("ref() needs a schema made with named()");
  const copy: Schema = { ...target };
  if (description !== undefined) copy.description = description;
  else delete copy.description;
  return deepFreeze(mark(copy, def));
}

/** The definition a node made by `named`/`ref` stands for, if any. */
export function definitionOf(schema: Schema): DefinitionRef | undefined {
  return (schema as Marked)[DEFINITION];
}
