/**
 * What kube-apiserver's typed decoder refuses in a built-in kind's body: a
 * value of the wrong JSON type for its Go field (`json: cannot unmarshal
 * number into Go struct field ConfigMap.data of type string`) or a timestamp
 * Go's `time.Parse` does not read (`go_time.ts`). Upstream refuses such a
 * body before anything else looks at it; a server that stored it would hand
 * every Go client (kubectl, client-go informers) an object it cannot
 * decode, and one such Event breaks `kubectl events` for the namespace.
 *
 * The walk follows the kind's structural schema: declared fields are
 * checked, unknown ones are not (the decoder drops them), `null` is always
 * accepted (Go leaves the zero value), free-form nodes (no type, or
 * `x-kubernetes-preserve-unknown-fields` without properties: RawExtension,
 * JSON, FieldsV1) accept anything.
 *
 * @module
 */

import { goJsonTypeName } from "../http/go_json_errors.ts";
import { isObject } from "../../internal/json.ts";
import { definitionOf } from "./_named.ts";
import type { Schema } from "./types.ts";
import { GO_RFC3339, GO_RFC3339_MICRO, goTimeParseError } from "./go_time.ts";

const META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Where the walk is, for Go's `UnmarshalTypeError` context. */
interface At {
  /** The innermost Go struct being decoded (`ObjectMeta`). */
  struct: string;
  /** JSON field names from the root (`metadata.name`). */
  path: string;
}

/** The walk's result: the first type error, or a parse error that stops it. */
interface Found {
  error?: string;
  /** A custom unmarshaler's failure (time): Go stops decoding at once. */
  fatal?: boolean;
}

/**
 * Go's decode error for `obj` as the kind `schema` describes (the kind's
 * root schema, named after its Go type), or `undefined` when Go decodes it.
 * As Go's decoder, the first wrong-type value in document order is
 * reported unless a timestamp fails to parse (that stops decoding where it
 * is).
 *
 * @example
 * ```ts
 * goDecodeError({ data: { a: 1 } }, CONFIG_MAP_SCHEMA);
 * // "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
 * ```
 */
export function goDecodeError(
  obj: unknown,
  schema: Schema,
): string | undefined {
  const found: Found = {};
  walk(obj, schema, { struct: shortName(schema) ?? "", path: "" }, found);
  return found.error;
}

function shortName(schema: Schema): string | undefined {
  const name = definitionOf(schema)?.name;
  return name === undefined ? undefined : name.slice(name.lastIndexOf(".") + 1);
}

/** The Go type a node decodes into, as `reflect.Type.String()` prints it. */
function goType(schema: Schema): string {
  const name = definitionOf(schema)?.name;
  if (name !== undefined) {
    const parts = name.split(".");
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  const scalar = goScalarType(schema);
  if (scalar !== undefined) return scalar;
  if (schema.type === "array") {
    return `[]${schema.items ? goType(schema.items) : "interface {}"}`;
  }
  return typeof schema.additionalProperties === "object"
    ? `map[string]${goType(schema.additionalProperties)}`
    : "map[string]interface {}";
}

/**
 * The Go type of a scalar schema node (`string`, `[]uint8` for a `byte`
 * string, `int32`/`int64`, `float64`, `bool`), `undefined` for objects and
 * arrays.
 */
export function goScalarType(schema: Schema): string | undefined {
  switch (schema.type) {
    case "string":
      return schema.format === "byte" ? "[]uint8" : "string";
    case "integer":
      return schema.format === "int32" ? "int32" : "int64";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return undefined;
  }
}

/**
 * What a type with its own `UnmarshalJSON` made of a value: nothing (it
 * was read), a JSON type it refused (`refused`: Go's name of the value's
 * type and the Go type it read into), or a timestamp it could not parse.
 */
export interface CustomUnmarshal {
  refused?: { value: string; type: string };
  parseError?: string;
}

/**
 * How a node Go decodes with its own `UnmarshalJSON` reads the (non-null)
 * `value`: `metav1.Time`/`MicroTime` read a JSON string and parse it, an
 * `IntOrString` reads a string or an int32, a `Quantity` a string or a
 * number (its syntax is validated with the kind, ResourceQuota).
 * `undefined` when `schema` is no such node. The JSON decoder
 * (`goDecodeError`) and the unstructured converter
 * (`go_from_unstructured.ts`) both read these types this way.
 */
export function customUnmarshal(
  value: unknown,
  schema: Schema,
): CustomUnmarshal | undefined {
  const name = definitionOf(schema)?.name;
  if (name === `${META_V1}.Time` || name === `${META_V1}.MicroTime`) {
    if (typeof value !== "string") {
      return { refused: { value: goJsonTypeName(value), type: "string" } };
    }
    const parseError = goTimeParseError(
      value,
      name.endsWith("MicroTime") ? GO_RFC3339_MICRO : GO_RFC3339,
    );
    return parseError === undefined ? {} : { parseError };
  }
  if (name === QUANTITY) return {};
  if (schema["x-kubernetes-int-or-string"]) {
    if (
      typeof value === "string" ||
      (typeof value === "number" && Number.isInteger(value) &&
        value >= INT32_MIN && value <= INT32_MAX)
    ) return {};
    const what = typeof value === "number"
      ? `number ${value}`
      : goJsonTypeName(value);
    return { refused: { value: what, type: "int32" } };
  }
  return undefined;
}

function typeError(found: Found, at: At, value: string, type: string) {
  if (found.error !== undefined) return; // Go keeps the first one
  found.error = at.path === ""
    ? `json: cannot unmarshal ${value} into Go value of type ${type}`
    : `json: cannot unmarshal ${value} into Go struct field ${at.struct}.${at.path} of type ${type}`;
}

function walk(value: unknown, schema: Schema, at: At, found: Found): void {
  if (value === null || value === undefined || found.fatal) return;
  const custom = customUnmarshal(value, schema);
  if (custom) {
    if (custom.refused) {
      typeError(found, at, custom.refused.value, custom.refused.type);
    } else if (custom.parseError) {
      found.error = custom.parseError;
      found.fatal = true;
    }
    return;
  }
  switch (schema.type) {
    case "string":
      // Base64 ([]byte) is checked with the kind (Secret data), which also
      // reads a JSON array of bytes.
      if (typeof value === "string") return;
      if (schema.format === "byte" && Array.isArray(value)) return;
      typeError(found, at, goJsonTypeName(value), goType(schema));
      return;
    case "integer": {
      if (typeof value !== "number") {
        typeError(found, at, goJsonTypeName(value), goType(schema));
        return;
      }
      const int32 = schema.format === "int32";
      if (
        !Number.isInteger(value) ||
        (int32 && (value < INT32_MIN || value > INT32_MAX))
      ) {
        typeError(found, at, `number ${value}`, goType(schema));
      }
      return;
    }
    case "number":
      if (typeof value !== "number") {
        typeError(found, at, goJsonTypeName(value), goType(schema));
      }
      return;
    case "boolean":
      if (typeof value !== "boolean") {
        typeError(found, at, goJsonTypeName(value), goType(schema));
      }
      return;
    case "array":
      if (!Array.isArray(value)) {
        typeError(found, at, goJsonTypeName(value), goType(schema));
        return;
      }
      if (schema.items) {
        for (const item of value) walk(item, schema.items, at, found);
      }
      return;
    case "object":
      walkObject(value, schema, at, found);
      return;
    default:
      return; // free-form: any JSON value
  }
}

function walkObject(value: unknown, schema: Schema, at: At, found: Found) {
  const props = schema.properties;
  const values = typeof schema.additionalProperties === "object"
    ? schema.additionalProperties
    : undefined;
  // RawExtension, FieldsV1 and other free-form objects take any JSON.
  if (!props && !values) return;
  if (!isObject(value)) {
    typeError(found, at, goJsonTypeName(value), goType(schema));
    return;
  }
  if (props) {
    const struct = shortName(schema) ?? at.struct;
    for (const key in value) {
      if (!Object.hasOwn(props, key)) continue;
      const path = at.path === "" ? key : `${at.path}.${key}`;
      walk(value[key], props[key], { struct, path }, found);
      if (found.fatal) return;
    }
    return;
  }
  // A map: values decode in the map field's own context.
  for (const key in value) {
    walk(value[key], values!, at, found);
    if (found.fatal) return;
  }
}
