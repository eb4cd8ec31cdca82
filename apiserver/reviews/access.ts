/**
 * Access reviews (`authorization.k8s.io/v1`): SelfSubjectAccessReview,
 * SubjectAccessReview and LocalSubjectAccessReview. The spec's attributes
 * are validated as upstream and evaluated with the server's `Authorizer`.
 *
 * @module
 */

import type {
  AuthorizationAttributes,
  Authorizer,
} from "../authz/authorizer.ts";
import type { UserInfo } from "../request_context.ts";
import { invalidError } from "../status/mod.ts";
import { type FieldError, invalid } from "../validation/field_error.ts";
import { knownMetadata, knownSpec } from "./known_fields.ts";

/** Which access review a request creates. */
export type AccessReviewKind =
  | "SelfSubjectAccessReview"
  | "SubjectAccessReview"
  | "LocalSubjectAccessReview";

/** Where and for whom an access review is evaluated. */
export interface AccessReviewRequest {
  kind: AccessReviewKind;
  /** The decoded review object. */
  body: Record<string, unknown>;
  /** The caller (the subject of a self review). */
  user: UserInfo;
  cluster: string;
  /** The URL's namespace (LocalSubjectAccessReview only). */
  namespace?: string;
  authorizer: Authorizer;
}

type Attrs = Record<string, unknown>;

function record(v: unknown): Attrs | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? v as Attrs
    : undefined;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s) => typeof s === "string") : [];
}

function stringListMap(v: unknown): Record<string, string[]> | undefined {
  const r = record(v);
  if (!r) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(r)) out[k] = strings(vals);
  return out;
}

/** The subject a review asks about. */
function subjectOf(req: AccessReviewRequest, spec: Attrs): UserInfo {
  if (req.kind === "SelfSubjectAccessReview") return req.user;
  const user: UserInfo = {
    username: str(spec.user),
    groups: strings(spec.groups),
  };
  if (typeof spec.uid === "string" && spec.uid) user.uid = spec.uid;
  const extra = stringListMap(spec.extra);
  if (extra) user.extra = extra;
  return user;
}

function validate(req: AccessReviewRequest, spec: Attrs): FieldError[] {
  const errs: FieldError[] = [];
  const ra = record(spec.resourceAttributes);
  const nra = record(spec.nonResourceAttributes);
  if (!ra && !nra) {
    errs.push(invalid(
      "spec.resourceAttributes",
      null,
      "exactly one of nonResourceAttributes or resourceAttributes must be specified",
    ));
  } else if (ra && nra) {
    errs.push(invalid(
      "spec.resourceAttributes",
      ra,
      "cannot be specified in combination with nonResourceAttributes",
    ));
  }
  if (
    req.kind !== "SelfSubjectAccessReview" && !str(spec.user) &&
    strings(spec.groups).length === 0
  ) {
    errs.push(invalid(
      "spec.user",
      "",
      "at least one of user or group must be specified",
    ));
  }
  if (req.kind === "LocalSubjectAccessReview") {
    if (nra) {
      errs.push(invalid(
        "spec.nonResourceAttributes",
        nra,
        "disallowed on this kind of request",
      ));
    }
    if (ra && str(ra.namespace) !== (req.namespace ?? "")) {
      errs.push(invalid(
        "spec.resourceAttributes.namespace",
        str(ra.namespace),
        "must match metadata.namespace",
      ));
    }
  }
  return errs;
}

/** The authorizer's attributes for a review's spec. */
export function reviewAttributes(
  user: UserInfo,
  cluster: string,
  spec: Attrs,
): AuthorizationAttributes {
  const ra = record(spec.resourceAttributes);
  if (ra) {
    const attrs: AuthorizationAttributes = {
      user,
      cluster,
      verb: str(ra.verb),
      isResourceRequest: true,
      apiGroup: str(ra.group),
      apiVersion: str(ra.version),
      resource: str(ra.resource),
      subresource: str(ra.subresource),
      namespace: str(ra.namespace),
      name: str(ra.name),
    };
    return attrs;
  }
  const nra = record(spec.nonResourceAttributes) ?? {};
  return {
    user,
    cluster,
    verb: str(nra.verb),
    isResourceRequest: false,
    path: str(nra.path),
  };
}

/**
 * Evaluates an access review: the object upstream returns (the request's
 * spec, `metadata.creationTimestamp: null` and `status.allowed`, with
 * `reason` when the authorizer gave one). Invalid specs are 422.
 */
export async function evaluateAccessReview(
  req: AccessReviewRequest,
): Promise<Record<string, unknown>> {
  // Only the declared fields are evaluated and echoed (as upstream, which
  // decodes the body into its Go type).
  const spec = knownSpec(req.kind, req.body.spec);
  const errs = validate(req, spec);
  const name = str(record(req.body.metadata)?.name);
  if (errs.length) {
    throw invalidError("authorization.k8s.io", req.kind, name, errs);
  }
  const decision = await req.authorizer.authorize(
    reviewAttributes(subjectOf(req, spec), req.cluster, spec),
  );
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  const metadata: Record<string, unknown> = {
    ...knownMetadata(req.body.metadata),
    creationTimestamp: null,
  };
  if (req.kind === "LocalSubjectAccessReview") {
    metadata.namespace = req.namespace;
  }
  return {
    kind: req.kind,
    apiVersion: "authorization.k8s.io/v1",
    metadata,
    spec,
    status,
  };
}
