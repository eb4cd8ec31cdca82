/**
 * Which requests a webhook sees, validated as upstream: `rules`
 * (operations, API groups and versions, resources with subresource
 * wildcards, scope) and the label selectors (`namespaceSelector`,
 * `objectSelector`).
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  typeInvalid,
} from "../validation/field_error.ts";
import { isQualifiedName, isValidLabelValue } from "../validation/names.ts";
import {
  requirementValuesErrors,
  validateRuleWithOperations,
} from "../validation/admission_rules.ts";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A list of strings (non-strings read as `""`); absent is empty. */
export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : "")) : [];
}

/** `validateRuleWithOperations`. */
export function validateRule(rule: unknown, path: string): FieldError[] {
  if (!isObj(rule)) return [typeInvalid(path, rule, "must be an object")];
  return validateRuleWithOperations({
    operations: strList(rule.operations),
    apiGroups: strList(rule.apiGroups),
    apiVersions: strList(rule.apiVersions),
    resources: strList(rule.resources),
    scope: rule.scope,
  }, path);
}

/** `metav1validation.ValidateLabelSelector`. */
export function validateSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isObj(sel)) return [typeInvalid(path, sel, "must be an object")];
  const errs: FieldError[] = [];
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  exprs.forEach((e: unknown, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!isObj(e)) return errs.push(typeInvalid(p, e, "must be an object"));
    const values = strList(e.values);
    errs.push(
      ...requirementValuesErrors(e.operator, values, p) ??
        [invalid(`${p}.operator`, e.operator, "not a valid selector operator")],
    );
    const key = typeof e.key === "string" ? e.key : "";
    for (const m of isQualifiedName(key)) {
      errs.push(invalid(`${p}.key`, key, m));
    }
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) {
        errs.push(invalid(`${p}.values[${j}]`, v, m));
      }
    });
  });
  const labels = isObj(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) {
      errs.push(invalid(`${path}.matchLabels`, k, m));
    }
    const value = typeof v === "string" ? v : "";
    for (const m of isValidLabelValue(value)) {
      errs.push(invalid(`${path}.matchLabels`, value, m));
    }
  }
  return errs;
}
