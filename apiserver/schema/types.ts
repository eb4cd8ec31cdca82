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
  /** The CEL expression; true means valid. */
  rule: string;
  /** The message of a failure. */
  message?: string;
  /** A CEL expression building the message of a failure. */
  messageExpression?: string;
  /** The reason of a failure (`FieldValueInvalid`, …). */
  reason?: string;
  /** The field a failure is reported on, relative to this node. */
  fieldPath?: string;
  /** The rule also runs on create, where `oldSelf` is unset. */
  optionalOldSelf?: boolean;
}

/** A structural schema node (OpenAPI v3 subset as in `apiextensions.k8s.io/v1` `JSONSchemaProps`). */
export interface Schema {
  /** The JSON type of the value. */
  type?: SchemaType;
  /** What the field means. */
  description?: string;
  /** Format of a string or number, e.g. `date-time`, `int32`. */
  format?: string;
  /** A short title. */
  title?: string;
  /** The fields of an object, by name. */
  properties?: Record<string, Schema>;
  /** A schema for every other key (a map), or `false`/absent for a closed object. */
  additionalProperties?: Schema | boolean;
  /** The schema of every item of an array. */
  items?: Schema;
  /** Fields an object must have. */
  required?: string[];
  /** The only values allowed. */
  enum?: unknown[];
  /** The value a missing field gets (defaulting). */
  default?: unknown;
  /** `null` is allowed. */
  nullable?: boolean;
  /** A regular expression a string must match. */
  pattern?: string;
  /** The least number allowed. */
  minimum?: number;
  /** The greatest number allowed. */
  maximum?: number;
  /** `minimum` itself is not allowed. */
  exclusiveMinimum?: boolean;
  /** `maximum` itself is not allowed. */
  exclusiveMaximum?: boolean;
  /** A number must be a multiple of this. */
  multipleOf?: number;
  /** The shortest string allowed. */
  minLength?: number;
  /** The longest string allowed. */
  maxLength?: number;
  /** The fewest items allowed. */
  minItems?: number;
  /** The most items allowed. */
  maxItems?: number;
  /** Items must differ from each other. */
  uniqueItems?: boolean;
  /** The fewest fields allowed. */
  minProperties?: number;
  /** The most fields allowed. */
  maxProperties?: number;
  /** The value must match every one of these. */
  allOf?: Schema[];
  /** The value must match at least one of these. */
  anyOf?: Schema[];
  /** The value must match exactly one of these. */
  oneOf?: Schema[];
  /** The value must not match this. */
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
  /** CEL rules the value must pass. */
  "x-kubernetes-validations"?: ValidationRule[];
}
