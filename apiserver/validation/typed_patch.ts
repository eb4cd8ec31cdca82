/**
 * Server-side apply's typed conversion of an applied configuration, as
 * upstream's field manager (`typeConverter.ObjectToTyped` in
 * structured-merge-diff): a field the kind's schema does not declare fails
 * the request whatever `fieldValidation` says, with upstream's message
 * (`failed to create typed patch object (default/c; /v1, Kind=ConfigMap):
 * .spec: field not declared in schema`) and status (500, no reason: the
 * field manager returns a plain error, which kube-apiserver does not map).
 *
 * @module
 */

import type { Schema } from "../schema/types.ts";
import { OBJECT_META } from "../schema/meta_v1.ts";
import { ApiError } from "../status/mod.ts";
import { isObject } from "../../internal/json.ts";

type Obj = Record<string, unknown>;

const EMBEDDED_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/** Compact JSON with sorted keys, as structured-merge-diff prints values. */
function valueString(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(valueString).join(",")}]`;
  if (isObject(v)) {
    return `{${
      Object.keys(v).sort().map((k) =>
        `${JSON.stringify(k)}:${valueString(v[k])}`
      ).join(",")
    }}`;
  }
  return JSON.stringify(v);
}

/** The path element of list item `i`: `[name="a"]`, `[="x"]` or `[0]`. */
function itemPath(schema: Schema, item: unknown, i: number): string {
  const type = schema["x-kubernetes-list-type"];
  if (type === "set" && !isObject(item) && !Array.isArray(item)) {
    return `[=${valueString(item)}]`;
  }
  const keys = schema["x-kubernetes-list-map-keys"] ?? [];
  if (type === "map" && isObject(item) && keys.every((k) => k in item)) {
    return `[${
      [...keys].sort().map((k) => `${k}=${valueString(item[k])}`).join(",")
    }]`;
  }
  return `[${i}]`;
}

function walk(value: unknown, schema: Schema, path: string, out: string[]) {
  if (value === null || typeof value !== "object") return;
  if (schema["x-kubernetes-int-or-string"]) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!items) return;
    value.forEach((item, i) =>
      walk(item, items, `${path}${itemPath(schema, item, i)}`, out)
    );
    return;
  }
  if (schema.type !== undefined && schema.type !== "object") return;
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}.${key}`;
    if (Object.hasOwn(props, key)) {
      walk(child, props[key], childPath, out);
    } else if (embedded && EMBEDDED_FIELDS.has(key)) {
      if (key === "metadata") walk(child, OBJECT_META, childPath, out);
    } else if (typeof extra === "object") {
      walk(child, extra, childPath, out);
    } else if (extra === true || preserve) {
      continue;
    } else if (!schema.properties && extra === undefined && !schema.type) {
      continue;
    } else {
      out.push(`${childPath}: field not declared in schema`);
    }
  }
}

/**
 * The typed-conversion errors of an applied configuration against its
 * kind's schema, as structured-merge-diff words them
 * (`.spec.containers[name="a"].foo: field not declared in schema`).
 *
 * @example
 * ```ts
 * typedPatchErrors({ apiVersion: "v1", kind: "ConfigMap", spec: {} }, schema);
 * // → [".spec: field not declared in schema"]
 * ```
 */
export function typedPatchErrors(config: unknown, schema: Schema): string[] {
  const out: string[] = [];
  walk(config, schema, "", out);
  return out;
}

/** What names the applied object in the error (`<ns>/<name>; <gvk>`). */
export interface TypedPatchSubject {
  group: string;
  version: string;
  kind: string;
}

/**
 * Throws upstream's 500 `failed to create typed patch object (<ns>/<name>;
 * <group>/<version>, Kind=<kind>): …` when `config` has fields its schema
 * does not declare; several errors are listed after `errors:` one per line,
 * as structured-merge-diff's `ValidationErrors`.
 */
export function checkTypedPatch(
  config: Obj,
  schema: Schema,
  subject: TypedPatchSubject,
): void {
  const errs = typedPatchErrors(config, schema);
  if (errs.length === 0) return;
  const meta = isObject(config.metadata) ? config.metadata : {};
  const ns = typeof meta.namespace === "string" ? meta.namespace : "";
  const name = typeof meta.name === "string" ? meta.name : "";
  const gvk = `${subject.group}/${subject.version}, Kind=${subject.kind}`;
  const detail = errs.length === 1
    ? errs[0]
    : ["errors:", ...errs.map((e) => `  ${e}`)].join("\n");
  throw new ApiError(
    500,
    "",
    `failed to create typed patch object (${ns}/${name}; ${gvk}): ${detail}`,
  );
}

/**
 * What yaml.v2's strict decoding says about an apply body: one
 * `line <n>: key "<k>" already set in map` per repeated key (the lines
 * upstream turns into `Warning`s under `fieldValidation=Warn`).
 */
export function strictYamlProblems(
  duplicates: readonly { path: string; line: number }[],
): string[] {
  return duplicates.map((d) => {
    const key = d.path.slice(d.path.lastIndexOf(".") + 1);
    return `line ${d.line}: key ${JSON.stringify(key)} already set in map`;
  });
}

/**
 * Upstream's 400 for an apply body with repeated keys under
 * `fieldValidation=Strict`: `error strict decoding YAML: error converting
 * YAML to JSON: yaml: unmarshal errors:` and one problem per line.
 */
export function strictYamlError(problems: readonly string[]): ApiError {
  return new ApiError(
    400,
    "BadRequest",
    `error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n${
      problems.map((p) => `  ${p}`).join("\n")
    }`,
  );
}

/** What {@linkcode checkApplyBody} needs from the request. */
export interface ApplyBodyCheck {
  /** The decoded applied configuration. */
  config: Obj;
  /** The repeated keys of the body text (path and line). */
  duplicates: readonly { path: string; line: number }[];
  /** The kind's schema; none (or a subresource of another kind): no check. */
  schema: Schema | undefined;
  subject: TypedPatchSubject;
  /** The request's `fieldValidation`. */
  directive: "Strict" | "Warn" | "Ignore";
  /** Where `Warn` problems go (each once). */
  warnings: string[];
}

/**
 * Upstream's checks of an apply body: undeclared fields always fail (500,
 * {@linkcode checkTypedPatch}); repeated keys fail under `Strict` (400,
 * {@linkcode strictYamlError}), are warnings under `Warn` and are ignored
 * (the last one wins) under `Ignore`.
 */
export function checkApplyBody(check: ApplyBodyCheck): void {
  if (check.schema) {
    checkTypedPatch(check.config, check.schema, check.subject);
  }
  if (check.directive === "Ignore") return;
  const problems = strictYamlProblems(check.duplicates);
  if (problems.length === 0) return;
  if (check.directive === "Strict") throw strictYamlError(problems);
  for (const p of problems) {
    if (!check.warnings.includes(p)) check.warnings.push(p);
  }
}
