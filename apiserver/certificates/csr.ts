/**
 * CertificateSigningRequest as data: upstream's names (signers, key
 * usages, condition types), the conditions of a request (approved, denied,
 * failed, issued) and upstream's validation of what can be checked without
 * parsing the request (`ValidateCertificateSigningRequest*` in
 * `pkg/apis/certificates/validation`); the PEM request itself is parsed by
 * the admission plugin (`admission.ts`), which loads the X.509 library only
 * when a request arrives.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { FieldError } from "../validation/field_error.ts";
import { isDns1123Subdomain } from "../validation/names.ts";
import { rfc3339 } from "../../internal/time.ts";

/** The API group. */
export const CERTIFICATES_GROUP = "certificates.k8s.io";

/** Upstream's well-known signers. */
export const KUBE_APISERVER_CLIENT_SIGNER =
  "kubernetes.io/kube-apiserver-client";
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER =
  "kubernetes.io/kube-apiserver-client-kubelet";
export const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

/** The key usages a request may ask for (upstream's `KeyUsage` values). */
export const KEY_USAGES: readonly string[] = [
  "signing",
  "digital signature",
  "content commitment",
  "key encipherment",
  "key agreement",
  "data encipherment",
  "cert sign",
  "crl sign",
  "encipher only",
  "decipher only",
  "any",
  "server auth",
  "client auth",
  "code signing",
  "email protection",
  "s/mime",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "timestamping",
  "ocsp signing",
  "microsoft sgc",
  "netscape sgc",
];

/** The minimum `spec.expirationSeconds` (10 minutes). */
export const MIN_EXPIRATION_SECONDS = 600;

/** One entry of `status.conditions`. */
export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : {};
}

/** `spec` of a request (an empty object when missing). */
export function specOf(csr: KubeObject): Record<string, unknown> {
  return record((csr as Record<string, unknown>).spec);
}

/** `status` of a request (an empty object when missing). */
export function statusOf(csr: KubeObject): Record<string, unknown> {
  return record((csr as Record<string, unknown>).status);
}

/** `status.conditions` (well-formed entries only). */
export function conditionsOf(csr: KubeObject): CsrCondition[] {
  const list = statusOf(csr).conditions;
  return Array.isArray(list)
    ? list.filter((c): c is CsrCondition =>
      typeof c === "object" && c !== null && typeof c.type === "string"
    )
    : [];
}

function hasCondition(csr: KubeObject, type: string): boolean {
  return conditionsOf(csr).some((c) => c.type === type && c.status === "True");
}

/** The request carries `Approved=True`. */
export const isApproved = (csr: KubeObject) => hasCondition(csr, "Approved");
/** The request carries `Denied=True`. */
export const isDenied = (csr: KubeObject) => hasCondition(csr, "Denied");
/** The request carries `Failed=True`. */
export const isFailed = (csr: KubeObject) => hasCondition(csr, "Failed");
/** A certificate has been issued. */
export const isIssued = (csr: KubeObject) =>
  typeof statusOf(csr).certificate === "string" &&
  statusOf(csr).certificate !== "";

/** kubectl's `CONDITION` column: `Approved,Issued`, `Pending`, `Denied`, … */
export function conditionSummary(csr: KubeObject): string {
  let out = isDenied(csr) ? "Denied" : isApproved(csr) ? "Approved" : "Pending";
  if (isFailed(csr)) out += ",Failed";
  if (isIssued(csr)) out += ",Issued";
  return out;
}

/** Go's `duration.HumanDuration` for `REQUESTEDDURATION`. */
export function humanDuration(seconds: number): string {
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0
      ? `${Math.floor(hours / 24 / 365)}y`
      : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/**
 * Upstream's `ValidateSignerName`: `<domain>/<path>`, the domain a DNS-1123
 * subdomain, the path at most 63 characters.
 */
export function signerNameErrors(name: string, field: string): FieldError[] {
  if (name === "") {
    return [{ type: "FieldValueRequired", field }];
  }
  const slash = name.indexOf("/");
  if (slash < 0) {
    return [{
      type: "FieldValueInvalid",
      field,
      value: name,
      detail:
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
    }];
  }
  const domain = name.slice(0, slash);
  const path = name.slice(slash + 1);
  const errs: FieldError[] = [];
  if (path === "") {
    errs.push({
      type: "FieldValueInvalid",
      field,
      value: name,
      detail: "validating path: path must not be empty",
    });
  } else if (path.length > 63) {
    errs.push({
      type: "FieldValueTooLong",
      field,
      value: name,
      detail: "validating path: must be no more than 63 characters",
    });
  }
  const problems = isDns1123Subdomain(domain);
  if (problems.length > 0) {
    errs.push({
      type: "FieldValueInvalid",
      field,
      value: name,
      detail: `validating domain: ${problems.join(", ")}`,
    });
  } else if (domain.length > 253 - 63) {
    errs.push({
      type: "FieldValueInvalid",
      field,
      value: name,
      detail: "validating domain: too long",
    });
  }
  return errs;
}

/** Decodes a base64 `[]byte` field; `undefined` when it is not base64. */
export function decodeBytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Upstream's checks of a new request's spec (the PEM is parsed in admission). */
export function validateCsr(csr: KubeObject): FieldError[] {
  const spec = specOf(csr);
  const errs: FieldError[] = [];
  const request = decodeBytes(spec.request);
  if (spec.request === undefined || spec.request === "") {
    errs.push({ type: "FieldValueRequired", field: "spec.request" });
  } else if (!request) {
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.request",
      value: "<binary>",
      detail: "must be base64 encoded",
    });
  }
  errs.push(...signerNameErrors(
    typeof spec.signerName === "string" ? spec.signerName : "",
    "spec.signerName",
  ));
  const usages = spec.usages;
  if (!Array.isArray(usages) || usages.length === 0) {
    errs.push({ type: "FieldValueRequired", field: "spec.usages" });
  } else {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      const field = `spec.usages[${i}]`;
      if (typeof u !== "string" || !KEY_USAGES.includes(u)) {
        errs.push({
          type: "FieldValueNotSupported",
          field,
          value: u,
          detail: `supported values: ${
            KEY_USAGES.map((k) => `"${k}"`).join(", ")
          }`,
        });
      } else if (seen.has(u)) {
        errs.push({ type: "FieldValueDuplicate", field, value: u });
      }
      if (typeof u === "string") seen.add(u);
    });
  }
  const exp = spec.expirationSeconds;
  if (exp !== undefined && exp !== null) {
    if (typeof exp !== "number" || !Number.isInteger(exp)) {
      errs.push({
        type: "FieldValueInvalid",
        field: "spec.expirationSeconds",
        value: exp,
        detail: "must be an integer",
      });
    } else if (exp < MIN_EXPIRATION_SECONDS) {
      errs.push({
        type: "FieldValueInvalid",
        field: "spec.expirationSeconds",
        value: exp,
        detail: "may not specify a duration less than 600 seconds (10 minutes)",
      });
    }
  }
  errs.push(...validateConditions(csr));
  return errs;
}

/**
 * Upstream's condition rules: known types at most once, Approved and
 * Denied not both, and Approved/Denied/Failed only `True`.
 */
export function validateConditions(csr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conditionsOf(csr).forEach((c, i) => {
    const field = `status.conditions[${i}]`;
    if (c.type === "") {
      errs.push({ type: "FieldValueRequired", field: `${field}.type` });
    }
    if (["Approved", "Denied", "Failed"].includes(c.type)) {
      if (seen.has(c.type)) {
        errs.push({
          type: "FieldValueDuplicate",
          field: `${field}.type`,
          value: c.type,
        });
      }
      if (c.status !== "True") {
        errs.push({
          type: "FieldValueNotSupported",
          field: `${field}.status`,
          value: c.status,
          detail: 'supported values: "True"',
        });
      }
    } else if (!["True", "False", "Unknown"].includes(c.status)) {
      errs.push({
        type: "FieldValueNotSupported",
        field: `${field}.status`,
        value: c.status,
        detail: 'supported values: "False", "True", "Unknown"',
      });
    }
    seen.add(c.type);
  });
  if (seen.has("Approved") && seen.has("Denied")) {
    errs.push({
      type: "FieldValueInvalid",
      field: "status.conditions",
      value: "Approved",
      detail: "Approved and Denied conditions are mutually exclusive",
    });
  }
  return errs;
}

const APPROVAL_TYPES = ["Approved", "Denied"];

/**
 * `approval` subresource: the stored request with only its Approved/Denied
 * conditions taken from `next` (upstream's approval strategy); an
 * approval or denial once given stays (checked in `validateApproval`).
 */
export function mergeApproval(next: KubeObject, old: KubeObject): KubeObject {
  const out = structuredClone(old) as Record<string, unknown>;
  const kept = conditionsOf(old).filter((c) =>
    !APPROVAL_TYPES.includes(c.type)
  );
  const given = conditionsOf(next).filter((c) =>
    APPROVAL_TYPES.includes(c.type)
  );
  out.status = { ...statusOf(old), conditions: [...given, ...kept] };
  stampConditions(out as KubeObject, old);
  return out as KubeObject;
}

/**
 * `status` subresource: the stored request with `next`'s certificate and
 * conditions, its Approved/Denied conditions kept (upstream's status
 * strategy).
 */
export function mergeStatus(next: KubeObject, old: KubeObject): KubeObject {
  const out = structuredClone(old) as Record<string, unknown>;
  const status = structuredClone(statusOf(next));
  const approval = conditionsOf(old).filter((c) =>
    APPROVAL_TYPES.includes(c.type)
  );
  const others = conditionsOf(next).filter((c) =>
    !APPROVAL_TYPES.includes(c.type)
  );
  status.conditions = [...approval, ...others];
  if (status.certificate === undefined && statusOf(old).certificate) {
    status.certificate = statusOf(old).certificate;
  }
  out.status = status;
  stampConditions(out as KubeObject, old);
  return out as KubeObject;
}

/** Defaults `lastUpdateTime`/`lastTransitionTime` of new or changed conditions. */
function stampConditions(next: KubeObject, old: KubeObject): void {
  const now = rfc3339(new Date());
  const before = new Map(conditionsOf(old).map((c) => [c.type, c]));
  for (const c of conditionsOf(next)) {
    const prev = before.get(c.type);
    if (!c.lastUpdateTime) c.lastUpdateTime = now;
    if (!c.lastTransitionTime) {
      c.lastTransitionTime = prev && prev.status === c.status
        ? prev.lastTransitionTime ?? now
        : now;
    }
  }
}

/**
 * Checks of an update through `approval`: an Approved or Denied condition
 * cannot be removed, nor can both be present.
 */
export function validateCsrUpdate(
  next: KubeObject,
  old: KubeObject,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const type of APPROVAL_TYPES) {
    const had = conditionsOf(old).some((c) => c.type === type);
    const has = conditionsOf(next).some((c) => c.type === type);
    if (had && !has) {
      errs.push({
        type: "FieldValueForbidden",
        field: "status.conditions",
        detail: `updates may not remove a condition of type "${type}"`,
      });
    }
  }
  const oldCert = statusOf(old).certificate;
  if (oldCert && statusOf(next).certificate !== oldCert) {
    errs.push({
      type: "FieldValueForbidden",
      field: "status.certificate",
      detail: "updates may not modify existing certificate content",
    });
  }
  return errs;
}
