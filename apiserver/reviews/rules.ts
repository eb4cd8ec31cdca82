/**
 * SelfSubjectRulesReview (`kubectl auth can-i --list`): the rules the caller
 * has in a namespace. An authorizer that can list rules says so with
 * {@linkcode RulesLister}; for any other authorizer the rules are found by
 * asking it about the wildcard and about the requests every user is usually
 * allowed (discovery paths, self reviews), and the answer is marked
 * `incomplete` unless the wildcard is allowed.
 *
 * @module
 */

import type { Authorizer } from "../authz/authorizer.ts";
import type { UserInfo } from "../request_context.ts";

/** One resource rule (upstream's `ResourceRule`). */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** One non-resource rule (upstream's `NonResourceRule`). */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** The `status` of a SelfSubjectRulesReview. */
export interface SubjectRulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

/** An authorizer that can list a user's rules (as upstream's RBAC). */
export interface RulesLister {
  rulesFor(
    user: UserInfo,
    cluster: string,
    namespace: string,
  ): Promise<SubjectRulesReviewStatus>;
}

/** The non-resource URLs upstream's bootstrap policy opens to everyone. */
const PUBLIC_URLS = [
  "/api",
  "/api/*",
  "/apis",
  "/apis/*",
  "/healthz",
  "/livez",
  "/openapi",
  "/openapi/*",
  "/readyz",
  "/version",
  "/version/",
];

/** The self reviews upstream's `system:basic-user` may create. */
const SELF_REVIEWS: readonly [string, string][] = [
  ["authentication.k8s.io", "selfsubjectreviews"],
  ["authorization.k8s.io", "selfsubjectaccessreviews"],
  ["authorization.k8s.io", "selfsubjectrulesreviews"],
];

function isRulesLister(a: Authorizer): a is Authorizer & RulesLister {
  return typeof (a as Partial<RulesLister>).rulesFor === "function";
}

/** The rules `user` has in `namespace` of `cluster`. */
export async function subjectRules(
  authorizer: Authorizer,
  user: UserInfo,
  cluster: string,
  namespace: string,
): Promise<SubjectRulesReviewStatus> {
  if (isRulesLister(authorizer)) {
    return await authorizer.rulesFor(user, cluster, namespace);
  }
  const allows = async (attrs: {
    verb: string;
    isResourceRequest: boolean;
    path?: string;
    apiGroup?: string;
    resource?: string;
  }) =>
    (await authorizer.authorize({ user, cluster, namespace, ...attrs }))
      .allowed;
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  const everything = await allows({
    verb: "*",
    isResourceRequest: true,
    apiGroup: "*",
    resource: "*",
  });
  if (everything) {
    resourceRules.push({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
  } else {
    for (const [group, resource] of SELF_REVIEWS) {
      if (
        await allows({
          verb: "create",
          isResourceRequest: true,
          apiGroup: group,
          resource,
        })
      ) {
        resourceRules.push({
          verbs: ["create"],
          apiGroups: [group],
          resources: [resource],
        });
      }
    }
  }
  if (await allows({ verb: "*", isResourceRequest: false, path: "*" })) {
    nonResourceRules.push({ verbs: ["*"], nonResourceURLs: ["*"] });
  } else {
    const urls: string[] = [];
    for (const path of PUBLIC_URLS) {
      if (await allows({ verb: "get", isResourceRequest: false, path })) {
        urls.push(path);
      }
    }
    if (urls.length) {
      nonResourceRules.push({ verbs: ["get"], nonResourceURLs: urls });
    }
  }
  const status: SubjectRulesReviewStatus = {
    resourceRules,
    nonResourceRules,
    incomplete: !everything,
  };
  if (!everything) {
    status.evaluationError =
      "the authorizer cannot list rules; only well-known requests were checked";
  }
  return status;
}
