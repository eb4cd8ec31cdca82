/**
 * The authorization seam: every request is checked with upstream-like
 * attributes before it is served. The server decides with RBAC
 * (`rbac/`, set up in `rbac_setup.ts`); {@linkcode defaultAuthorizer} is a
 * fixed policy for embedders and tests that serve no RBAC objects.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import { SERVICE_ACCOUNTS_GROUP } from "../serviceaccount/user.ts";

/** What a request wants to do (upstream's `authorizer.Attributes`). */
export interface AuthorizationAttributes {
  /** Who asks. */
  user: UserInfo;
  /** The virtual cluster the request is for. */
  cluster: string;
  /** The verb: `get`, `list`, `create`, … (lower-case HTTP method for non-resource requests). */
  verb: string;
  /** True for a request on a resource, false for a path such as `/version`. */
  isResourceRequest: boolean;
  /** For non-resource requests. */
  path?: string;
  /** The resource's API group. */
  apiGroup?: string;
  /** The resource's API version. */
  apiVersion?: string;
  /** The plural resource name. */
  resource?: string;
  /** The subresource, e.g. `status`. */
  subresource?: string;
  /** The namespace of the request. */
  namespace?: string;
  /** The object's name. */
  name?: string;
}

/** An authorization decision. */
export interface AuthorizationDecision {
  /** True when the request may proceed. */
  allowed: boolean;
  /** Why (shown to denied clients when set). */
  reason?: string;
}

/** Decides whether a request may proceed. */
export interface Authorizer {
  /** Decides one request. */
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationDecision>;
}

/** Group whose members may do anything. */
export const SYSTEM_MASTERS = "system:masters";

const PUBLIC_PATHS = /^\/(version|api|apis|openapi)(\/.*)?$/;

/**
 * Service account issuer discovery, which upstream's bootstrap RBAC
 * (`system:service-account-issuer-discovery`) grants to every service account.
 */
const ISSUER_DISCOVERY_PATHS = new Set([
  "/.well-known/openid-configuration",
  "/openid/v1/jwks",
]);
/** Upstream's `system:monitoring` group may read `/metrics`. */
const MONITORING_GROUP = "system:monitoring";

/** What upstream's `system:basic-user` role lets every user create. */
const SELF_REVIEWS = new Set([
  "authentication.k8s.io/selfsubjectreviews",
  "authorization.k8s.io/selfsubjectaccessreviews",
  "authorization.k8s.io/selfsubjectrulesreviews",
]);

/**
 * Allows members of `system:masters` everything, any user `get` on the
 * discovery, version and OpenAPI paths and `create` of the self reviews
 * (`kubectl auth whoami`, `kubectl auth can-i`), service accounts `get` on
 * the issuer discovery paths, `system:monitoring` `get` on `/metrics`;
 * denies the rest.
 */
export function defaultAuthorizer(): Authorizer {
  return {
    authorize(attrs) {
      if (attrs.user.groups.includes(SYSTEM_MASTERS)) {
        return Promise.resolve({ allowed: true });
      }
      if (
        !attrs.isResourceRequest && attrs.verb === "get" &&
        PUBLIC_PATHS.test(attrs.path ?? "")
      ) {
        return Promise.resolve({ allowed: true });
      }
      if (
        !attrs.isResourceRequest && attrs.verb === "get" &&
        attrs.path === "/metrics" &&
        attrs.user.groups.includes(MONITORING_GROUP)
      ) {
        return Promise.resolve({ allowed: true });
      }
      if (
        !attrs.isResourceRequest && attrs.verb === "get" &&
        ISSUER_DISCOVERY_PATHS.has(attrs.path ?? "") &&
        attrs.user.groups.includes(SERVICE_ACCOUNTS_GROUP)
      ) {
        return Promise.resolve({ allowed: true });
      }
      if (
        attrs.isResourceRequest && attrs.verb === "create" &&
        !attrs.subresource &&
        SELF_REVIEWS.has(`${attrs.apiGroup}/${attrs.resource}`)
      ) {
        return Promise.resolve({ allowed: true });
      }
      return Promise.resolve({ allowed: false });
    },
  };
}

/** Upstream's denial text: `User "x" cannot list resource "y" in API group "" …`. */
export function denialMessage(attrs: AuthorizationAttributes): string {
  const who = `User "${attrs.user.username}"`;
  if (!attrs.isResourceRequest) {
    return `${who} cannot ${attrs.verb} path "${attrs.path}"`;
  }
  const res = attrs.subresource
    ? `${attrs.resource}/${attrs.subresource}`
    : attrs.resource;
  const scope = attrs.namespace
    ? `in the namespace "${attrs.namespace}"`
    : "at the cluster scope";
  return `${who} cannot ${attrs.verb} resource "${res}" in API group "${
    attrs.apiGroup ?? ""
  }" ${scope}`;
}
