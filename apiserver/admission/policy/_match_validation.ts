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
  forbidden,
  invalid,
  notSupported,
  required,
} from "../../validation/field_error.ts";
import {
  isPathSegmentName,
  isQualifiedName,
  isValidLabelValue,
} from "../../validation/names.ts";
import type { LabelSelectorSpec, MatchResources, NamedRule } from "./types.ts";

const MATCH_POLICIES = ["Equivalent", "Exact"];
const OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const SCOPES = ["*", "Cluster", "Namespaced"];
const SELECTOR_OPERATORS = ["DoesNotExist", "Exists", "In", "NotIn"];

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
      switch (r?.operator) {
        case "In":
        case "NotIn":
          if (values.length === 0) {
            errs.push(
              required(
                `${p}.values`,
                "must be specified when `operator` is 'In' or 'NotIn'",
              ),
            );
          }
          break;
        case "Exists":
        case "DoesNotExist":
          if (values.length > 0) {
            errs.push(
              forbidden(
                `${p}.values`,
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
              ),
            );
          }
          break;
        default:
          errs.push(
            notSupported(`${p}.operator`, r?.operator, SELECTOR_OPERATORS),
          );
      }
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

function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path));
  const wildSub = new Set<string>();
  const wildRes = new Set<string>();
  let doubleWild = false;
  let singleWild = false;
  let plain = false;
  resources.forEach((rs, i) => {
    if (rs === "") {
      errs.push(required(`${path}[${i}]`));
      return;
    }
    if (rs === "*/*") doubleWild = true;
    if (rs === "*") singleWild = true;
    const slash = rs.indexOf("/");
    if (slash < 0) {
      plain = rs !== "*";
      return;
    }
    const res = rs.slice(0, slash);
    const sub = rs.slice(slash + 1);
    if (wildSub.has(res)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          rs,
          `if '${res}/*' is present, must not specify ${rs}`,
        ),
      );
    }
    if (wildRes.has(sub)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          rs,
          `if '*/${sub}' is present, must not specify ${rs}`,
        ),
      );
    }
    if (sub === "*") wildSub.add(res);
    if (res === "*") wildRes.add(sub);
  });
  if (resources.length > 1 && doubleWild) {
    errs.push(
      invalid(
        path,
        resources,
        "if '*/*' is present, must not specify other resources",
      ),
    );
  }
  if (singleWild && plain) {
    errs.push(
      invalid(
        path,
        resources,
        "if '*' is present, must not specify other resources without subresources",
      ),
    );
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
  const ops = list<string>(r.operations);
  if (ops.length === 0) errs.push(required(`${path}.operations`));
  if (ops.length > 1 && ops.includes("*")) {
    errs.push(
      invalid(
        `${path}.operations`,
        ops,
        "if '*' is present, must not specify other operations",
      ),
    );
  }
  ops.forEach((o, i) => {
    if (!OPERATIONS.includes(o)) {
      errs.push(notSupported(`${path}.operations[${i}]`, o, OPERATIONS));
    }
  });
  const groups = list<string>(r.apiGroups);
  if (groups.length === 0) errs.push(required(`${path}.apiGroups`));
  if (groups.length > 1 && groups.includes("*")) {
    errs.push(
      invalid(
        `${path}.apiGroups`,
        groups,
        "if '*' is present, must not specify other API groups",
      ),
    );
  }
  const versions = list<string>(r.apiVersions);
  if (versions.length === 0) errs.push(required(`${path}.apiVersions`));
  if (versions.length > 1 && versions.includes("*")) {
    errs.push(
      invalid(
        `${path}.apiVersions`,
        versions,
        "if '*' is present, must not specify other API versions",
      ),
    );
  }
  versions.forEach((v, i) => {
    if (v === "") errs.push(required(`${path}.apiVersions[${i}]`));
  });
  errs.push(
    ...validateResources(list<string>(r.resources), `${path}.resources`),
  );
  if (r.scope !== undefined && r.scope !== null && !SCOPES.includes(r.scope)) {
    errs.push(notSupported(`${path}.scope`, r.scope, SCOPES));
  }
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
