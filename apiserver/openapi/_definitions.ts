/**
 * Turns inlined schema trees into OpenAPI definitions with `$ref`s: every
 * node that stands for a named upstream definition (see `named`/`ref` in
 * `schema/`) becomes a reference, and its body is emitted once.
 *
 * @module
 */

import { definitionOf, type Schema } from "../schema/mod.ts";

/** The dialect: v2 (`#/definitions/`) or v3 (`#/components/schemas/`). */
export type Dialect = "v2" | "v3";

/** A JSON object of an OpenAPI document. */
export type Json = Record<string, unknown>;

const NESTED = new Set([
  "properties",
  "items",
  "additionalProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
]);

/** Collects the definitions reachable from the schemas added to it. */
export class DefinitionSet {
  /** Definitions by name, in insertion order. */
  readonly definitions = new Map<string, Json>();
  readonly #dialect: Dialect;
  readonly #extensions: Map<string, Json>;

  /**
   * `extensions` adds keys to named definitions (the
   * `x-kubernetes-group-version-kind` of kinds).
   */
  constructor(dialect: Dialect, extensions: Map<string, Json> = new Map()) {
    this.#dialect = dialect;
    this.#extensions = extensions;
  }

  /** The `$ref` target of a definition name. */
  refTo(name: string): string {
    return this.#dialect === "v2"
      ? `#/definitions/${name}`
      : `#/components/schemas/${name}`;
  }

  /** Adds `body` (and everything it references) under `name`. */
  define(name: string, body: Schema): void {
    if (this.definitions.has(name)) return;
    const out: Json = {};
    this.definitions.set(name, out); // placeholder first: cycles terminate
    Object.assign(out, this.#convert(body), this.#extensions.get(name));
  }

  /** The OpenAPI form of `schema`: a `$ref` when it is a named definition. */
  schemaOf(schema: Schema): Json {
    const def = definitionOf(schema);
    if (!def) return this.#convert(schema);
    this.define(def.name, def.body);
    const refNode = { $ref: this.refTo(def.name) };
    const description = schema.description;
    if (description === undefined || description === def.body.description) {
      return refNode;
    }
    return this.#dialect === "v2"
      ? { ...refNode, description }
      : { allOf: [refNode], description };
  }

  #convert(schema: Schema): Json {
    const out: Json = {};
    for (const [key, value] of Object.entries(schema)) {
      if (NESTED.has(key)) continue;
      // v2 has no nullable, and kube-apiserver prunes defaults from its v2
      // document (kube-openapi's PruneDefaults); v3 keeps both.
      if (this.#dialect === "v2" && (key === "nullable" || key === "default")) {
        continue;
      }
      out[key] = value;
    }
    if (schema.properties) {
      const props: Json = {};
      const entries = Object.entries(schema.properties).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0
      );
      for (const [k, v] of entries) {
        props[k] = this.schemaOf(v);
      }
      out.properties = props;
    }
    if (schema.items) out.items = this.schemaOf(schema.items);
    if (typeof schema.additionalProperties === "object") {
      out.additionalProperties = this.schemaOf(schema.additionalProperties);
    } else if (schema.additionalProperties !== undefined) {
      out.additionalProperties = schema.additionalProperties;
    }
    for (const key of ["allOf", "anyOf", "oneOf"] as const) {
      const list = schema[key];
      if (list) out[key] = list.map((s) => this.schemaOf(s));
    }
    if (schema.not) out.not = this.schemaOf(schema.not);
    return out;
  }
}
