/**
 * What ValidatingWebhookConfiguration and MutatingWebhookConfiguration
 * share: upstream's defaulting (`SetDefaults_*Webhook`) and validation
 * (`pkg/apis/admissionregistration/validation`), with its field paths and
 * wording, and the `Webhooks` column. Match conditions are compiled in the
 * admission policies' CEL environment, which the webhook plugin evaluates
 * them in.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  duplicate,
  type FieldError,
  invalid,
  notSupported,
  required,
  tooMany,
  typeInvalid,
} from "../validation/field_error.ts";
import { isDns1123Subdomain, isQualifiedName } from "../validation/names.ts";
import { MATCH_POLICIES } from "../validation/admission_rules.ts";
import { PolicyCel } from "../admission/policy/cel.ts";
import { validateClientConfig } from "./_webhook_client_config.ts";
import { strList, validateRule, validateSelector } from "./_webhook_rules.ts";
import { fields } from "./_columns.ts";
import type { TableColumn } from "./types.ts";

/** The admissionregistration API group. */
export const ADMISSION_REGISTRATION_GROUP = "admissionregistration.k8s.io";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function webhooksOf(obj: KubeObject): unknown[] {
  const w = fields(obj).webhooks;
  return Array.isArray(w) ? w : [];
}

/** Upstream's defaults for every webhook of `obj` (before validation). */
export function defaultWebhooks(obj: KubeObject, mutating: boolean): void {
  for (const h of webhooksOf(obj)) {
    if (!isObj(h)) continue;
    h.failurePolicy ??= "Fail";
    h.matchPolicy ??= "Equivalent";
    h.namespaceSelector ??= {};
    h.objectSelector ??= {};
    h.timeoutSeconds ??= 10;
    if (mutating) h.reinvocationPolicy ??= "Never";
    if (Array.isArray(h.rules)) {
      for (const r of h.rules) if (isObj(r)) r.scope ??= "*";
    }
    const svc = isObj(h.clientConfig) ? h.clientConfig.service : undefined;
    if (isObj(svc)) svc.port ??= 443;
  }
}

const FAILURE_POLICIES = ["Fail", "Ignore"];
const SIDE_EFFECTS = ["None", "NoneOnDryRun"];
const REINVOCATION = ["IfNeeded", "Never"];
/** The AdmissionReview versions the server speaks (upstream's accepted list). */
export const ADMISSION_REVIEW_VERSIONS = ["v1", "v1beta1"];

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

let cel: PolicyCel | undefined;

/**
 * Compiles a match condition expression in the admission CEL environment
 * (`object`, `oldObject`, `request`, `authorizer`); returns upstream's
 * `compilation failed: …` detail, if any.
 */
export function matchConditionCompileError(expr: string): string | undefined {
  cel ??= new PolicyCel();
  const c = cel.compile(expr, { params: false });
  return "error" in c ? c.error : undefined;
}

function validateMatchConditions(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return [typeInvalid(path, v, "must be a list")];
  const errs: FieldError[] = [];
  if (v.length > 64) errs.push(tooMany(path, v.length, 64));
  const names = new Set<string>();
  v.forEach((mc: unknown, i: number) => {
    const p = `${path}[${i}]`;
    const c = isObj(mc) ? mc : {};
    const expr = typeof c.expression === "string" ? c.expression.trim() : "";
    if (expr === "") errs.push(required(`${p}.expression`));
    else {
      const err = matchConditionCompileError(expr);
      if (err !== undefined) errs.push(invalid(`${p}.expression`, expr, err));
    }
    const name = typeof c.name === "string" ? c.name : "";
    if (name === "") errs.push(required(`${p}.name`));
    else {
      for (const m of isQualifiedName(name)) {
        errs.push(invalid(`${p}.name`, name, m));
      }
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
    }
  });
  return errs;
}

function validateReviewVersions(v: unknown, path: string): FieldError[] {
  const versions = strList(v);
  if (versions.length === 0) {
    return [
      required(
        path,
        `must specify one of ${ADMISSION_REVIEW_VERSIONS.join(", ")}`,
      ),
    ];
  }
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((ver, i) => {
    if (seen.has(ver)) {
      errs.push(invalid(`${path}[${i}]`, ver, "duplicate version"));
      return;
    }
    seen.add(ver);
    if (ver.length > 63) {
      errs.push(
        invalid(`${path}[${i}]`, ver, "must be no more than 63 characters"),
      );
    }
    if (!DNS1035.test(ver)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          ver,
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
      );
    }
  });
  if (!versions.some((x) => ADMISSION_REVIEW_VERSIONS.includes(x))) {
    errs.push(
      invalid(
        path,
        versions,
        `must include at least one of ${ADMISSION_REVIEW_VERSIONS.join(", ")}`,
      ),
    );
  }
  return errs;
}

/** `utilvalidation.IsFullyQualifiedName`. */
function validateHookName(name: unknown, path: string): FieldError[] {
  if (typeof name !== "string" || name === "") return [required(path)];
  const dns = isDns1123Subdomain(name);
  if (dns.length) return [invalid(path, name, dns.join(","))];
  if (name.split(".").length < 3) {
    return [
      invalid(
        path,
        name,
        "should be a domain with at least three segments separated by dots",
      ),
    ];
  }
  return [];
}

function oneOf(
  h: Obj,
  key: string,
  allowed: readonly string[],
  path: string,
): FieldError[] {
  const v = h[key];
  if (v === undefined || v === null) return [];
  return allowed.includes(v as string)
    ? []
    : [notSupported(`${path}.${key}`, v, allowed)];
}

function validateHook(h: unknown, path: string, mutating: boolean) {
  if (!isObj(h)) return [typeInvalid(path, h, "must be an object")];
  const errs: FieldError[] = [...validateHookName(h.name, `${path}.name`)];
  if (Array.isArray(h.rules)) {
    h.rules.forEach((r: unknown, i: number) =>
      errs.push(...validateRule(r, `${path}.rules[${i}]`))
    );
  }
  errs.push(...oneOf(h, "failurePolicy", FAILURE_POLICIES, path));
  errs.push(...oneOf(h, "matchPolicy", MATCH_POLICIES, path));
  if (h.sideEffects === undefined || h.sideEffects === null) {
    errs.push(
      required(
        `${path}.sideEffects`,
        `must specify one of ${SIDE_EFFECTS.join(", ")}`,
      ),
    );
  } else errs.push(...oneOf(h, "sideEffects", SIDE_EFFECTS, path));
  const t = h.timeoutSeconds;
  if (
    t !== undefined && t !== null &&
    (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 30)
  ) {
    errs.push(
      invalid(
        `${path}.timeoutSeconds`,
        t,
        "the timeout value must be between 1 and 30 seconds",
      ),
    );
  }
  errs.push(
    ...validateSelector(h.namespaceSelector, `${path}.namespaceSelector`),
  );
  errs.push(...validateSelector(h.objectSelector, `${path}.objectSelector`));
  if (mutating) {
    errs.push(...oneOf(h, "reinvocationPolicy", REINVOCATION, path));
  }
  errs.push(...validateClientConfig(h.clientConfig, `${path}.clientConfig`));
  errs.push(
    ...validateMatchConditions(h.matchConditions, `${path}.matchConditions`),
  );
  errs.push(
    ...validateReviewVersions(
      h.admissionReviewVersions,
      `${path}.admissionReviewVersions`,
    ),
  );
  return errs;
}

/** Upstream's `Validate{Validating,Mutating}WebhookConfiguration`. */
export function validateWebhookConfiguration(
  obj: KubeObject,
  mutating: boolean,
): FieldError[] {
  const w = fields(obj).webhooks;
  if (w === undefined || w === null) return [];
  if (!Array.isArray(w)) return [typeInvalid("webhooks", w, "must be a list")];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  w.forEach((h: unknown, i: number) => {
    errs.push(...validateHook(h, `webhooks[${i}]`, mutating));
    const name = isObj(h) ? h.name : undefined;
    if (typeof name === "string" && name !== "") {
      if (names.has(name)) errs.push(duplicate(`webhooks[${i}].name`, name));
      names.add(name);
    }
  });
  return errs;
}

/** The `Webhooks` column (how many webhooks a configuration holds). */
export const webhooksColumn: TableColumn = {
  name: "Webhooks",
  type: "integer",
  description: "Webhooks indicates the number of webhooks in the configuration",
  cell: (obj) => webhooksOf(obj).length,
};
