/**
 * A policy compiled once per generation: every expression parsed and
 * checked (or its compile error kept, to be handled by the failure policy
 * at evaluation, as upstream), plus the type-checking warnings the policy's
 * `status.typeChecking` reports.
 *
 * Type checking is best effort: cel-js types the variables as `dyn`, so the
 * checker catches syntax, unknown functions and operator misuse; on top of
 * that, `object.a.b` / `oldObject.a.b` field chains are checked against the
 * structural schema of each kind the policy's rules name exactly (upstream
 * checks every expression against the kinds' full OpenAPI types).
 *
 * @module
 */

import type { Schema } from "../../schema/types.ts";
import {
  BOOL,
  type CelScope,
  type CompiledExpression,
  type PolicyCel,
  STRING,
  STRING_OR_NULL,
} from "./cel.ts";
import type { PolicyObject, PolicySpec, Validation } from "./types.ts";

/** An expression, compiled or not. */
export type Compiled = CompiledExpression | { error: string };

/** One compiled `validations` entry. */
export interface CompiledValidation {
  validation: Validation;
  expression: Compiled;
  message?: Compiled;
}

/** A compiled policy (one generation). */
export interface CompiledPolicy {
  name: string;
  uid: string;
  generation: number;
  spec: PolicySpec;
  scope: CelScope;
  failurePolicy: "Fail" | "Ignore";
  matchConditions: { name: string; expression: Compiled }[];
  variables: { name: string; expression: Compiled }[];
  validations: CompiledValidation[];
  auditAnnotations: { key: string; expression: Compiled }[];
  /** Some expression reads `namespaceObject`. */
  usesNamespaceObject: boolean;
}

/** Compiles `policy` (its stored, defaulted form). */
export function compilePolicy(
  cel: PolicyCel,
  policy: PolicyObject,
): CompiledPolicy {
  const spec = policy.spec ?? {};
  const scope: CelScope = { params: spec.paramKind != null };
  const declared: string[] = [];
  const variables = (spec.variables ?? []).map((v) => {
    const expression = cel.compile(String(v.expression ?? ""), scope, [
      ...declared,
    ]);
    declared.push(v.name);
    return { name: v.name, expression };
  });
  const all = [
    ...(spec.matchConditions ?? []).map((c) => c.expression),
    ...(spec.variables ?? []).map((v) => v.expression),
    ...(spec.validations ?? []).flatMap((v) => [
      v.expression,
      v.messageExpression ?? "",
    ]),
    ...(spec.auditAnnotations ?? []).map((a) => a.valueExpression),
  ];
  return {
    name: policy.metadata.name ?? "",
    uid: policy.metadata.uid ?? "",
    generation: policy.metadata.generation ?? 0,
    spec,
    scope,
    failurePolicy: spec.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    matchConditions: (spec.matchConditions ?? []).map((c) => ({
      name: c.name,
      expression: cel.compile(String(c.expression ?? ""), scope, [], BOOL),
    })),
    variables,
    validations: (spec.validations ?? []).map((v) => ({
      validation: v,
      expression: cel.compile(
        String(v.expression ?? ""),
        scope,
        declared,
        BOOL,
      ),
      message: v.messageExpression
        ? cel.compile(v.messageExpression, scope, declared, STRING)
        : undefined,
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({
      key: a.key,
      expression: cel.compile(
        String(a.valueExpression ?? ""),
        scope,
        declared,
        STRING_OR_NULL,
      ),
    })),
    usesNamespaceObject: all.some((e) => /\bnamespaceObject\b/.test(e ?? "")),
  };
}

/** A kind a policy's rules name exactly, with its schema. */
export interface CheckedKind {
  /** `apps/v1, Kind=Deployment` as upstream prints it. */
  label: string;
  schema: Schema;
}

const FIELD_CHAIN =
  /\b(object|oldObject)((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)+)/g;

function fieldWarning(expr: string, kind: CheckedKind): string | undefined {
  for (const m of expr.matchAll(FIELD_CHAIN)) {
    // `has(object.a.b)` probes on purpose; optional chains are skipped.
    const before = expr.slice(0, m.index).trimEnd();
    if (before.endsWith("has(")) continue;
    let s: Schema | undefined = kind.schema;
    const names = m[2].split(".").map((x) => x.trim()).filter(Boolean);
    let offset = m.index! + m[1].length;
    for (const name of names) {
      offset = expr.indexOf(name, offset);
      if (!s || s["x-kubernetes-preserve-unknown-fields"]) break;
      if (s.type === "object" && s.properties) {
        if (!(name in s.properties)) {
          if (typeof s.additionalProperties === "object") {
            s = s.additionalProperties;
            continue;
          }
          const col = offset + 1;
          return `${kind.label}: ERROR: <input>:1:${col}: undefined field '${name}'`;
        }
        s = s.properties[name];
        continue;
      }
      if (typeof s.additionalProperties === "object") {
        s = s.additionalProperties;
        continue;
      }
      break;
    }
  }
  return undefined;
}

/**
 * `status.typeChecking.expressionWarnings` of `policy` against `kinds`:
 * compile errors and unknown fields, with upstream's `fieldRef`s.
 */
export function typeCheckWarnings(
  compiled: CompiledPolicy,
  kinds: readonly CheckedKind[],
): { fieldRef: string; warning: string }[] {
  const out: { fieldRef: string; warning: string }[] = [];
  const check = (fieldRef: string, source: string, c: Compiled) => {
    if ("error" in c) {
      out.push({ fieldRef, warning: c.error });
      return;
    }
    const lines = kinds.map((k) => fieldWarning(source, k)).filter((
      w,
    ): w is string => w !== undefined);
    if (lines.length) out.push({ fieldRef, warning: lines.join("\n") });
  };
  compiled.validations.forEach((v, i) => {
    check(
      `spec.validations[${i}].expression`,
      v.validation.expression,
      v.expression,
    );
    if (v.message && v.validation.messageExpression) {
      check(
        `spec.validations[${i}].messageExpression`,
        v.validation.messageExpression,
        v.message,
      );
    }
  });
  compiled.auditAnnotations.forEach((a, i) =>
    check(
      `spec.auditAnnotations[${i}].valueExpression`,
      compiled.spec.auditAnnotations![i].valueExpression,
      a.expression,
    )
  );
  return out;
}
