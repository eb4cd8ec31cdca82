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
  notSupported,
  required,
  typeInvalid,
} from "../validation/field_error.ts";
import { isQualifiedName, isValidLabelValue } from "../validation/names.ts";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const sorted = (...s: string[]) => s.sort();
const OPERATIONS = sorted("*", "CREATE", "UPDATE", "DELETE", "CONNECT");
const SCOPES = sorted("*", "Cluster", "Namespaced");

/** A list of strings (non-strings read as `""`); absent is empty. */
export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : "")) : [];
}

function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path));
  const withWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((resSub, i) => {
    if (resSub === "") return errs.push(required(`${path}[${i}]`));
    if (resSub === "*/*") doubleWildcard = true;
    if (resSub === "*") singleWildcard = true;
    const slash = resSub.indexOf("/");
    if (slash < 0) {
      withoutSub = resSub !== "*";
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (withWildcardSub.has(res)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          resSub,
          `if '${res}/*' is present, must not specify ${resSub}`,
        ),
      );
    }
    if (subWithWildcardRes.has(sub)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          resSub,
          `if '*/${sub}' is present, must not specify ${resSub}`,
        ),
      );
    }
    if (sub === "*") withWildcardSub.add(res);
    if (res === "*") subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) {
    errs.push(
      invalid(
        path,
        resources,
        "if '*/*' is present, must not specify other resources",
      ),
    );
  }
  if (singleWildcard && withoutSub) {
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

/** `validateRuleWithOperations`. */
export function validateRule(rule: unknown, path: string): FieldError[] {
  if (!isObj(rule)) return [typeInvalid(path, rule, "must be an object")];
  const errs: FieldError[] = [];
  const ops = strList(rule.operations);
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
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) {
      errs.push(notSupported(`${path}.operations[${i}]`, op, OPERATIONS));
    }
  });
  const groups = strList(rule.apiGroups);
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
  const versions = strList(rule.apiVersions);
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
    ...validateResources(strList(rule.resources), `${path}.resources`),
  );
  if (
    rule.scope !== undefined && rule.scope !== null &&
    !SCOPES.includes(rule.scope as string)
  ) {
    errs.push(notSupported(`${path}.scope`, rule.scope, SCOPES));
  }
  return errs;
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
    switch (e.operator) {
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
          errs.push({
            type: "FieldValueForbidden",
            field: `${p}.values`,
            detail:
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          });
        }
        break;
      default:
        errs.push(
          invalid(`${p}.operator`, e.operator, "not a valid selector operator"),
        );
    }
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
