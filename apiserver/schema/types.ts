/**
 * Structural schemas: the one description of a kind's fields that every
 * consumer reads — strict field validation, OpenAPI v2/v3 documents,
 * strategic merge patch (patch strategies and merge keys), server-side apply
 * (list types and map keys) and CRD validation/defaulting/pruning. Built-in
 * kinds declare one; CRDs bring their `openAPIV3Schema`.
 *
 * The shape is the OpenAPI v3 subset Kubernetes allows in CRDs
 * (`JSONSchemaProps`), plus the vendor extensions for merge semantics.
 *
 * @module
 */

/** A JSON value type in a schema. */
export type SchemaType =
  | "object"
  | "array"
  | "string"
  | "integer"
  | "number"
  | "boolean";

/** One CEL rule of `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** A structural schema node (OpenAPI v3 subset as in `apiextensions.k8s.io/v1` `JSONSchemaProps`). */
export interface Schema {
  type?: SchemaType;
  description?: string;
  format?: string;
  title?: string;
  properties?: Record<string, Schema>;
  /** A schema for every other key (a map), or `false`/absent for a closed object. */
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  /** The node keeps fields its schema does not name (no pruning, no unknown-field errors). */
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  /** The value is an integer or a string (e.g. `intstr.IntOrString`). */
  "x-kubernetes-int-or-string"?: boolean;
  /** The object is a complete Kubernetes object (apiVersion, kind, metadata). */
  "x-kubernetes-embedded-resource"?: boolean;
  /** How a list merges: `atomic` (replaced whole), `set` (scalars, union), `map` (keyed items). */
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  /** The keys identifying an item of a `map` list. */
  "x-kubernetes-list-map-keys"?: string[];
  /** How a map/struct merges: `granular` (per field, default) or `atomic`. */
  "x-kubernetes-map-type"?: "atomic" | "granular";
  /** Strategic merge patch strategy: `merge`, `retainKeys`, `merge,retainKeys`, `replace`. */
  "x-kubernetes-patch-strategy"?: string;
  /** Strategic merge patch key for lists of objects with strategy `merge`. */
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-validations"?: ValidationRule[];
}
