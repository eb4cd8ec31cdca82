/**
 * Write-time validation of the matching parts shared by policies and
 * bindings (upstream's `validateMatchResources`, `validateNamedRuleWithOperations`,
 * strict `ValidateLabelSelector`), with upstream's field paths and wording.
 *
 * @module
 */

import {
  duplicate,
  type FieldError,
  invalid,
  notSupported,
  required,
} from "../../validation/field_error.ts";
import {
  MATCH_POLICIES,
  requirementValuesErrors,
  validateRuleWithOperations,
} from "../../validation/admission_rules.ts";
import {
  isPathSegmentName,
  isQualifiedName,
  isValidLabelValue,
} from "../../validation/names.ts";
import type { LabelSelectorSpec, MatchResources, NamedRule } from "./types.ts";

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? v as T[] : [];
}

/** Upstream's `ValidateLabelSelector` (strict). */
export function validateLabelSelector(
  sel: LabelSelectorSpec,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  list<{ key?: string; operator?: string; values?: unknown }>(
    sel.matchExpressions,
  )
    .forEach((r, i) => {
      const p = `${path}.matchExpressions[${i}]`;
      const values = list<string>(r?.values);
      // As upstream's ValidateLabelSelector (and the webhook kinds).
      errs.push(
        ...requirementValuesErrors(r?.operator, values, p) ??
          [
            invalid(
              `${p}.operator`,
              r?.operator,
              "not a valid selector operator",
            ),
          ],
      );
      for (const m of isQualifiedName(String(r?.key ?? ""))) {
        errs.push(invalid(`${p}.key`, r?.key, m));
      }
      values.forEach((v, j) => {
        for (const m of isValidLabelValue(String(v))) {
          errs.push(invalid(`${p}.values[${j}]`, v, m));
        }
      });
    });
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    for (const m of isQualifiedName(k)) {
      errs.push(invalid(`${path}.matchLabels`, k, m));
    }
    for (const m of isValidLabelValue(String(v))) {
      errs.push(invalid(`${path}.matchLabels`, v, m));
    }
  }
  return errs;
}

function validateRule(r: NamedRule, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = list<string>(r.resourceNames);
  const seen = new Set<string>();
  names.forEach((n, i) => {
    for (const m of isPathSegmentName(String(n))) {
      errs.push(invalid(`${path}.resourceNames[${i}]`, n, m));
    }
    if (seen.has(n)) errs.push(duplicate(`${path}.resourceNames[${i}]`, n));
    seen.add(n);
  });
  errs.push(...validateRuleWithOperations({
    operations: list<string>(r.operations),
    apiGroups: list<string>(r.apiGroups),
    apiVersions: list<string>(r.apiVersions),
    resources: list<string>(r.resources),
    scope: r.scope,
  }, path));
  return errs;
}

/** Upstream's `validateMatchResources` (`requireRules` is the caller's). */
export function validateMatchResources(
  m: MatchResources | undefined,
  path: string,
): FieldError[] {
  if (m === undefined || m === null) return [];
  const errs: FieldError[] = [];
  if (!m.matchPolicy) errs.push(required(`${path}.matchPolicy`));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) {
    errs.push(
      notSupported(`${path}.matchPolicy`, m.matchPolicy, MATCH_POLICIES),
    );
  }
  for (const s of ["namespaceSelector", "objectSelector"] as const) {
    if (!isObj(m[s])) errs.push(required(`${path}.${s}`));
    else errs.push(...validateLabelSelector(m[s]!, `${path}.${s}`));
  }
  list<NamedRule>(m.resourceRules).forEach((r, i) =>
    errs.push(...validateRule(isObj(r) ? r : {}, `${path}.resourceRules[${i}]`))
  );
  list<NamedRule>(m.excludeResourceRules).forEach((r, i) =>
    errs.push(
      ...validateRule(isObj(r) ? r : {}, `${path}.excludeResourceRules[${i}]`),
    )
  );
  return errs;
}
