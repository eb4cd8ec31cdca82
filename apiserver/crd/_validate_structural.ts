/**
 * Structural-schema rules for a version's `openAPIV3Schema`, after upstream's
 * `ValidateCustomResourceDefinitionOpenAPISchema` and `schema.ValidateStructural`:
 * every node has a type (unless int-or-string / preserve-unknown-fields),
 * unsupported JSON-Schema keywords are forbidden, `allOf`/`anyOf`/`oneOf`/
 * `not` only carry value validations, metadata only names name and
 * generateName, list types are well formed, and defaults validate and are
 * pruned-clean.
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  notSupported,
  required,
} from "../validation/field_error.ts";
import { prune } from "./schema/prune.ts";
import { validateValue } from "./schema/validate_value.ts";
import { CelRules } from "./schema/cel.ts";
import { isObject } from "./schema/_path.ts";
import { shape } from "./_structural_shape.ts";
import { listTypes } from "./_structural_list_types.ts";

type Level = "root" | "field" | "item";

interface DefaultSite {
  s: Record<string, unknown>;
  path: string;
  level: Level;
}

const TYPES = ["array", "boolean", "integer", "number", "object", "string"];

const UNSUPPORTED: Record<string, string> = {
  id: "id is not supported",
  $schema: "$schema is not supported",
  $ref: "$ref is not supported",
  definitions: "definitions is not supported",
  dependencies: "dependencies is not supported",
  patternProperties: "patternProperties is not supported",
  additionalItems: "additionalItems is not supported",
};

const EMPTY_TYPE: Record<Level, string> = {
  root: "must not be empty at the root",
  field: "must not be empty for specified object fields",
  item: "must not be empty for specified array items",
};

const NESTED_FORBIDDEN: Array<[string, string]> = [
  ["type", "must be empty to be structural"],
  ["default", "must be undefined to be structural"],
  ["nullable", "must be false to be structural"],
  ["additionalProperties", "must be undefined to be structural"],
  ["x-kubernetes-preserve-unknown-fields", "must be false to be structural"],
  ["x-kubernetes-embedded-resource", "must be false to be structural"],
  ["x-kubernetes-int-or-string", "must be false to be structural"],
  ["x-kubernetes-list-type", "must be undefined to be structural"],
  ["x-kubernetes-list-map-keys", "must be undefined to be structural"],
  ["x-kubernetes-map-type", "must be undefined to be structural"],
  ["x-kubernetes-validations", "must be empty to be structural"],
];

/**
 * Problems of `raw` as the `openAPIV3Schema` at `path`; `cel` compiles
 * `x-kubernetes-validations`.
 */
export function validateStructuralSchema(
  raw: unknown,
  path: string,
  cel: CelRules = new CelRules(),
): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(raw)) {
    return [invalid(path, raw, "must be an object")];
  }
  const withDefaults: DefaultSite[] = [];
  walk(raw, path, "root", errs, withDefaults);
  if (errs.length > 0) return errs;
  // Only a well-formed schema can check its defaults and compile its rules.
  for (const d of withDefaults) defaults(d.s, d.path, d.level, errs);
  errs.push(...cel.compileErrors(raw as Schema, path));
  return errs;
}

function isIntOrStringAnyOf(s: Record<string, unknown>): boolean {
  const a = s.anyOf;
  return Array.isArray(a) && a.length === 2 && isObject(a[0]) &&
    isObject(a[1]) && a[0].type === "integer" && a[1].type === "string" &&
    Object.keys(a[0]).length === 1 && Object.keys(a[1]).length === 1;
}

function walk(
  s: Record<string, unknown>,
  path: string,
  level: Level,
  errs: FieldError[],
  withDefaults: DefaultSite[],
): void {
  const at = (k: string) => `${path}.${k}`;
  errs.push(...shape(s, path));
  for (const [k, msg] of Object.entries(UNSUPPORTED)) {
    if (s[k] !== undefined) errs.push(forbidden(at(k), msg));
  }
  const type = s.type;
  if (
    type !== undefined && (typeof type !== "string" || !TYPES.includes(type))
  ) {
    errs.push(notSupported(at("type"), type, TYPES));
  }
  if (s.uniqueItems === true) {
    errs.push(
      forbidden(
        at("uniqueItems"),
        "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
      ),
    );
  }
  const props = s.properties;
  if (props !== undefined && !isObject(props)) {
    errs.push(invalid(at("properties"), props, "must be an object"));
  }
  const ap = s.additionalProperties;
  // Properties are for structs, additionalProperties for maps: next to
  // properties only `true` (which keeps the struct's unknown keys) is allowed.
  if (
    ap !== undefined && ap !== true && isObject(props) &&
    Object.keys(props).length > 0
  ) {
    errs.push(
      forbidden(
        at("additionalProperties"),
        "additionalProperties and properties are mutual exclusive",
      ),
    );
  }
  if (ap !== undefined && level === "root") {
    errs.push(
      forbidden(at("additionalProperties"), "must not be used at the root"),
    );
  }
  const preserve = s["x-kubernetes-preserve-unknown-fields"];
  if (preserve === false) {
    errs.push(
      invalid(
        at("x-kubernetes-preserve-unknown-fields"),
        false,
        "must be true or undefined",
      ),
    );
  }
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  if (intOrString && preserve === true) {
    errs.push(
      invalid(
        at("x-kubernetes-preserve-unknown-fields"),
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  if (intOrString && embedded) {
    errs.push(
      invalid(
        at("x-kubernetes-embedded-resource"),
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  if (intOrString && type !== undefined) {
    errs.push(
      invalid(
        at("type"),
        type,
        "must be empty if x-kubernetes-int-or-string is true",
      ),
    );
  }
  if (typeof s.pattern === "string") {
    try {
      new RegExp(s.pattern, "u");
    } catch (e) {
      errs.push(
        invalid(
          at("pattern"),
          s.pattern,
          `must be a valid regular expression, but isn't: ${
            (e as Error).message
          }`,
        ),
      );
    }
  }
  // Types and embedded resources.
  if (embedded && type !== "object") {
    if (type === undefined) {
      errs.push(
        required(
          at("type"),
          "must be object if x-kubernetes-embedded-resource is true",
        ),
      );
    } else {
      errs.push(
        invalid(
          at("type"),
          type,
          "must be object if x-kubernetes-embedded-resource is true",
        ),
      );
    }
  } else if (
    type === undefined && !embedded && !intOrString && preserve !== true
  ) {
    errs.push(required(at("type"), EMPTY_TYPE[level]));
  }
  if (embedded && ap !== undefined) {
    errs.push(
      forbidden(
        at("additionalProperties"),
        "must not be used if x-kubernetes-embedded-resource is set",
      ),
    );
  }
  if (level === "root" && type !== undefined && type !== "object") {
    errs.push(invalid(at("type"), type, "must be object at the root"));
  }
  if (
    embedded && preserve !== true &&
    !(isObject(props) && Object.keys(props).length)
  ) {
    errs.push(
      required(
        at("properties"),
        "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      ),
    );
  }
  if (isObject(props) && (level === "root" || embedded)) {
    resourceFields(props, path, level === "root", errs);
  }
  // Arrays and list types.
  const items = s.items;
  if (Array.isArray(items)) {
    errs.push(
      forbidden(at("items"), "items must be a schema object and not an array"),
    );
  } else if (type === "array" && items === undefined) {
    errs.push(required(at("items"), "must be specified"));
  }
  listTypes(s, path, errs);
  const mapType = s["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    if (mapType !== "granular" && mapType !== "atomic") {
      errs.push(
        notSupported(at("x-kubernetes-map-type"), mapType, [
          "atomic",
          "granular",
        ]),
      );
    } else if (type !== "object") {
      errs.push(
        invalid(
          at("x-kubernetes-map-type"),
          mapType,
          "must only be used on type=object",
        ),
      );
    }
  }
  const rules = s["x-kubernetes-validations"];
  if (
    rules !== undefined &&
    (!Array.isArray(rules) || rules.some((r) => !isObject(r)))
  ) {
    errs.push(
      invalid(at("x-kubernetes-validations"), rules, "must be a list of rules"),
    );
  }
  // Value validations.
  const skipAnyOf = isIntOrStringAnyOf(s);
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const list = s[k];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errs.push(invalid(at(k), list, "must be a list of schemas"));
      continue;
    }
    if (k === "anyOf" && skipAnyOf) continue;
    list.forEach((x, i) => nested(x, `${path}.${k}[${i}]`, errs));
  }
  if (s.not !== undefined) nested(s.not, at("not"), errs);
  // Children.
  if (isObject(props)) {
    for (const [k, p] of Object.entries(props)) {
      const pp = `${path}.properties[${k}]`;
      if (!isObject(p)) errs.push(invalid(pp, p, "must be an object"));
      else walk(p, pp, "field", errs, withDefaults);
    }
  }
  if (isObject(ap)) {
    walk(ap, at("additionalProperties"), "field", errs, withDefaults);
  }
  if (isObject(items)) walk(items, at("items"), "item", errs, withDefaults);
  if (s.default !== undefined) withDefaults.push({ s, path, level });
}

function resourceFields(
  props: Record<string, unknown>,
  path: string,
  root: boolean,
  errs: FieldError[],
): void {
  for (const k of ["kind", "apiVersion"]) {
    const p = props[k];
    if (isObject(p) && p.type !== "string") {
      errs.push(
        invalid(`${path}.properties[${k}].type`, p.type, "must be string"),
      );
    }
  }
  const meta = props.metadata;
  if (!isObject(meta)) return;
  const mp = `${path}.properties[metadata]`;
  for (
    const k of [
      "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-embedded-resource",
      "x-kubernetes-int-or-string",
    ]
  ) {
    if (meta[k] === true) {
      errs.push(
        forbidden(`${mp}.${k}`, "must not be set to true for metadata"),
      );
    }
  }
  if (meta.type !== "object") {
    if (meta.type === undefined) {
      errs.push(required(`${mp}.type`, "must be object for metadata"));
    } else {
      errs.push(
        invalid(`${mp}.type`, meta.type, "must be object for metadata"),
      );
    }
  }
  if (!root) return;
  const allowed = new Set([
    "type",
    "properties",
    "description",
    "x-kubernetes-preserve-unknown-fields",
  ]);
  const extraKey = Object.keys(meta).some((k) => !allowed.has(k));
  const metaProps = isObject(meta.properties) ? meta.properties : {};
  const extraProp = Object.entries(metaProps).some(([k, v]) =>
    (k !== "name" && k !== "generateName") ||
    (isObject(v) && v.default !== undefined)
  );
  if (extraKey || extraProp) {
    errs.push(
      forbidden(
        mp,
        "must not specify anything other than name and generateName, but metadata is implicitly specified",
      ),
    );
  }
}

function nested(x: unknown, path: string, errs: FieldError[]): void {
  if (!isObject(x)) {
    errs.push(invalid(path, x, "must be an object"));
    return;
  }
  errs.push(...shape(x, path));
  for (const [k, msg] of NESTED_FORBIDDEN) {
    if (x[k] !== undefined && x[k] !== false) {
      errs.push(forbidden(`${path}.${k}`, msg));
    }
  }
  for (const [k, msg] of Object.entries(UNSUPPORTED)) {
    if (x[k] !== undefined) errs.push(forbidden(`${path}.${k}`, msg));
  }
  if (isObject(x.properties)) {
    for (const [k, p] of Object.entries(x.properties)) {
      nested(p, `${path}.properties[${k}]`, errs);
    }
  }
  if (x.items !== undefined) nested(x.items, `${path}.items`, errs);
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const list = x[k];
    if (Array.isArray(list)) {
      list.forEach((y, i) => nested(y, `${path}.${k}[${i}]`, errs));
    }
  }
  if (x.not !== undefined) nested(x.not, `${path}.not`, errs);
}

function defaults(
  s: Record<string, unknown>,
  path: string,
  level: Level,
  errs: FieldError[],
): void {
  const dp = `${path}.default`;
  if (level === "root") {
    errs.push(forbidden(dp, "must not be set at the root"));
    return;
  }
  const schema = s as Schema;
  const copy = structuredClone(s.default);
  const pruned = prune(copy, schema, {
    isResourceRoot: s["x-kubernetes-embedded-resource"] === true,
  });
  if (pruned.length > 0) {
    errs.push(
      invalid(
        dp,
        s.default,
        `must not have unknown fields, got: ${pruned.join(", ")}`,
      ),
    );
  }
  if (s.default === null && s.nullable !== true) {
    errs.push(invalid(dp, null, "must not be null for a non-nullable field"));
    return;
  }
  errs.push(...validateValue(s.default, schema, dp));
}
