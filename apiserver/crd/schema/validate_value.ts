/**
 * Validation of a custom resource (or any JSON value) against a structural
 * schema, after `apiextensions-apiserver`'s use of kube-openapi's validator:
 * types, nullable, enum, pattern, bounds, lengths, item counts, formats,
 * required fields, `allOf`/`anyOf`/`oneOf`/`not`, list-type uniqueness and
 * embedded resources. Messages follow upstream's wording, e.g.
 * `spec.replicas: Invalid value: -1: spec.replicas in body should be greater
 * than or equal to 0`.
 *
 * @module
 */

import type { Schema } from "../../schema/types.ts";
import {
  type FieldError,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from "../../validation/field_error.ts";
import { matchesFormat } from "./_formats.ts";
import { validateListTypes } from "./list_types.ts";
import { validateEmbeddedResource } from "./embedded.ts";
import { childPath, deepEqual, indexPath, jsonTypeOf } from "./_path.ts";

const regexCache = new Map<string, RegExp | null>();

function compilePattern(p: string): RegExp | null {
  let re = regexCache.get(p);
  if (re === undefined) {
    try {
      re = new RegExp(p, "u");
    } catch {
      re = null;
    }
    if (regexCache.size < 1024) regexCache.set(p, re);
  }
  return re;
}

function inBody(path: string): string {
  return `${path} in body`;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
  }
  return true;
}

function checkType(v: unknown, s: Schema, path: string): FieldError[] {
  if (s["x-kubernetes-int-or-string"]) {
    if (
      (typeof v === "number" && Number.isInteger(v)) || typeof v === "string"
    ) return [];
    const t = jsonTypeOf(v);
    return [
      typeInvalid(
        path,
        t,
        `${inBody(path)} must be of type integer,string: ${JSON.stringify(t)}`,
      ),
    ];
  }
  if (s.type === undefined || typeMatches(s.type, v)) return [];
  const t = jsonTypeOf(v);
  return [
    typeInvalid(
      path,
      t,
      `${inBody(path)} must be of type ${s.type}: ${JSON.stringify(t)}`,
    ),
  ];
}

function enumValues(values: unknown[]): string[] {
  return values.map((x) => typeof x === "string" ? x : JSON.stringify(x));
}

function checkString(v: string, s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) {
    errs.push(tooLong(path, `may not be more than ${s.maxLength} bytes`));
  }
  if (s.minLength !== undefined && len < s.minLength) {
    errs.push(
      invalid(
        path,
        v,
        `${inBody(path)} should be at least ${s.minLength} chars long`,
      ),
    );
  }
  if (s.pattern !== undefined) {
    const re = compilePattern(s.pattern);
    if (re !== null && !re.test(v)) {
      errs.push(
        invalid(path, v, `${inBody(path)} should match '${s.pattern}'`),
      );
    }
  }
  if (s.format !== undefined && !matchesFormat(s.format, v)) {
    errs.push(
      typeInvalid(
        path,
        v,
        `${inBody(path)} must be of type ${s.format}: ${JSON.stringify(v)}`,
      ),
    );
  }
  return errs;
}

function checkNumber(v: number, s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      const rel = s.exclusiveMinimum
        ? "greater than"
        : "greater than or equal to";
      errs.push(
        invalid(path, v, `${inBody(path)} should be ${rel} ${s.minimum}`),
      );
    }
  }
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      const rel = s.exclusiveMaximum ? "less than" : "less than or equal to";
      errs.push(
        invalid(path, v, `${inBody(path)} should be ${rel} ${s.maximum}`),
      );
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) {
      errs.push(
        invalid(
          path,
          v,
          `${inBody(path)} should be a multiple of ${s.multipleOf}`,
        ),
      );
    }
  }
  return errs;
}

function checkArray(v: unknown[], s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.minItems !== undefined && v.length < s.minItems) {
    errs.push(
      invalid(
        path,
        v,
        `${inBody(path)} should have at least ${s.minItems} items`,
      ),
    );
  }
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    errs.push(tooMany(path, v.length, s.maxItems));
  }
  if (s.uniqueItems) {
    const dup = v.some((x, i) => v.slice(0, i).some((y) => deepEqual(x, y)));
    if (dup) {
      errs.push(
        invalid(path, v, `${inBody(path)} shouldn't contain duplicates`),
      );
    }
  }
  if (s.items !== undefined) {
    v.forEach((item, i) => {
      errs.push(...validateValue(item, s.items!, indexPath(path, i)));
    });
  }
  errs.push(...validateListTypes(v, s, path));
  return errs;
}

function checkObject(
  v: Record<string, unknown>,
  s: Schema,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const n = Object.keys(v).length;
  if (s.minProperties !== undefined && n < s.minProperties) {
    errs.push(
      invalid(
        path,
        n,
        `${inBody(path)} should have at least ${s.minProperties} properties`,
      ),
    );
  }
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    errs.push(tooMany(path, n, s.maxProperties));
  }
  for (const r of s.required ?? []) {
    if (!Object.hasOwn(v, r)) errs.push(required(childPath(path, r)));
  }
  for (const [k, x] of Object.entries(v)) {
    const prop = s.properties?.[k];
    if (prop !== undefined) {
      errs.push(...validateValue(x, prop, childPath(path, k)));
    } else if (typeof s.additionalProperties === "object") {
      errs.push(
        ...validateValue(x, s.additionalProperties, childPath(path, k)),
      );
    } else if (s.additionalProperties === false) {
      errs.push(
        invalid(
          path,
          k,
          `${childPath(path, k)} in body is a forbidden property`,
        ),
      );
    }
  }
  if (s["x-kubernetes-embedded-resource"]) {
    errs.push(...validateEmbeddedResource(v, path));
  }
  return errs;
}

function checkCombinators(v: unknown, s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.allOf) {
    const sub = s.allOf.flatMap((x) => validateValue(v, x, path));
    if (sub.length > 0) {
      errs.push(
        invalid(
          path,
          v,
          `${inBody(path)} must validate all the schemas (allOf)`,
        ),
        ...sub,
      );
    }
  }
  if (s.anyOf && s.anyOf.length > 0) {
    const results = s.anyOf.map((x) => validateValue(v, x, path));
    if (results.every((r) => r.length > 0)) {
      errs.push(
        invalid(
          path,
          v,
          `${inBody(path)} must validate at least one schema (anyOf)`,
        ),
        ...results[0],
      );
    }
  }
  if (s.oneOf && s.oneOf.length > 0) {
    const results = s.oneOf.map((x) => validateValue(v, x, path));
    const ok = results.filter((r) => r.length === 0).length;
    if (ok !== 1) {
      errs.push(
        invalid(
          path,
          v,
          `${inBody(path)} must validate one and only one schema (oneOf)`,
        ),
      );
      if (ok === 0) errs.push(...results[0]);
    }
  }
  if (s.not && validateValue(v, s.not, path).length === 0) {
    errs.push(
      invalid(path, v, `${inBody(path)} must not validate the schema (not)`),
    );
  }
  return errs;
}

/**
 * Every problem of `value` against `schema`; `path` is where the value sits
 * (`""` for a whole object, whose fields then read `spec.replicas`).
 *
 * ```ts
 * validateValue({ spec: { replicas: -1 } }, schema);
 * // [{ field: "spec.replicas", detail: "spec.replicas in body should be greater than or equal to 0", … }]
 * ```
 */
export function validateValue(
  value: unknown,
  schema: Schema,
  path = "",
): FieldError[] {
  if (value === null || value === undefined) {
    if (schema.nullable) return [];
    if (
      schema.type === undefined && !schema["x-kubernetes-int-or-string"]
    ) return [];
    return checkType(null, schema, path);
  }
  const typeErrs = checkType(value, schema, path);
  if (typeErrs.length > 0) return typeErrs;
  const errs: FieldError[] = [];
  if (
    schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))
  ) {
    errs.push(notSupported(path, value, enumValues(schema.enum)));
  }
  if (typeof value === "string") errs.push(...checkString(value, schema, path));
  else if (typeof value === "number") {
    errs.push(...checkNumber(value, schema, path));
  } else if (Array.isArray(value)) {
    errs.push(...checkArray(value, schema, path));
  } else if (typeof value === "object") {
    errs.push(...checkObject(value as Record<string, unknown>, schema, path));
  }
  errs.push(...checkCombinators(value, schema, path));
  return errs;
}
