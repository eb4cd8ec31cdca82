/**
 * The create-only review resources of `authentication.k8s.io/v1` and
 * `authorization.k8s.io/v1`: nothing is stored; each POST is answered with
 * the review and its computed `status` (201 Created, as upstream), or its
 * `PartialObjectMetadata` when the `Accept` asks for one. The response is
 * negotiated first, as upstream's create handler: an `Accept` nothing can
 * answer is refused (406) before the body is read or anything evaluated.
 *
 * @module
 */

import type { Authorizer } from "../authz/authorizer.ts";
import type { KubeObject } from "../../storage/mod.ts";
import {
  negotiateConversion,
  partialObjectMetadata,
} from "../handlers/partial_metadata.ts";
import { beforeBody, readDecodedBody } from "../http/body.ts";
import type { Conversion } from "../http/negotiate.ts";
import { jsonResponse } from "../http/response.ts";
import type { UserInfo } from "../request_context.ts";
import { badRequestError, methodNotAllowedError } from "../status/mod.ts";
import { type AccessReviewKind, evaluateAccessReview } from "./access.ts";
import { subjectRules } from "./rules.ts";
import { knownMetadata, knownSpec } from "./known_fields.ts";
import { reviewToken, type TokenReviewer } from "./token_review.ts";

/** A review resource as discovery lists it. */
export interface ReviewResource {
  group: string;
  version: string;
  /** Plural resource name used in paths. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** Every review resource served (discovery order as upstream). */
export const REVIEW_RESOURCES: readonly ReviewResource[] = [
  ["authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false],
  ["authentication.k8s.io", "tokenreviews", "TokenReview", false],
  [
    "authorization.k8s.io",
    "localsubjectaccessreviews",
    "LocalSubjectAccessReview",
    true,
  ],
  [
    "authorization.k8s.io",
    "selfsubjectaccessreviews",
    "SelfSubjectAccessReview",
    false,
  ],
  [
    "authorization.k8s.io",
    "selfsubjectrulesreviews",
    "SelfSubjectRulesReview",
    false,
  ],
  [
    "authorization.k8s.io",
    "subjectaccessreviews",
    "SubjectAccessReview",
    false,
  ],
].map(([group, resource, kind, namespaced]) => ({
  group: group as string,
  version: "v1",
  resource: resource as string,
  kind: kind as string,
  namespaced: namespaced as boolean,
}));

/** The review served at `group`/`version`/`resource`, if any. */
export function lookupReview(
  group: string,
  version: string,
  resource: string,
): ReviewResource | undefined {
  return REVIEW_RESOURCES.find((r) =>
    r.group === group && r.version === version && r.resource === resource
  );
}

/** One authorized review request. */
export interface ReviewRequest {
  req: Request;
  review: ReviewResource;
  user: UserInfo;
  cluster: string;
  /** The URL's namespace (namespaced reviews). */
  namespace: string;
  authorizer: Authorizer;
  /** Checks the tokens of TokenReviews; without it none authenticates. */
  tokenReviewer?: TokenReviewer;
}

function userInfoOf(user: UserInfo): Record<string, unknown> {
  const info: Record<string, unknown> = { username: user.username };
  if (user.uid) info.uid = user.uid;
  info.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length) info.extra = user.extra;
  return info;
}

/**
 * The conversion a create-only endpoint's `Accept` asks for — only a
 * `PartialObjectMetadata` can be: upstream's reviews and TokenRequest have
 * no `TableConvertor`, so `as=Table` ranges are passed over. Throws 406
 * (the request body cancelled, unread) when nothing acceptable remains.
 */
export function createOnlyConversion(
  req: Request,
  kind: string,
): Promise<Conversion | undefined> {
  return beforeBody(
    req,
    () =>
      negotiateConversion(req.headers.get("accept"), "object", {
        kind,
        protobuf: true,
        tables: false,
      }),
  );
}

/**
 * `out` as `conv` asks (its `PartialObjectMetadata`, or itself), 201
 * Created, as upstream's `transformResponseObject` for a create.
 */
export function createdResponse(
  out: Record<string, unknown>,
  conv: Conversion | undefined,
): Response {
  return jsonResponse(
    conv?.kind === "PartialObjectMetadata"
      ? partialObjectMetadata(out as unknown as KubeObject, conv.version)
      : out,
    201,
  );
}

/**
 * Serves a POST of a review: negotiates the response, decodes the body
 * (JSON, YAML or protobuf), checks its type meta and answers with the
 * evaluated review.
 */
export async function serveReview(r: ReviewRequest): Promise<Response> {
  const { review } = r;
  if (r.req.method !== "POST") {
    await r.req.body?.cancel();
    throw methodNotAllowedError();
  }
  const conv = await createOnlyConversion(r.req, review.kind);
  const apiVersion = `${review.group}/${review.version}`;
  const { object: body } = await readDecodedBody(r.req, {
    apiVersion,
    kind: review.kind,
  });
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw badRequestError(
      `the API version in the data (${
        String(body.apiVersion)
      }) does not match the expected API version (${apiVersion})`,
    );
  }
  if (body.kind !== undefined && body.kind !== review.kind) {
    throw badRequestError(
      `the kind in the data (${
        String(body.kind)
      }) does not match the expected kind (${review.kind})`,
    );
  }
  // Unknown fields are dropped, as decoding into upstream's types does.
  const metadata = { ...knownMetadata(body.metadata), creationTimestamp: null };
  let out: Record<string, unknown>;
  if (review.kind === "SelfSubjectReview") {
    out = {
      kind: review.kind,
      apiVersion,
      metadata,
      status: { userInfo: userInfoOf(r.user) },
    };
  } else if (review.kind === "TokenReview") {
    out = {
      kind: review.kind,
      apiVersion,
      metadata,
      ...await reviewToken(body, r.cluster, r.tokenReviewer),
    };
  } else if (review.kind === "SelfSubjectRulesReview") {
    const spec = knownSpec(review.kind, body.spec);
    const namespace = typeof spec.namespace === "string" ? spec.namespace : "";
    out = {
      kind: review.kind,
      apiVersion,
      metadata,
      spec,
      status: await subjectRules(r.authorizer, r.user, r.cluster, namespace),
    };
  } else {
    out = await evaluateAccessReview({
      kind: review.kind as AccessReviewKind,
      body,
      user: r.user,
      cluster: r.cluster,
      namespace: r.namespace,
      authorizer: r.authorizer,
    });
  }
  return createdResponse(out, conv);
}
