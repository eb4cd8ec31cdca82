/**
 * How a custom resource's schema is published, after upstream's CRD OpenAPI
 * builder (apiextensions-apiserver `controller/openapi/builder` and
 * `controller/openapi/v2`). The two documents differ on purpose:
 *
 * - v2 is what kubectl's client-side validation reads (it checks every item
 *   of a `kind: List` against it), and kubectl treats every listed property
 *   set as closed. So v2 leaves out what it cannot express: a kind with
 *   `x-kubernetes-preserve-unknown-fields` at the root is a bare
 *   `type: object`; below, preserve-unknown-fields and `nullable` nodes lose
 *   their `properties`/`items` (and their type), `allOf`/`anyOf`/`oneOf`/`not`
 *   are dropped, nullable fields leave `required`.
 * - v3 is the schema as written, with `x-kubernetes-int-or-string` unfolded
 *   into `anyOf: [integer, string]`.
 *
 * Both add `apiVersion`, `kind` and an ObjectMeta `$ref` `metadata` at the
 * root and in `x-kubernetes-embedded-resource` objects (v2 not below
 * preserve-unknown-fields).
 *
 * @module
 */

import { definitionOf, type Schema } from "../schema/mod.ts";
import {
  API_VERSION_FIELD,
  KIND_FIELD,
  METADATA_FIELD,
} from "../schema/meta_v1.ts";
import type { Dialect } from "./_definitions.ts";

const PRESERVE = "x-kubernetes-preserve-unknown-fields";

const EMBEDDED_API_VERSION: Schema = {
  type: "string",
  description:
    "apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
};

const EMBEDDED_KIND: Schema = {
  type: "string",
  description:
    "kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
};

/**
 * The published form of a custom resource's served schema (its
 * `openAPIV3Schema` with `apiVersion`, `kind` and `metadata` at the root) in
 * `dialect`. The input is not modified.
 */
export function crdKindSchema(served: Schema, dialect: Dialect): Schema {
  if (dialect === "v2" && served[PRESERVE] === true) {
    // Any property listed here would make kubectl refuse every other field.
    return { type: "object" };
  }
  const { apiVersion: _a, kind: _k, metadata: _m, ...own } =
    served.properties ??
      {};
  const user: Schema = structuredClone({ ...served, properties: own });
  const root = dialect === "v2" ? toV2(user) : unfold(user);
  root.properties = {
    ...root.properties,
    metadata: METADATA_FIELD,
    apiVersion: API_VERSION_FIELD,
    kind: KIND_FIELD,
  };
  addEmbedded(root, dialect);
  return root;
}

/**
 * Applies `fn` to the children that are schemas of their own (not value
 * validations); named definitions (ObjectMeta) are left as they are.
 */
function eachChild(s: Schema, fn: (c: Schema) => Schema): void {
  const own = (c: Schema) => definitionOf(c) ? c : fn(c);
  if (s.properties) {
    s.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, own(v)]),
    );
  }
  if (s.items && typeof s.items === "object") s.items = own(s.items);
  if (typeof s.additionalProperties === "object") {
    s.additionalProperties = own(s.additionalProperties);
  }
}

/** Upstream's `ToStructuralOpenAPIV2`, parent before children. */
function toV2(s: Schema): Schema {
  delete s.allOf;
  delete s.anyOf;
  delete s.oneOf;
  delete s.not;
  if (s.nullable) {
    delete s.type;
    delete s.nullable;
    delete s.items;
    delete s.properties;
  }
  if (s[PRESERVE] === true) {
    delete s.items;
    delete s.properties;
  }
  if (s.items === undefined && s.type === "array") delete s.type;
  if (s[PRESERVE] === true && s.type === "object") delete s.type;
  if (s.required && s.properties) {
    const props = s.properties;
    const kept = s.required.filter((f) => !props[f]?.nullable);
    if (kept.length === 0) delete s.required;
    else s.required = kept;
  }
  if (
    typeof s.additionalProperties === "object" &&
    s.additionalProperties.nullable
  ) {
    delete s.required;
  }
  eachChild(s, toV2);
  return s;
}

const INT_OR_STRING_ANY_OF: Schema[] = [
  { type: "integer" },
  { type: "string" },
];

function isIntOrStringAnyOf(anyOf: Schema[] | undefined): boolean {
  return anyOf?.length === 2 &&
    JSON.stringify(anyOf) === JSON.stringify(INT_OR_STRING_ANY_OF);
}

/** Upstream's `Structural.Unfold`: int-or-string spelled out as `anyOf`. */
function unfold(s: Schema): Schema {
  if (
    s["x-kubernetes-int-or-string"] === true && !isIntOrStringAnyOf(s.anyOf) &&
    !isIntOrStringAnyOf(s.allOf?.[0]?.anyOf)
  ) {
    if (s.anyOf === undefined) {
      s.anyOf = structuredClone(INT_OR_STRING_ANY_OF);
    } else {
      s.allOf = [
        { anyOf: structuredClone(INT_OR_STRING_ANY_OF) },
        ...(s.allOf ?? []),
      ];
    }
  }
  eachChild(s, unfold);
  return s;
}

/** Upstream's `addEmbeddedProperties`: children first. */
function addEmbedded(s: Schema, dialect: Dialect): Schema {
  eachChild(s, (c) => addEmbedded(c, dialect));
  if (s[PRESERVE] === true && dialect === "v2") return s;
  if (s["x-kubernetes-embedded-resource"] === true) {
    s.properties = {
      ...s.properties,
      apiVersion: EMBEDDED_API_VERSION,
      kind: EMBEDDED_KIND,
      metadata: METADATA_FIELD,
    };
    const required = [...(s.required ?? [])];
    if (!required.includes("kind")) required.push("kind");
    if (!required.includes("apiVersion")) required.push("apiVersion");
    s.required = required;
  }
  return s;
}
