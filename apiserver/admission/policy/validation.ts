/**
 * Write-time validation of ValidatingAdmissionPolicy and
 * ValidatingAdmissionPolicyBinding, as upstream's
 * `pkg/apis/admissionregistration/validation` (field paths and wording):
 * required fields, rules, selectors, enums, and every CEL expression
 * compiled (`compilation failed: …` is a 422, never a 500). Also upstream's
 * v1 defaulting (failurePolicy `Fail`, matchPolicy `Equivalent`, empty
 * selectors, rule scope `*`).
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  invalid,
  notSupported,
  required,
  tooMany,
} from "../../validation/field_error.ts";
import {
  isDns1123Subdomain,
  isPathSegmentName,
  isQualifiedName,
} from "../../validation/names.ts";
import {
  BOOL,
  type CelScope,
  type PolicyCel,
  STRING,
  STRING_OR_NULL,
} from "./cel.ts";
import {
  validateLabelSelector,
  validateMatchResources,
} from "./_match_validation.ts";
import type { BindingSpec, NamedRule, PolicySpec } from "./types.ts";

const FAILURE_POLICIES = ["Fail", "Ignore"];
const REASONS = ["Forbidden", "Invalid", "RequestEntityTooLarge"];
const ACTIONS = ["Audit", "Deny", "Warn"];
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_VALUE_EXPRESSION = 5 * 1024;
const CEL_IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set(
  "true false null in as break const continue else for function if import let loop package namespace return var void while"
    .split(" "),
);
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function isDns1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push("must be no more than 63 characters");
  if (!DNS1035.test(v)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? v as T[] : [];
}

// --- defaulting ---

function defaultMatch(m: unknown): void {
  if (!isObj(m)) return;
  m.matchPolicy ??= "Equivalent";
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (
    const r of [
      ...list<NamedRule>(m.resourceRules),
      ...list<NamedRule>(m.excludeResourceRules),
    ]
  ) {
    if (isObj(r)) r.scope ??= "*";
  }
}

/** Upstream's v1 defaults of a policy (in place). */
export function defaultPolicy(obj: KubeObject): void {
  const spec = (obj as { spec?: PolicySpec }).spec;
  if (!isObj(spec)) return;
  spec.failurePolicy ??= "Fail";
  defaultMatch(spec.matchConstraints);
}

/** Upstream's v1 defaults of a binding (in place). */
export function defaultBinding(obj: KubeObject): void {
  const spec = (obj as { spec?: BindingSpec }).spec;
  if (isObj(spec)) defaultMatch(spec.matchResources);
}

// --- shared pieces ---

function compileInto(
  cel: PolicyCel,
  errs: FieldError[],
  path: string,
  expression: string,
  scope: CelScope,
  variables?: readonly string[],
  returns?: readonly string[],
): void {
  const c = cel.compile(expression, scope, variables, returns);
  if ("error" in c) errs.push(invalid(path, expression, c.error));
}

function hasNewlines(s: string): boolean {
  return /[\n\r]/.test(s);
}

// --- the policy ---

/** Errors of a ValidatingAdmissionPolicy's `spec` (upstream's rules). */
export function validatePolicy(
  obj: KubeObject,
  cel: PolicyCel,
): FieldError[] {
  const raw = (obj as { spec?: unknown }).spec;
  const spec: PolicySpec = isObj(raw) ? raw as PolicySpec : {};
  const errs: FieldError[] = [];
  if (!spec.failurePolicy) errs.push(required("spec.failurePolicy"));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) {
    errs.push(
      notSupported("spec.failurePolicy", spec.failurePolicy, FAILURE_POLICIES),
    );
  }
  const scope: CelScope = { params: spec.paramKind != null };
  if (spec.paramKind != null) errs.push(...validateParamKind(spec.paramKind));
  if (!isObj(spec.matchConstraints)) {
    errs.push(required("spec.matchConstraints"));
  } else {
    errs.push(
      ...validateMatchResources(spec.matchConstraints, "spec.matchConstraints"),
    );
    if (list(spec.matchConstraints.resourceRules).length === 0) {
      errs.push(required("spec.matchConstraints.resourceRules"));
    }
  }
  const conditions = list<{ name?: string; expression?: string }>(
    spec.matchConditions,
  );
  if (conditions.length > 64) {
    errs.push(tooMany("spec.matchConditions", conditions.length, 64));
  }
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const p = `spec.matchConditions[${i}]`;
    const expr = String(c?.expression ?? "");
    if (expr.trim() === "") errs.push(required(`${p}.expression`));
    else {
      compileInto(cel, errs, `${p}.expression`, expr.trim(), scope, [], BOOL);
    }
    const name = String(c?.name ?? "");
    if (name === "") errs.push(required(`${p}.name`));
    else {
      for (const m of isQualifiedName(name)) {
        errs.push(invalid(`${p}.name`, name, m));
      }
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
  });
  const declared: string[] = [];
  list<{ name?: string; expression?: string }>(spec.variables).forEach(
    (v, i) => {
      const p = `spec.variables[${i}]`;
      const name = String(v?.name ?? "");
      if (name.trim() === "") {
        errs.push(required(`${p}.name`, "name is not specified"));
      } else if (!CEL_IDENT.test(name) || CEL_RESERVED.has(name)) {
        errs.push(
          invalid(`${p}.name`, name, "name is not a valid CEL identifier"),
        );
      }
      const expr = String(v?.expression ?? "");
      if (expr.trim() === "") {
        errs.push(required(`${p}.expression`, "expression is not specified"));
      } else compileInto(cel, errs, `${p}.expression`, expr, scope, declared);
      declared.push(name);
    },
  );
  const validations = list<Record<string, unknown>>(spec.validations);
  const audits = list<Record<string, unknown>>(spec.auditAnnotations);
  if (validations.length === 0 && audits.length === 0) {
    const m = "validations or auditAnnotations must contain at least one item";
    errs.push(required("spec.validations", m));
    errs.push(required("spec.auditAnnotations", m));
    return errs;
  }
  validations.forEach((v, i) => {
    const p = `spec.validations[${i}]`;
    const expr = typeof v?.expression === "string" ? v.expression : "";
    if (expr.trim() === "") {
      errs.push(required(`${p}.expression`, "expression is not specified"));
    } else {
      compileInto(cel, errs, `${p}.expression`, expr, scope, declared, BOOL);
    }
    const me = typeof v?.messageExpression === "string"
      ? v.messageExpression
      : "";
    if (me.length > 0 && me.trim() === "") {
      errs.push(
        invalid(`${p}.messageExpression`, me, "must be non-empty if specified"),
      );
    } else if (me.trim() !== "") {
      compileInto(
        cel,
        errs,
        `${p}.messageExpression`,
        me,
        scope,
        declared,
        STRING,
      );
    }
    const msg = typeof v?.message === "string" ? v.message : "";
    if (msg.length > 0 && msg.trim() === "") {
      errs.push(
        invalid(`${p}.message`, msg, "message must be non-empty if specified"),
      );
    } else if (hasNewlines(msg.trim())) {
      errs.push(
        invalid(`${p}.message`, msg, "message must not contain line breaks"),
      );
    }
    if (
      v?.reason !== undefined && v.reason !== null &&
      !REASONS.includes(String(v.reason))
    ) {
      errs.push(notSupported(`${p}.reason`, v.reason, REASONS));
    }
  });
  if (audits.length > MAX_AUDIT_ANNOTATIONS) {
    errs.push(
      invalid(
        "spec.auditAnnotations",
        audits,
        `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`,
      ),
    );
  }
  const keys = new Set<string>();
  const policyName = obj.metadata.name ?? "";
  audits.forEach((a, i) => {
    const p = `spec.auditAnnotations[${i}]`;
    const key = String(a?.key ?? "");
    if (policyName !== "") {
      for (const m of isQualifiedName(`${policyName}/${key}`)) {
        errs.push(invalid(`${p}.key`, `${policyName}/${key}`, m));
      }
    } else {
      errs.push(
        invalid(`${p}.key`, key, "requires metadata.name be non-empty"),
      );
    }
    const ve = String(a?.valueExpression ?? "").trim();
    if (ve === "") {
      errs.push(
        required(`${p}.valueExpression`, "valueExpression is not specified"),
      );
    } else if (ve.length > MAX_AUDIT_VALUE_EXPRESSION) {
      errs.push(
        required(
          `${p}.valueExpression`,
          `must not exceed ${MAX_AUDIT_VALUE_EXPRESSION} bytes in length`,
        ),
      );
    } else {
      compileInto(
        cel,
        errs,
        `${p}.valueExpression`,
        ve,
        scope,
        declared,
        STRING_OR_NULL,
      );
    }
    if (keys.has(key)) errs.push(duplicate(`${p}.key`, key));
    keys.add(key);
  });
  return errs;
}

function validateParamKind(
  pk: { apiVersion?: string; kind?: string },
): FieldError[] {
  const errs: FieldError[] = [];
  const p = "spec.paramKind";
  const av = String(pk?.apiVersion ?? "");
  if (av === "") errs.push(required(`${p}.apiVersion`));
  else {
    const parts = av.split("/");
    if (parts.length > 2) {
      errs.push(
        invalid(
          `${p}.apiVersion`,
          av,
          `unexpected GroupVersion string: ${av}`,
        ),
      );
    } else {
      const [group, version] = parts.length === 2 ? parts : ["", parts[0]];
      if (group !== "") {
        const e = isDns1123Subdomain(group);
        if (e.length) errs.push(invalid(`${p}.apiVersion`, group, e.join(",")));
      }
      if (version === "") {
        errs.push(invalid(`${p}.apiVersion`, av, "version must be specified"));
      } else {
        const e = isDns1035Label(version);
        if (e.length) {
          errs.push(invalid(`${p}.apiVersion`, version, e.join(",")));
        }
      }
    }
  }
  const kind = String(pk?.kind ?? "");
  if (kind === "") errs.push(required(`${p}.kind`));
  else {
    const e = isDns1035Label(kind.toLowerCase());
    if (e.length) {
      errs.push(
        invalid(
          `${p}.kind`,
          kind,
          "may have mixed case, but should otherwise match: " + e.join(","),
        ),
      );
    }
  }
  return errs;
}

// --- the binding ---

/** Errors of a ValidatingAdmissionPolicyBinding's `spec` (upstream's rules). */
export function validateBinding(obj: KubeObject): FieldError[] {
  const raw = (obj as { spec?: unknown }).spec;
  const spec: BindingSpec = isObj(raw) ? raw as BindingSpec : {};
  const errs: FieldError[] = [];
  const policyName = typeof spec.policyName === "string" ? spec.policyName : "";
  if (policyName === "") errs.push(required("spec.policyName"));
  else {
    for (const m of isDns1123Subdomain(policyName)) {
      errs.push(invalid("spec.policyName", policyName, m));
    }
  }
  const pr = spec.paramRef;
  if (pr !== undefined && pr !== null) {
    const p = "spec.paramRef";
    const name = typeof pr.name === "string" ? pr.name : "";
    const hasSelector = isObj(pr.selector);
    if (name !== "") {
      for (const m of isPathSegmentName(name)) {
        errs.push(invalid(`${p}.name`, name, m));
      }
      if (hasSelector) {
        errs.push(
          forbidden(`${p}.name`, "name and selector are mutually exclusive"),
        );
      }
    }
    if (hasSelector) {
      errs.push(...validateLabelSelector(pr.selector!, `${p}.selector`));
      if (name !== "") {
        errs.push(
          forbidden(
            `${p}.selector`,
            "name and selector are mutually exclusive",
          ),
        );
      }
    }
    if (name === "" && !hasSelector) {
      errs.push(required(p, "one of name or selector must be specified"));
    }
    const action = pr.parameterNotFoundAction;
    if (!action) errs.push(required(`${p}.parameterNotFoundAction`));
    else if (action !== "Deny" && action !== "Allow") {
      errs.push(
        notSupported(`${p}.parameterNotFoundAction`, action, ["Deny", "Allow"]),
      );
    }
  }
  // Upstream's path has this spelling.
  errs.push(
    ...validateMatchResources(spec.matchResources, "spec.matchResouces"),
  );
  const actions = list<string>(spec.validationActions);
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    const p = `spec.validationActions[${i}]`;
    if (!ACTIONS.includes(a)) errs.push(notSupported(p, a, ACTIONS));
    if (seen.has(a)) errs.push(duplicate(p, a));
    seen.add(a);
  });
  if (seen.has("Deny") && seen.has("Warn")) {
    errs.push(
      invalid(
        "spec.validationActions",
        actions,
        "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
      ),
    );
  }
  if (seen.size === 0) {
    errs.push(
      required(
        "spec.validationActions",
        "at least one validation action is required",
      ),
    );
  }
  return errs;
}
