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
import {
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "../validation/names.ts";
import { PolicyCel } from "../admission/policy/cel.ts";
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

const sorted = (...s: string[]) => s.sort();
const OPERATIONS = sorted("*", "CREATE", "UPDATE", "DELETE", "CONNECT");
const SCOPES = sorted("*", "Cluster", "Namespaced");
const FAILURE_POLICIES = ["Fail", "Ignore"];
const MATCH_POLICIES = ["Equivalent", "Exact"];
const SIDE_EFFECTS = ["None", "NoneOnDryRun"];
const REINVOCATION = ["IfNeeded", "Never"];
/** The AdmissionReview versions the server speaks (upstream's accepted list). */
export const ADMISSION_REVIEW_VERSIONS = ["v1", "v1beta1"];

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function strList(v: unknown): string[] {
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

function validateRule(rule: unknown, path: string): FieldError[] {
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
function validateSelector(sel: unknown, path: string): FieldError[] {
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

/** `webhook.ValidateWebhookURL` with `forceHttps`. */
export function validateWebhookUrl(url: string, path: string): FieldError[] {
  const form = "; desired format: https://host[/path]";
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    return [
      required(
        path,
        `url must be a valid URL: ${(e as Error).message}${form}`,
      ),
    ];
  }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme !== "https") {
    errs.push(
      invalid(path, scheme, `'https' is the only allowed URL scheme${form}`),
    );
  }
  if (u.host === "") {
    errs.push(invalid(path, u.host, `host must be provided${form}`));
  }
  if (u.username !== "" || u.password !== "") {
    const user = u.password ? `${u.username}:xxxxx` : u.username;
    errs.push(
      invalid(path, user, "user information is not permitted in the URL"),
    );
  }
  if (u.hash !== "" || url.includes("#")) {
    errs.push(
      invalid(
        path,
        u.hash.replace(/^#/, ""),
        "fragments are not permitted in the URL",
      ),
    );
  }
  if (u.search !== "" || /\?[^#]/.test(url)) {
    errs.push(
      invalid(
        path,
        u.search.replace(/^\?/, ""),
        "query parameters are not permitted in the URL",
      ),
    );
  }
  return errs;
}

function validateService(svc: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof svc.name !== "string" || svc.name === "") {
    errs.push(required(`${path}.name`, "service name is required"));
  }
  if (typeof svc.namespace !== "string" || svc.namespace === "") {
    errs.push(required(`${path}.namespace`, "service namespace is required"));
  }
  const port = svc.port;
  if (
    typeof port !== "number" || !Number.isInteger(port) || port < 1 ||
    port > 65535
  ) {
    errs.push(
      invalid(
        `${path}.port`,
        port,
        "port is not valid: must be between 1 and 65535, inclusive",
      ),
    );
  }
  const p = svc.path;
  if (typeof p !== "string" || p === "" || p === "/") return errs;
  if (p === "//") {
    errs.push(invalid(`${path}.path`, p, "segment[0] may not be empty"));
    return errs;
  }
  if (!p.startsWith("/")) {
    errs.push(invalid(`${path}.path`, p, "must start with a '/'"));
  }
  let rest = p.slice(1);
  if (rest.endsWith("/")) rest = rest.slice(0, -1);
  rest.split("/").forEach((step, i) => {
    if (step === "") {
      errs.push(invalid(`${path}.path`, p, `segment[${i}] may not be empty`));
      return;
    }
    for (const m of isDns1123Subdomain(step)) {
      errs.push(invalid(`${path}.path`, p, `segment[${i}]: ${m}`));
    }
  });
  return errs;
}

function validateClientConfig(cc: unknown, path: string): FieldError[] {
  const c = isObj(cc) ? cc : {};
  const hasUrl = c.url !== undefined && c.url !== null;
  const hasService = c.service !== undefined && c.service !== null;
  const errs: FieldError[] = [];
  if (hasUrl === hasService) {
    errs.push(required(path, "exactly one of url or service is required"));
  } else if (hasUrl) {
    errs.push(...validateWebhookUrl(String(c.url), `${path}.url`));
  } else {
    errs.push(
      ...validateService(isObj(c.service) ? c.service : {}, `${path}.service`),
    );
  }
  const ca = c.caBundle;
  if (ca !== undefined && ca !== null && ca !== "") {
    if (typeof ca !== "string" || !isBase64(ca)) {
      errs.push(invalid(`${path}.caBundle`, "<bytes>", "must be base64"));
    }
  }
  return errs;
}

function isBase64(s: string): boolean {
  try {
    atob(s);
    return true;
  } catch {
    return false;
  }
}

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
  allowed: string[],
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
