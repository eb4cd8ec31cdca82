/**
 * What kube-apiserver says when a strategic-merge-patched built-in object
 * does not convert back into its Go type. Unlike a JSON or merge patch
 * (decoded with `encoding/json`, see `go_decode.ts`), a strategic merge
 * patch is applied to a `map[string]interface{}` and converted with
 * `runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation`,
 * whose errors read differently (`unrecognized type: string`, `cannot
 * convert int64 to string`, `cannot restore struct from: string`), and the
 * rejected value shown is the patch itself as Go's `%+v` prints a map
 * (`map[metadata:map[labels:map[x:true]]]`).
 *
 * @example
 * ```ts
 * goFromUnstructuredError({ data: { a: true } }, CONFIG_MAP_SCHEMA);
 * // "unrecognized type: string"
 * goFormatValue({ data: { a: true } }); // "map[data:map[a:true]]"
 * ```
 *
 * @module
 */

import { customUnmarshal, goScalarType } from "./go_decode.ts";
import type { Schema } from "./types.ts";

/** `reflect.Kind` of a decoded JSON value (integers decode as int64). */
function sourceKind(v: unknown): string {
  if (Array.isArray(v)) return "slice";
  if (typeof v === "object") return "map";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  return "string";
}

/** `reflect.Kind` of a simple (scalar) destination field. */
function destKind(schema: Schema): string | undefined {
  // A []byte is a slice, not a simple kind, for the converter.
  return schema.format === "byte" ? undefined : goScalarType(schema);
}

/** upstream's `fromUnstructured` for one value; the first error, if any. */
function convert(value: unknown, schema: Schema): string | undefined {
  if (value === null || value === undefined) return undefined;
  const custom = customUnmarshal(value, schema);
  if (custom) {
    return custom.refused
      ? `json: cannot unmarshal ${custom.refused.value} into Go value of type ${custom.refused.type}`
      : custom.parseError;
  }
  const dk = destKind(schema);
  if (dk !== undefined) {
    const sk = sourceKind(value);
    const integers = ["int32", "int64"];
    if (
      sk === dk ||
      (sk === "int64" && (integers.includes(dk) || dk === "float64"))
    ) {
      return undefined;
    }
    // Go converts (but JSON would not) int64 → string and float64 → int:
    // the converter refuses both with "cannot convert".
    if (sk === "int64" && dk === "string") {
      return "cannot convert int64 to string";
    }
    if (sk === "float64" && integers.includes(dk)) {
      return `cannot convert float64 to ${dk}`;
    }
    return `unrecognized type: ${dk}`;
  }
  switch (schema.type) {
    case "string": // []byte: a base64 string or an array of bytes
      if (typeof value === "string" || Array.isArray(value)) return undefined;
      return `cannot restore slice from ${sourceKind(value)}`;
    case "array":
      if (!Array.isArray(value)) {
        return `cannot restore slice from ${sourceKind(value)}`;
      }
      for (const item of value) {
        const err = schema.items && convert(item, schema.items);
        if (err) return err;
      }
      return undefined;
    case "object":
      return convertObject(value, schema);
    default:
      return undefined; // free-form
  }
}

function convertObject(value: unknown, schema: Schema): string | undefined {
  const props = schema.properties;
  const values = typeof schema.additionalProperties === "object"
    ? schema.additionalProperties
    : undefined;
  if (!props && !values) return undefined; // RawExtension, FieldsV1, …
  const isMap = typeof value === "object" && value !== null &&
    !Array.isArray(value);
  if (!isMap) {
    return props
      ? `cannot restore struct from: ${sourceKind(value)}`
      : `cannot restore map from ${sourceKind(value)}`;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const field = props ? props[key] : values;
    if (!field) continue;
    const err = convert(obj[key], field);
    if (err) return err;
  }
  return undefined;
}

/**
 * The converter's error for `obj` as the kind `schema` describes, or
 * `undefined` when it converts.
 */
export function goFromUnstructuredError(
  obj: unknown,
  schema: Schema,
): string | undefined {
  return convert(obj, schema);
}

/**
 * A JSON number as Go prints the decoded value: an integer is an int64
 * (upstream decodes patches preserving integers), any other number a
 * float64 in `%v` (`strconv.FormatFloat(v, 'g', -1, 64)`: shortest digits,
 * an exponent below 1e-4 and from 1e6 on).
 */
function goNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return String(v);
  const [mantissa, exp] = v.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 6) {
    const digits = String(Math.abs(e)).padStart(2, "0");
    return `${mantissa}e${e < 0 ? "-" : "+"}${digits}`;
  }
  return String(v);
}

/** A decoded JSON value as Go's `fmt.Sprintf("%+v", …)` prints it. */
export function goFormatValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goFormatValue).join(" ")}]`;
  if (typeof v === "object") {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `map[${keys.map((k) => `${k}:${goFormatValue(obj[k])}`).join(" ")}]`;
  }
  if (typeof v === "number") return goNumber(v);
  return String(v);
}
