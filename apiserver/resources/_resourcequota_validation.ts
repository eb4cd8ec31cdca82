/**
 * Upstream's `ValidateResourceQuota` for the ResourceQuota kind
 * (`resourcequotas.ts`): resource names, quantities (valid, non-negative,
 * whole for object counts and extended resources), scopes and scope
 * selectors, with upstream's messages.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type FieldError,
  invalid,
  required,
  typeInvalid,
} from "../validation/field_error.ts";
import { isQualifiedName } from "../validation/names.ts";
import {
  formatQuantity,
  isWholeQuantity,
  parseQuantity,
  QuantityError,
} from "../validation/quantity.ts";
import { RESOURCE_QUOTA_SCOPES } from "../schema/core_v1_resourcequota.ts";
import { fields } from "./_columns.ts";

/** Upstream's `standardResources` (`IsStandardResourceName`). */
const STANDARD_RESOURCES = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "storage",
  "requests.storage",
  "services.nodeports",
  "services.loadbalancers",
]);

/** Upstream's `standardQuotaResources` (`IsStandardQuotaResourceName`). */
const STANDARD_QUOTA_RESOURCES = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "persistentvolumeclaims",
  "configmaps",
  "services.nodeports",
  "services.loadbalancers",
]);

/** Upstream's `integerResources` (`IsIntegerResourceName`, besides extended resources). */
const INTEGER_RESOURCES = new Set([
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
]);

/** The resources a pod-only scope may apply to (upstream's `IsResourceQuotaScopeValidForResource`). */
const POD_COUNT = new Set(["pods"]);
const POD_COMPUTE = new Set([
  "cpu",
  "limits.cpu",
  "limits.memory",
  "memory",
  "requests.cpu",
  "requests.memory",
]);
const PVC_RESOURCES = new Set(["persistentvolumeclaims", "requests.storage"]);

function isHugePages(name: string): boolean {
  return name.startsWith("hugepages-") ||
    name.startsWith("requests.hugepages-");
}

function isStandardQuotaResource(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || isHugePages(name);
}

/** Upstream's `IsExtendedResourceName`: a qualified name outside `kubernetes.io/`. */
function isExtendedResource(name: string): boolean {
  if (!name.includes("/") || name.startsWith("requests.")) return false;
  if (name.includes("kubernetes.io/")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

function scopeValidFor(scope: string, resource: string): boolean {
  switch (scope) {
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return POD_COUNT.has(resource) || POD_COMPUTE.has(resource);
    case "BestEffort":
      return POD_COUNT.has(resource);
    case "VolumeAttributesClass":
      return PVC_RESOURCES.has(resource);
    default:
      return true;
  }
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

/** `ValidateResourceQuotaResourceName`. */
function validateResourceName(name: string, field: string): FieldError[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => invalid(field, name, m));
  if (!name.includes("/")) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) {
      return [
        invalid(
          field,
          name,
          "must be a standard resource type or fully qualified",
        ),
      ];
    }
    if (!isStandardQuotaResource(name)) {
      return [invalid(field, name, "must be a standard resource for quota")];
    }
  }
  return [];
}

/** One `hard`/`used` map: names and values (`ValidateResourceQuantityValue`). */
function validateQuantityMap(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  const map = record(value);
  if (!map) return [typeInvalid(path, value, "must be an object")];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(map)) {
    const field = `${path}[${k}]`;
    errs.push(...validateResourceName(k, field));
    if (typeof v !== "string" && typeof v !== "number") {
      errs.push(typeInvalid(field, v, "must be a quantity string"));
      continue;
    }
    let q;
    try {
      q = parseQuantity(String(v));
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      errs.push(invalid(field, v, e.message));
      continue;
    }
    if (q.nano < 0n) {
      errs.push(
        invalid(field, formatQuantity(q), "must be greater than or equal to 0"),
      );
    }
    if (
      (INTEGER_RESOURCES.has(k) || isExtendedResource(k)) && !isWholeQuantity(q)
    ) {
      errs.push(invalid(field, formatQuantity(q), "must be an integer"));
    }
  }
  return errs;
}

const CONFLICTING_SCOPES = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
];

function conflicting(scopes: Set<unknown>): boolean {
  return CONFLICTING_SCOPES.some(([a, b]) => scopes.has(a) && scopes.has(b));
}

/** `validateResourceQuotaScopes`. */
function validateScopes(spec: Record<string, unknown>): FieldError[] {
  const scopes = spec.scopes;
  if (scopes === undefined || scopes === null) return [];
  if (!Array.isArray(scopes)) {
    return [typeInvalid("spec.scopes", scopes, "must be a list of strings")];
  }
  const hard = Object.keys(record(spec.hard) ?? {}).sort();
  const errs: FieldError[] = [];
  for (const scope of scopes) {
    if (!RESOURCE_QUOTA_SCOPES.includes(scope)) {
      errs.push(invalid("spec.scopes", scopes, "unsupported scope"));
    }
    for (const k of hard) {
      if (isStandardQuotaResource(k) && !scopeValidFor(String(scope), k)) {
        errs.push(
          invalid(
            "spec.scopes",
            scopes,
            "unsupported scope applied to resource",
          ),
        );
      }
    }
  }
  if (conflicting(new Set(scopes))) {
    errs.push(invalid("spec.scopes", scopes, "conflicting scopes"));
  }
  return errs;
}

const EXISTS_ONLY = new Set([
  "BestEffort",
  "NotBestEffort",
  "Terminating",
  "NotTerminating",
  "CrossNamespacePodAffinity",
]);

/** `validateScopeSelector`. */
function validateScopeSelector(spec: Record<string, unknown>): FieldError[] {
  if (spec.scopeSelector === undefined || spec.scopeSelector === null) {
    return [];
  }
  const base = "spec.scopeSelector.matchExpressions";
  const sel = record(spec.scopeSelector);
  const exprs = sel?.matchExpressions ?? [];
  if (!sel || !Array.isArray(exprs)) {
    return [typeInvalid(base, exprs, "must be a list")];
  }
  const hard = Object.keys(record(spec.hard) ?? {}).sort();
  const errs: FieldError[] = [];
  const seen = new Set<unknown>();
  for (const e of exprs) {
    const req = record(e) ?? {};
    const scope = req.scopeName;
    const op = req.operator;
    const values = Array.isArray(req.values) ? req.values : [];
    if (!RESOURCE_QUOTA_SCOPES.includes(scope as string)) {
      errs.push(invalid(`${base}.scopeName`, scope, "unsupported scope"));
    }
    for (const k of hard) {
      if (isStandardQuotaResource(k) && !scopeValidFor(String(scope), k)) {
        errs.push(
          invalid(base, "object", "unsupported scope applied to resource"),
        );
      }
    }
    if (EXISTS_ONLY.has(scope as string) && op !== "Exists") {
      errs.push(
        invalid(
          `${base}.operator`,
          op,
          "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    if (op === "In" || op === "NotIn") {
      if (values.length === 0) {
        errs.push(
          required(
            `${base}.values`,
            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
          ),
        );
      }
    } else if (op === "Exists" || op === "DoesNotExist") {
      if (values.length !== 0) {
        errs.push(
          invalid(
            `${base}.values`,
            values,
            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
          ),
        );
      }
    } else {
      errs.push(
        invalid(`${base}.operator`, op, "not a valid selector operator"),
      );
    }
    seen.add(scope);
  }
  if (conflicting(seen)) {
    errs.push(invalid(base, "object", "conflicting scopes"));
  }
  return errs;
}

/** Every field error of a ResourceQuota's spec and status. */
export function validateResourceQuota(obj: KubeObject): FieldError[] {
  const f = fields(obj);
  const spec = f.spec === undefined || f.spec === null ? {} : record(f.spec);
  if (!spec) return [typeInvalid("spec", f.spec, "must be an object")];
  const status = record(f.status) ?? {};
  return [
    ...validateQuantityMap(spec.hard, "spec.hard"),
    ...validateScopes(spec),
    ...validateScopeSelector(spec),
    ...validateQuantityMap(status.hard, "status.hard"),
    ...validateQuantityMap(status.used, "status.used"),
  ];
}
