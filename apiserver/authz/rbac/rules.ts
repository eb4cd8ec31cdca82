/**
 * Rule and subject matching with upstream's semantics
 * (`pkg/apis/rbac/v1/evaluation_helpers.go` and `appliesToUser` in
 * `pkg/registry/rbac/validation/rule.go`), so that a policy written for
 * Kubernetes means the same thing here.
 *
 * - verbs, apiGroups: exact, or `*`;
 * - resources: `*`, exact (`configmaps`, `namespaces/finalize`), or
 *   `*\/<subresource>` (e.g. `*\/scale`). As upstream, `<resource>/*` is
 *   matched literally and does not grant every subresource;
 * - resourceNames: empty means every name; otherwise the request must name
 *   one of them, so `list`, `watch`, `create` and `deletecollection` (which
 *   carry no name) are never allowed by such a rule;
 * - nonResourceURLs: exact, `*`, or a prefix ending in `*`.
 *
 * @module
 */

import type { UserInfo } from "../../request_context.ts";
import type { AuthorizationAttributes } from "../authorizer.ts";
import { SERVICE_ACCOUNT_USER_PREFIX } from "../../serviceaccount/user.ts";
import type { PolicyRule, Subject } from "./types.ts";

/** `*`: every verb, group, resource or URL. */
export const WILDCARD = "*";

/** The rule names `verb` or `*`. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  const verbs = rule.verbs;
  if (!verbs) return false;
  for (let i = 0; i < verbs.length; i++) {
    const v = verbs[i];
    if (v === WILDCARD || v === verb) return true;
  }
  return false;
}

/** The rule names API group `group` (`""` is the core group) or `*`. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  const groups = rule.apiGroups;
  if (!groups) return false;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g === WILDCARD || g === group) return true;
  }
  return false;
}

/**
 * The rule names `combined` (`resource` or `resource/subresource`), `*`, or
 * `*\/subresource`.
 */
export function resourceMatches(
  rule: PolicyRule,
  combined: string,
  subresource: string,
): boolean {
  const resources = rule.resources;
  if (!resources) return false;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    if (r === WILDCARD || r === combined) return true;
    if (
      subresource !== "" && r.length === subresource.length + 2 &&
      r.startsWith("*/") && r.endsWith(subresource)
    ) {
      return true;
    }
  }
  return false;
}

/** The rule has no resourceNames, or names `name`. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames;
  if (!names || names.length === 0) return true;
  for (let i = 0; i < names.length; i++) {
    if (names[i] === name) return true;
  }
  return false;
}

/** The rule names `url`, `*`, or a prefix of it ending in `*`. */
export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  const urls = rule.nonResourceURLs;
  if (!urls) return false;
  for (let i = 0; i < urls.length; i++) {
    const u = urls[i];
    if (u === WILDCARD || u === url) return true;
    if (u.endsWith("*") && url.startsWith(trimStars(u))) return true;
  }
  return false;
}

/** Go's `strings.TrimRight(s, "*")`. */
function trimStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 42) end--;
  return s.slice(0, end);
}

/**
 * A request reduced to what rule matching reads, computed once per request
 * (the combined `resource/subresource` string is built here, not per rule).
 */
export interface RuleRequest {
  isResourceRequest: boolean;
  verb: string;
  apiGroup: string;
  /** `resource` or `resource/subresource`. */
  combinedResource: string;
  subresource: string;
  name: string;
  path: string;
}

/** Reduces authorization attributes to a {@linkcode RuleRequest}. */
export function ruleRequest(attrs: AuthorizationAttributes): RuleRequest {
  return fillRuleRequest({
    isResourceRequest: false,
    verb: "",
    apiGroup: "",
    combinedResource: "",
    subresource: "",
    name: "",
    path: "",
  }, attrs);
}

/** Fills `into` from `attrs` (to reuse one object across requests); returns it. */
export function fillRuleRequest(
  into: RuleRequest,
  attrs: AuthorizationAttributes,
): RuleRequest {
  const resource = attrs.resource ?? "";
  const subresource = attrs.subresource ?? "";
  into.isResourceRequest = attrs.isResourceRequest;
  into.verb = attrs.verb;
  into.apiGroup = attrs.apiGroup ?? "";
  into.combinedResource = subresource ? `${resource}/${subresource}` : resource;
  into.subresource = subresource;
  into.name = attrs.name ?? "";
  into.path = attrs.path ?? "";
  return into;
}

/** Whether `rule` allows the request (upstream's `RuleAllows`). */
export function ruleAllowsRequest(rule: PolicyRule, req: RuleRequest): boolean {
  if (!verbMatches(rule, req.verb)) return false;
  if (req.isResourceRequest) {
    return apiGroupMatches(rule, req.apiGroup) &&
      resourceMatches(rule, req.combinedResource, req.subresource) &&
      resourceNameMatches(rule, req.name);
  }
  return nonResourceURLMatches(rule, req.path);
}

/** Whether `rule` allows the request described by `attrs`. */
export function ruleAllows(
  attrs: AuthorizationAttributes,
  rule: PolicyRule,
): boolean {
  return ruleAllowsRequest(rule, ruleRequest(attrs));
}

/** Whether any of `rules` allows the request described by `attrs`. */
export function rulesAllow(
  attrs: AuthorizationAttributes,
  rules: readonly PolicyRule[],
): boolean {
  const req = ruleRequest(attrs);
  return rules.some((r) => ruleAllowsRequest(r, req));
}

/**
 * Whether a binding subject names `user` (upstream's `appliesToUser`).
 * `bindingNamespace` is the namespace of a RoleBinding (`""` for a
 * ClusterRoleBinding): a ServiceAccount subject without a namespace means
 * the binding's own namespace, and in a ClusterRoleBinding matches nobody.
 */
export function subjectMatches(
  subject: Subject,
  user: UserInfo,
  bindingNamespace: string,
): boolean {
  switch (subject.kind) {
    case "User":
      return user.username === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      if (!ns) return false;
      const u = user.username;
      return u.length ===
          SERVICE_ACCOUNT_USER_PREFIX.length + ns.length + 1 +
            subject.name.length &&
        u.startsWith(SERVICE_ACCOUNT_USER_PREFIX) &&
        u.startsWith(ns, SERVICE_ACCOUNT_USER_PREFIX.length) &&
        u.charCodeAt(SERVICE_ACCOUNT_USER_PREFIX.length + ns.length) === 58 &&
        u.endsWith(subject.name);
    }
    default:
      return false;
  }
}

/**
 * The user name a subject stands for when it is a User or ServiceAccount
 * (`system:serviceaccount:<ns>:<name>`), for indexing; `undefined` for
 * groups, unknown kinds, and namespace-less ServiceAccounts of a
 * ClusterRoleBinding.
 */
export function subjectUserName(
  subject: Subject,
  bindingNamespace: string,
): string | undefined {
  if (subject.kind === "User") return subject.name;
  if (subject.kind === "ServiceAccount") {
    const ns = subject.namespace || bindingNamespace;
    return ns
      ? `${SERVICE_ACCOUNT_USER_PREFIX}${ns}:${subject.name}`
      : undefined;
  }
  return undefined;
}
