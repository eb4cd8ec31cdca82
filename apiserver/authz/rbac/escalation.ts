/**
 * Privilege-escalation prevention for writes of RBAC objects (upstream's
 * `pkg/registry/rbac/escalation_check.go` and the `policybased` storages):
 * a user may create or update a Role/ClusterRole only with rules they hold
 * themselves, and a binding only to a role whose rules they hold — unless
 * they are `system:masters`, may `escalate` the role resource, or (for
 * bindings) may `bind` the referenced role by name.
 *
 * {@linkcode checkRbacWrite} is what the server calls on create and update
 * of the four RBAC kinds.
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";
import type { UserInfo } from "../../request_context.ts";
import { type Authorizer, SYSTEM_MASTERS } from "../authorizer.ts";
import { aggregateErrors, type RoleRefRules } from "./authorizer.ts";
import { compactRules, compactString, covers, goQuotedList } from "./covers.ts";
import {
  type BindingObject,
  type ClusterRoleObject,
  type PolicyRule,
  RBAC_GROUP,
  type RbacResource,
  type RoleObject,
  type RoleRef,
} from "./types.ts";

/** What the escalation checks need to know of a user's rules (the RBAC authorizer). */
export interface RuleResolver {
  /** Every rule that applies to `user` in `namespace` of `cluster`, and resolution errors. */
  rulesOf(
    user: UserInfo,
    cluster: string,
    namespace: string,
  ): Promise<{ rules: PolicyRule[]; errors: string[] }>;
  /** The rules a role reference stands for. */
  roleRefRules(
    cluster: string,
    ref: RoleRef,
    bindingNamespace: string,
  ): Promise<RoleRefRules>;
}

/** The result of {@linkcode confirmNoEscalation}. */
export interface EscalationResult {
  /** The requested rules (broken down) that the user does not hold. */
  uncovered: PolicyRule[];
  /** Upstream's error text when something is uncovered. */
  message?: string;
}

/** Upstream's `{APIGroups:["*"], Resources:["*"], Verbs:["*"]}` needed for an aggregationRule. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
];

/**
 * Checks that `user`'s own rules in `namespace` of `cluster` cover every
 * rule of `rules` (upstream's `ConfirmNoEscalation` with `Covers`).
 */
export async function confirmNoEscalation(
  resolver: RuleResolver,
  user: UserInfo,
  cluster: string,
  namespace: string,
  rules: readonly PolicyRule[],
): Promise<EscalationResult> {
  const own = await resolver.rulesOf(user, cluster, namespace);
  const uncovered = covers(own.rules, rules);
  if (uncovered.length === 0) return { uncovered };
  const descriptions = [
    ...new Set(compactRules(uncovered).map(compactString)),
  ].sort();
  let message = `user ${JSON.stringify(user.username)} (groups=${
    goQuotedList(user.groups)
  }) is attempting to grant RBAC permissions not currently held:\n${
    descriptions.join("\n")
  }`;
  if (own.errors.length > 0) {
    message += `; resolution errors: [${own.errors.join(" ")}]`;
  }
  return { uncovered, message };
}

/** Members of `system:masters` may grant anything (upstream's `EscalationAllowed`). */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

/**
 * Whether `user` may `escalate` the `roles` or `clusterroles` resource
 * (`name` in `namespace`) — upstream's `RoleEscalationAuthorized`.
 */
export async function roleEscalationAuthorized(
  authorizer: Authorizer,
  user: UserInfo,
  cluster: string,
  resource: "roles" | "clusterroles",
  namespace: string,
  name: string,
): Promise<boolean> {
  const d = await authorizer.authorize({
    user,
    cluster,
    verb: "escalate",
    isResourceRequest: true,
    apiGroup: RBAC_GROUP,
    apiVersion: "*",
    resource,
    namespace: namespace || undefined,
    name: name || undefined,
  });
  return d.allowed;
}

/**
 * Whether `user` may `bind` the role `ref` names, in the binding's namespace
 * (`""` for a ClusterRoleBinding) — upstream's `BindingAuthorized`.
 */
export async function bindingAuthorized(
  authorizer: Authorizer,
  user: UserInfo,
  cluster: string,
  ref: RoleRef,
  bindingNamespace: string,
): Promise<boolean> {
  let resource: string;
  if (ref.kind === "ClusterRole") resource = "clusterroles";
  else if (ref.kind === "Role") resource = "roles";
  else return false;
  const d = await authorizer.authorize({
    user,
    cluster,
    verb: "bind",
    isResourceRequest: true,
    apiGroup: ref.apiGroup,
    resource,
    namespace: bindingNamespace || undefined,
    name: ref.name,
  });
  return d.allowed;
}

/**
 * Whether an update changes nothing but what the garbage collector needs
 * (`ownerReferences`, `finalizers`) — upstream lets such updates through
 * without an escalation check (`IsOnlyMutatingGCFields`).
 */
export function isOnlyMutatingGCFields(
  next: KubeObject,
  old: KubeObject,
): boolean {
  const strip = (o: KubeObject) => {
    const { metadata, ...rest } = o;
    const {
      ownerReferences: _o,
      finalizers: _f,
      resourceVersion: _r,
      managedFields: _m,
      generation: _g,
      ...meta
    } = metadata ?? {};
    return JSON.stringify(sortKeys({ ...rest, metadata: meta }));
  };
  return strip(next) === strip(old);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      out[k] = sortKeys((v as Record<string, unknown>)[k]);
    }
    return out;
  }
  return v;
}

/** Why {@linkcode checkRbacWrite} refused a write. */
export interface RbacWriteDenial {
  /**
   * 403: an escalation; answer `forbiddenError({group, resource}, name, message)`.
   * 404: the binding's role does not exist; answer
   * `notFoundError({group, resource}, name)` (`group`/`resource`/`name` then
   * name the missing role, as upstream).
   */
  code: 403 | 404;
  /** For 403, the reason after `… is forbidden: `; for 404, the full message. */
  message: string;
  group: string;
  resource: string;
  name: string;
}

/** What {@linkcode checkRbacWrite} needs to know of one write. */
export interface RbacWrite {
  user: UserInfo;
  cluster: string;
  resource: RbacResource;
  /** The request's namespace (`""` for the cluster-scoped kinds). */
  namespace: string;
  /** The object as it would be stored. */
  object: KubeObject;
  /** The current object, on update. */
  old?: KubeObject;
}

/** The collaborators of {@linkcode checkRbacWrite}. */
export interface EscalationChecker {
  /** The server's authorizer chain (asked about `escalate` and `bind`). */
  authorizer: Authorizer;
  /** Resolves the user's rules and role references (the RBAC authorizer). */
  resolver: RuleResolver;
}

function hasAggregationRule(obj: KubeObject | undefined): boolean {
  const sel = (obj as ClusterRoleObject | undefined)?.aggregationRule
    ?.clusterRoleSelectors;
  return Array.isArray(sel) && sel.length > 0;
}

/**
 * The escalation check for a create (no `old`) or update of a Role,
 * ClusterRole, RoleBinding or ClusterRoleBinding: `undefined` when allowed,
 * otherwise what to answer.
 *
 * @example
 * ```ts
 * const denial = await checkRbacWrite({ authorizer, resolver: rbac }, {
 *   user, cluster, resource: "roles", namespace: "default", object: role,
 * });
 * if (denial?.code === 403) throw forbiddenError({ group: denial.group, resource: denial.resource }, denial.name, denial.message);
 * ```
 */
export async function checkRbacWrite(
  checker: EscalationChecker,
  write: RbacWrite,
): Promise<RbacWriteDenial | undefined> {
  const { user, cluster, resource, namespace, object, old } = write;
  if (escalationAllowed(user)) return undefined;
  const name = object.metadata.name ?? "";
  const forbidden = (message: string): RbacWriteDenial => ({
    code: 403,
    message,
    group: RBAC_GROUP,
    resource,
    name,
  });
  if (resource === "roles" || resource === "clusterroles") {
    if (
      await roleEscalationAuthorized(
        checker.authorizer,
        user,
        cluster,
        resource,
        namespace,
        name,
      )
    ) {
      return undefined;
    }
    if (old && isOnlyMutatingGCFields(object, old)) return undefined;
    const rules = (object as RoleObject).rules ?? [];
    const r = await confirmNoEscalation(
      checker.resolver,
      user,
      cluster,
      namespace,
      rules,
    );
    if (r.message !== undefined) return forbidden(r.message);
    if (
      resource === "clusterroles" &&
      (hasAggregationRule(object) || hasAggregationRule(old))
    ) {
      const full = await confirmNoEscalation(
        checker.resolver,
        user,
        cluster,
        namespace,
        FULL_AUTHORITY,
      );
      if (full.message !== undefined) {
        return forbidden(
          "must have cluster-admin privileges to use the aggregationRule",
        );
      }
    }
    return undefined;
  }
  if (old && isOnlyMutatingGCFields(object, old)) return undefined;
  const ref = (object as BindingObject).roleRef;
  const bindingNamespace = resource === "rolebindings" ? namespace : "";
  if (
    await bindingAuthorized(
      checker.authorizer,
      user,
      cluster,
      ref,
      bindingNamespace,
    )
  ) {
    return undefined;
  }
  const resolved = await checker.resolver.roleRefRules(
    cluster,
    ref,
    bindingNamespace,
  );
  if (resolved.error !== undefined) {
    if (ref.kind === "Role" || ref.kind === "ClusterRole") {
      return {
        code: 404,
        message: `${
          ref.kind === "Role" ? "roles" : "clusterroles"
        }.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`,
        group: RBAC_GROUP,
        resource: ref.kind === "Role" ? "roles" : "clusterroles",
        name: ref.name,
      };
    }
    return forbidden(aggregateErrors([resolved.error]));
  }
  const r = await confirmNoEscalation(
    checker.resolver,
    user,
    cluster,
    bindingNamespace,
    resolved.rules,
  );
  return r.message !== undefined ? forbidden(r.message) : undefined;
}
