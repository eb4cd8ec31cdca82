/**
 * Keyword shapes of a schema node (numbers are numbers, lists are lists…),
 * checked before anything reads them so malformed CRDs get typed errors.
 *
 * @module
 */

import { type FieldError, invalid } from "../validation/field_error.ts";

const NUMBER_KEYS = [
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
];
const BOOLEAN_KEYS = [
  "nullable",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "uniqueItems",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-int-or-string",
  "x-kubernetes-embedded-resource",
];
const STRING_KEYS = ["pattern", "format", "description", "title"];

/** Problems of the keyword types of node `s` at `path`. */
export function shape(s: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const bad = (k: string, what: string) =>
    errs.push(invalid(`${path}.${k}`, s[k], what));
  for (const k of NUMBER_KEYS) {
    if (s[k] !== undefined && typeof s[k] !== "number") {
      bad(k, "must be a number");
    }
  }
  for (const k of BOOLEAN_KEYS) {
    if (s[k] !== undefined && typeof s[k] !== "boolean") {
      bad(k, "must be a boolean");
    }
  }
  for (const k of STRING_KEYS) {
    if (s[k] !== undefined && typeof s[k] !== "string") {
      bad(k, "must be a string");
    }
  }
  if (s.enum !== undefined && !Array.isArray(s.enum)) {
    bad("enum", "must be a list");
  }
  for (const k of ["required", "x-kubernetes-list-map-keys"]) {
    const v = s[k];
    if (
      v !== undefined &&
      (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    ) bad(k, "must be a list of strings");
  }
  for (
    const k of [
      "minLength",
      "maxLength",
      "minItems",
      "maxItems",
      "minProperties",
      "maxProperties",
    ]
  ) {
    const v = s[k];
    if (typeof v === "number" && (v < 0 || !Number.isInteger(v))) {
      bad(k, "must be a non-negative integer");
    }
  }
  return errs;
}
