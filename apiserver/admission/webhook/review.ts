/**
 * The `admission.k8s.io` AdmissionReview a webhook receives and the checks
 * on what it answers, as upstream's `webhook/request` package
 * (`CreateAdmissionObjects`, `VerifyAdmissionResponse`). The review speaks
 * the first of the webhook's `admissionReviewVersions` the server knows
 * (`v1`, `v1beta1`: the same shape).
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";
import type { AdmissionAttributes } from "../admission.ts";
import type { Invocation } from "./matching.ts";

/** The AdmissionReview versions spoken, in preference order. */
export const REVIEW_VERSIONS = ["v1", "v1beta1"] as const;

/** A webhook's verified answer. */
export interface AdmissionResult {
  allowed: boolean;
  /** `response.status` (a `metav1.Status`), for refusals. */
  status?: Record<string, unknown>;
  /** The decoded JSON patch bytes (mutating webhooks), if any. */
  patch?: string;
  patchType?: string;
  warnings: string[];
}

/** The review version to send, or `undefined` when none is spoken. */
export function reviewVersionFor(versions: readonly string[] | undefined) {
  return (versions ?? []).find((v) =>
    (REVIEW_VERSIONS as readonly string[]).includes(v)
  );
}

function withTypeMeta(
  obj: KubeObject | undefined,
  inv: Invocation,
): KubeObject | null {
  if (!obj) return null;
  const { group, version, kind } = inv.kind;
  return { ...obj, apiVersion: group ? `${group}/${version}` : version, kind };
}

/**
 * The AdmissionRequest (`request` of the review) for a write and the rule
 * view it matched (`inv`: the kind and resource the webhook asked for).
 */
export function admissionRequest(
  uid: string,
  attrs: AdmissionAttributes,
  inv: Invocation,
): Record<string, unknown> {
  const req: Record<string, unknown> = {
    uid,
    kind: inv.kind,
    resource: inv.resource,
  };
  if (inv.subresource) req.subResource = inv.subresource;
  req.requestKind = {
    group: attrs.group,
    version: attrs.version,
    kind: attrs.kind,
  };
  req.requestResource = {
    group: attrs.group,
    version: attrs.version,
    resource: attrs.resource,
  };
  if (attrs.subresource) req.requestSubResource = attrs.subresource;
  if (attrs.name) req.name = attrs.name;
  if (attrs.namespace) req.namespace = attrs.namespace;
  req.operation = attrs.operation;
  const user: Record<string, unknown> = { username: attrs.user.username };
  if (attrs.user.uid) user.uid = attrs.user.uid;
  if (attrs.user.groups.length) user.groups = attrs.user.groups;
  if (attrs.user.extra && Object.keys(attrs.user.extra).length) {
    user.extra = attrs.user.extra;
  }
  req.userInfo = user;
  req.object = withTypeMeta(attrs.object, inv);
  req.oldObject = withTypeMeta(attrs.oldObject, inv);
  req.dryRun = attrs.dryRun;
  const options: Record<string, unknown> = {
    kind: OPTIONS_KIND[attrs.operation],
    apiVersion: "meta.k8s.io/v1",
  };
  if (attrs.dryRun) options.dryRun = ["All"];
  req.options = options;
  return req;
}

/** The options kind of each operation, as upstream sends it. */
const OPTIONS_KIND = {
  CREATE: "CreateOptions",
  UPDATE: "UpdateOptions",
  DELETE: "DeleteOptions",
} as const;

/** The review body sent to the webhook. */
export function admissionReview(
  version: string,
  request: Record<string, unknown>,
): Record<string, unknown> {
  return {
    apiVersion: `admission.k8s.io/${version}`,
    kind: "AdmissionReview",
    request,
  };
}

/** A webhook answer that breaks the protocol. */
export class InvalidResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidResponseError";
  }
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === "string" ? apiVersion : "";
  const slash = av.indexOf("/");
  const group = slash < 0 ? "" : av.slice(0, slash);
  const version = slash < 0 ? av : av.slice(slash + 1);
  return `${group}/${version}, Kind=${typeof kind === "string" ? kind : ""}`;
}

/**
 * Upstream's `VerifyAdmissionResponse`: the reply must be an AdmissionReview
 * of the version sent, answering `uid`; a patch needs a patchType and only
 * mutating webhooks may patch. Throws {@linkcode InvalidResponseError}.
 */
export function verifyAdmissionResponse(
  version: string,
  uid: string,
  mutating: boolean,
  review: unknown,
): AdmissionResult {
  const r = (review && typeof review === "object" && !Array.isArray(review))
    ? review as Record<string, unknown>
    : {};
  if (version === "v1") {
    if (
      r.apiVersion !== "admission.k8s.io/v1" || r.kind !== "AdmissionReview"
    ) {
      throw new InvalidResponseError(
        `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${
          gvkString(r.apiVersion, r.kind)
        }`,
      );
    }
  }
  const resp = r.response;
  if (!resp || typeof resp !== "object" || Array.isArray(resp)) {
    throw new InvalidResponseError("webhook response was absent");
  }
  const res = resp as Record<string, unknown>;
  const got = typeof res.uid === "string" ? res.uid : "";
  if (version === "v1" && got !== uid) {
    throw new InvalidResponseError(
      `expected response.uid=${JSON.stringify(uid)}, got ${
        JSON.stringify(got)
      }`,
    );
  }
  const patch = typeof res.patch === "string" && res.patch !== ""
    ? res.patch
    : undefined;
  let patchType = typeof res.patchType === "string" ? res.patchType : "";
  if (patch && patchType === "") {
    if (version === "v1") {
      throw new InvalidResponseError(
        "webhook returned response.patch but not response.patchType",
      );
    }
    patchType = "JSONPatch";
  }
  if (patch && !mutating) {
    throw new InvalidResponseError(
      "validating webhook may not return response.patch",
    );
  }
  const warnings = Array.isArray(res.warnings)
    ? res.warnings.filter((w): w is string => typeof w === "string")
    : [];
  const status = res.status && typeof res.status === "object" &&
      !Array.isArray(res.status)
    ? res.status as Record<string, unknown>
    : undefined;
  return {
    allowed: res.allowed === true,
    status,
    patch,
    patchType: patchType || undefined,
    warnings,
  };
}
