/**
 * `x-kubernetes-validations` (CEL rules) on custom resources, evaluated with
 * `@marcbachmann/cel-js`. Each rule sees the value of the schema node that
 * declares it as `self`; on update, rules that mention `oldSelf` (transition
 * rules) also see the stored value at the same place, reached through object
 * fields and `map` list keys, as upstream correlates them. Integer fields
 * are CEL `int`, number fields `double`.
 *
 * The Kubernetes CEL libraries (`quantity`, `url`, `ip`, `cidr`, list and
 * regex extensions beyond the standard set) are not available: a rule that
 * calls one fails to compile, and the CRD is rejected with that message.
 *
 * @module
 */

import type { Environment } from "@marcbachmann/cel-js";
import { cel } from "../../../internal/lazy_npm.ts";
import type { Schema, ValidationRule } from "../../schema/types.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  invalid,
  required,
} from "../../validation/field_error.ts";
import { childPath, indexPath, isObject } from "./_path.ts";

type Program = ReturnType<Environment["parse"]>;

const OLD_SELF = /\boldSelf\b/;

/** Which rules a run evaluates: plain ones, or transition rules (`oldSelf`). */
export type RuleKind = "plain" | "transition";

/** Whether `rule` is a transition rule (refers to `oldSelf`). */
export function isTransitionRule(rule: ValidationRule): boolean {
  return OLD_SELF.test(rule.rule);
}

/** Compiles and evaluates the CEL rules of schemas; owns a program cache. */
export class CelRules {
  // Built by the first rule: a control plane without CEL rules never
  // loads cel-js (see `internal/lazy_npm.ts`).
  #envCache?: Environment;
  #programs = new Map<string, Program>();

  get #env(): Environment {
    return this.#envCache ??= new (cel().Environment)({
      homogeneousAggregateLiterals: false,
    })
      .registerVariable("self", "dyn")
      .registerVariable("oldSelf", "dyn");
  }

  /** The compiled program for `expr`; throws the compile error. */
  program(expr: string): Program {
    let p = this.#programs.get(expr);
    if (p === undefined) {
      p = this.#env.parse(expr);
      const checked = p.check();
      if (!checked.valid) throw checked.error ?? new Error("invalid rule");
      if (this.#programs.size < 4096) this.#programs.set(expr, p);
    }
    return p;
  }

  /**
   * Compile errors of every rule in `schema`, with field paths below
   * `path` (e.g. `spec.versions[0].schema.openAPIV3Schema`).
   */
  compileErrors(schema: Schema, path: string): FieldError[] {
    const errs: FieldError[] = [];
    walkSchema(schema, path, (s, p) => {
      (s["x-kubernetes-validations"] ?? []).forEach((r, i) => {
        const rp = `${p}.x-kubernetes-validations[${i}]`;
        if (typeof r.rule !== "string" || r.rule.trim() === "") {
          errs.push(required(`${rp}.rule`));
          return;
        }
        for (
          const [key, expr] of [["rule", r.rule], [
            "messageExpression",
            r.messageExpression,
          ]] as const
        ) {
          if (expr === undefined) continue;
          try {
            this.program(expr);
          } catch (e) {
            errs.push(
              invalid(
                `${rp}.${key}`,
                expr,
                `compilation failed: ${message(e)}`,
              ),
            );
          }
        }
        if (
          r.reason !== undefined &&
          ![
            "FieldValueInvalid",
            "FieldValueForbidden",
            "FieldValueRequired",
            "FieldValueDuplicate",
          ]
            .includes(r.reason)
        ) {
          errs.push(
            invalid(
              `${rp}.reason`,
              r.reason,
              "must be one of FieldValueInvalid, FieldValueForbidden, FieldValueRequired, FieldValueDuplicate",
            ),
          );
        }
      });
    });
    return errs;
  }

  /**
   * Errors of the CEL rules in `schema` for `value` (and `old` on update).
   */
  validate(
    value: unknown,
    old: unknown,
    schema: Schema,
    path = "",
    only?: RuleKind,
  ): FieldError[] {
    const errs: FieldError[] = [];
    this.#walk(value, old, schema, path, errs, only);
    return errs;
  }

  #walk(
    v: unknown,
    old: unknown,
    s: Schema,
    path: string,
    errs: FieldError[],
    only: RuleKind | undefined,
  ): void {
    if (v === null || v === undefined) return;
    for (const rule of s["x-kubernetes-validations"] ?? []) {
      const transition = isTransitionRule(rule);
      if (only === "plain" && transition) continue;
      if (only === "transition" && !transition) continue;
      this.#check(rule, v, old, s, path, errs);
    }
    if (Array.isArray(v)) {
      if (s.items === undefined) return;
      const oldByKey = correlateList(old, s);
      v.forEach((item, i) => {
        this.#walk(
          item,
          oldByKey?.(item),
          s.items!,
          indexPath(path, i),
          errs,
          only,
        );
      });
      return;
    }
    if (!isObject(v)) return;
    const oldObj = isObject(old) ? old : undefined;
    const additional = typeof s.additionalProperties === "object"
      ? s.additionalProperties
      : undefined;
    for (const [k, x] of Object.entries(v)) {
      const prop = s.properties?.[k] ?? additional;
      if (prop) {
        this.#walk(x, oldObj?.[k], prop, childPath(path, k), errs, only);
      }
    }
  }

  #check(
    rule: ValidationRule,
    v: unknown,
    old: unknown,
    s: Schema,
    path: string,
    errs: FieldError[],
  ): void {
    const transition = isTransitionRule(rule);
    if (transition && old === undefined) return;
    const self = toCel(v, s);
    const ctx = { self, oldSelf: transition ? toCel(old, s) : null };
    const type = s.type ?? "object";
    let result: unknown;
    try {
      result = this.program(rule.rule)(ctx);
    } catch (e) {
      errs.push(
        invalid(path, type, `${message(e)} evaluating rule: ${rule.rule}`),
      );
      return;
    }
    if (result === true) return;
    const field = rule.fieldPath
      ? childPath(path, rule.fieldPath.replace(/^\./, ""))
      : path;
    const msg = this.#message(rule, ctx);
    switch (rule.reason) {
      case "FieldValueForbidden":
        errs.push(forbidden(field, msg));
        break;
      case "FieldValueRequired":
        errs.push(required(field, msg));
        break;
      case "FieldValueDuplicate":
        errs.push({ ...duplicate(field, type), detail: msg });
        break;
      default:
        errs.push(invalid(field, type, msg));
    }
  }

  #message(rule: ValidationRule, ctx: Record<string, unknown>): string {
    if (rule.messageExpression) {
      try {
        const m = this.program(rule.messageExpression)(ctx);
        if (typeof m === "string" && m.trim() !== "") return m;
      } catch {
        // Fall back to the static message, as upstream.
      }
    }
    return rule.message ? rule.message : `failed rule: ${rule.rule}`;
  }
}

function correlateList(
  old: unknown,
  s: Schema,
): ((item: unknown) => unknown) | undefined {
  if (!Array.isArray(old) || s["x-kubernetes-list-type"] !== "map") {
    return undefined;
  }
  const keys = s["x-kubernetes-list-map-keys"] ?? [];
  const id = (x: unknown) =>
    isObject(x) ? JSON.stringify(keys.map((k) => x[k] ?? null)) : "";
  const byKey = new Map(old.map((x) => [id(x), x]));
  return (item) => byKey.get(id(item));
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0];
}

/** A JSON value as CEL sees it, typed by its schema (integers → `int`). */
export function toCel(v: unknown, s: Schema | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") {
    if (s?.type === "number") return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (isObject(v)) {
    const additional = typeof s?.additionalProperties === "object"
      ? s.additionalProperties
      : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = toCel(x, s?.properties?.[k] ?? additional);
    }
    return out;
  }
  return v;
}

/** Calls `fn` for every node of `schema` with its field path. */
export function walkSchema(
  schema: Schema,
  path: string,
  fn: (s: Schema, path: string) => void,
): void {
  fn(schema, path);
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    walkSchema(p, `${path}.properties[${k}]`, fn);
  }
  if (typeof schema.additionalProperties === "object") {
    walkSchema(schema.additionalProperties, `${path}.additionalProperties`, fn);
  }
  if (schema.items) walkSchema(schema.items, `${path}.items`, fn);
}
