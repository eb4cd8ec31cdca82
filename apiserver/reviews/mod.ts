/**
 * The review resources: `authentication.k8s.io/v1` SelfSubjectReview
 * (`kubectl auth whoami`), TokenReview, and `authorization.k8s.io/v1`
 * SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
 * (`kubectl auth can-i --list`), SubjectAccessReview and
 * LocalSubjectAccessReview. Create-only, nothing stored, evaluated with the
 * server's `Authorizer`.
 *
 * @example
 * ```ts
 * const review = lookupReview(info.group, info.version, info.resource);
 * if (review) {
 *   return await serveReview({ req, review, user, cluster, namespace, authorizer });
 * }
 * ```
 *
 * @module
 */

export {
  createdResponse,
  createOnlyConversion,
  lookupReview,
  REVIEW_RESOURCES,
  type ReviewRequest,
  type ReviewResource,
  serveReview,
} from "./serve.ts";
export {
  reviewToken,
  type TokenReviewer,
  type TokenReviewResult,
} from "./token_review.ts";
export {
  type AccessReviewKind,
  type AccessReviewRequest,
  evaluateAccessReview,
  reviewAttributes,
} from "./access.ts";
export {
  type NonResourceRule,
  type ResourceRule,
  type RulesLister,
  subjectRules,
  type SubjectRulesReviewStatus,
} from "./rules.ts";
