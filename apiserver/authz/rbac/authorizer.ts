/**
 * The RBAC authorizer (upstream's `plugin/pkg/auth/authorizer/rbac`), per
 * virtual cluster: a request is allowed when a rule of a role bound to the
 * user — by a ClusterRoleBinding anywhere in the request's cluster, or by a
 * RoleBinding in the request's namespace — allows it. Nothing in one cluster
 * grants anything in another. Members of `system:masters` are allowed
 * everything, as the privileged-group authorizer in front of upstream's RBAC.
 *
 * A decision reads only the bindings indexed under the user's name and
 * groups (see `policy_index.ts`) and allocates nothing on a denial.
 *
 * @module
 */

import type { UserInfo } from "../../request_context.ts";
import type {
  NonResourceRule,
  ResourceRule,
  RulesLister,
  SubjectRulesReviewStatus,
} from "../../reviews/rules.ts";
import {
  type AuthorizationAttributes,
  type AuthorizationDecision,
  type Authorizer,
  SYSTEM_MASTERS,
} from "../authorizer.ts";
import type {
  BindingEntry,
  ClusterPolicy,
  RbacPolicySource,
} from "./policy_index.ts";
import {
  fillRuleRequest,
  ruleAllowsRequest,
  type RuleRequest,
  ruleRequest,
  subjectMatches,
} from "./rules.ts";
import {
  type PolicyRule,
  RBAC_GROUP,
  type RoleRef,
  type Subject,
} from "./types.ts";

/**
 * Called for each rule that applies to a user (with the binding that grants
 * it), or for each error met while resolving rules (`rule` undefined).
 * Return false to stop.
 */
export type RuleVisitor = (
  source: RuleSource | undefined,
  rule: PolicyRule | undefined,
  error: string | undefined,
) => boolean;

/** The binding, and the subject of it, that grants a rule. */
export interface RuleSource {
  binding: BindingEntry;
  subject: Subject;
}

/** The rules a role reference stands for, or why it stands for none. */
export type RoleRefRules =
  | { rules: readonly PolicyRule[]; error?: undefined }
  | { rules?: undefined; error: string };

const DENY: AuthorizationDecision = Object.freeze({ allowed: false });
const ALLOW: AuthorizationDecision = Object.freeze({ allowed: true });

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") {
    return `${s.kind} ${
      JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)
    }`;
  }
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/**
 * Upstream's source description:
 * `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`, or
 * `RoleBinding "x/ns" of Role "y" to Group "g"`.
 */
export function describeSource(src: RuleSource): string {
  const b = src.binding;
  const name = b.kind === "RoleBinding" ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${
    JSON.stringify(b.roleRef.name)
  } to ${describeSubject(src.subject, b.namespace)}`;
}

/**
 * The allow decision naming `b` and its first subject that applies to
 * `user`, cached on the binding entry (subjects never change in place).
 */
function allowDecision(b: BindingEntry, user: UserInfo): AuthorizationDecision {
  const subjects = b.subjects;
  for (let i = 0; i < subjects.length; i++) {
    if (!subjectMatches(subjects[i], user, b.namespace)) continue;
    const cache = b.decisions ??= [];
    let d = cache[i] as AuthorizationDecision | undefined;
    if (!d) {
      d = Object.freeze({
        allowed: true,
        reason: `RBAC: allowed by ${
          describeSource({ binding: b, subject: subjects[i] })
        }`,
      });
      cache[i] = d;
    }
    return d;
  }
  return ALLOW;
}

function firstApplyingSubject(
  b: BindingEntry,
  user: UserInfo,
): Subject | undefined {
  for (const s of b.subjects) {
    if (subjectMatches(s, user, b.namespace)) return s;
  }
  return undefined;
}

/** The rules a role reference stands for in one cluster's policy. */
export function roleRefRules(
  policy: ClusterPolicy | undefined,
  ref: RoleRef,
  bindingNamespace: string,
): RoleRefRules {
  switch (ref.kind) {
    case "Role": {
      const rules = bindingNamespace
        ? policy?.roleRules(bindingNamespace, ref.name)
        : undefined;
      if (!rules) {
        return {
          error: `role.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`,
        };
      }
      return { rules };
    }
    case "ClusterRole": {
      const rules = policy?.clusterRoleRules(ref.name);
      if (!rules) {
        return {
          error: `clusterrole.${RBAC_GROUP} ${
            JSON.stringify(ref.name)
          } not found`,
        };
      }
      return { rules };
    }
    default:
      return {
        error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}`,
      };
  }
}

/** Upstream's `utilerrors.NewAggregate(...).Error()`: one message, or `[a, b]`. */
export function aggregateErrors(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
}

/** The wildcard rules of `system:masters`. */
const MASTERS_RESOURCE_RULES: ResourceRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
];
const MASTERS_NON_RESOURCE_RULES: NonResourceRule[] = [
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/**
 * RBAC over an {@linkcode RbacPolicySource}; also lists a user's rules for
 * SelfSubjectRulesReview (`kubectl auth can-i --list`).
 *
 * @example
 * ```ts
 * const rbac = new RbacAuthorizer(StaticPolicy.of({ root: bootstrapObjects }));
 * await rbac.authorize({ user, cluster: "root", verb: "get", isResourceRequest: true,
 *   apiGroup: "", resource: "configmaps", namespace: "default", name: "x" });
 * ```
 */
export class RbacAuthorizer implements Authorizer, RulesLister {
  readonly #source: RbacPolicySource;
  /** Reused by every decision (decisions are synchronous and never overlap). */
  readonly #scratch: RuleRequest = ruleRequest({
    user: { username: "", groups: [] },
    cluster: "",
    verb: "",
    isResourceRequest: false,
  });

  constructor(source: RbacPolicySource) {
    this.#source = source;
  }

  /** The policy source this authorizer reads. */
  get source(): RbacPolicySource {
    return this.#source;
  }

  /** Decides a request (see the module doc). */
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationDecision> {
    if (attrs.user.groups.includes(SYSTEM_MASTERS)) {
      return Promise.resolve(ALLOW);
    }
    if (!this.#source.synced) {
      return this.#source.ready().then(() => this.authorize(attrs));
    }
    const loading = this.#source.ensure?.(attrs.cluster);
    if (loading) return loading.then(() => this.#decide(attrs));
    return Promise.resolve(this.#decide(attrs));
  }

  #decide(attrs: AuthorizationAttributes): AuthorizationDecision {
    const user = attrs.user;
    if (user.groups.includes(SYSTEM_MASTERS)) return ALLOW;
    const policy = this.#source.policyFor(attrs.cluster);
    if (!policy) return DENY;
    const req = fillRuleRequest(this.#scratch, attrs);
    const mark = policy.nextVisitMark();
    const hit = this.#scan(
      policy,
      policy.clusterBindingsForUser(user.username),
      user,
      req,
      mark,
    ) ?? this.#scanGroups(policy, user, req, mark, "");
    if (hit) return hit;
    const ns = attrs.namespace ?? "";
    if (ns === "") return DENY;
    return this.#scan(
      policy,
      policy.roleBindingsForUser(ns, user.username),
      user,
      req,
      mark,
    ) ?? this.#scanGroups(policy, user, req, mark, ns) ?? DENY;
  }

  #scanGroups(
    policy: ClusterPolicy,
    user: UserInfo,
    req: RuleRequest,
    mark: number,
    namespace: string,
  ): AuthorizationDecision | undefined {
    const groups = user.groups;
    for (let i = 0; i < groups.length; i++) {
      const bindings = namespace === ""
        ? policy.clusterBindingsForGroup(groups[i])
        : policy.roleBindingsForGroup(namespace, groups[i]);
      const hit = this.#scan(policy, bindings, user, req, mark);
      if (hit) return hit;
    }
    return undefined;
  }

  #scan(
    policy: ClusterPolicy,
    bindings: readonly BindingEntry[] | undefined,
    user: UserInfo,
    req: RuleRequest,
    mark: number,
  ): AuthorizationDecision | undefined {
    if (!bindings) return undefined;
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i];
      if (b.visitMark === mark) continue;
      b.visitMark = mark;
      const resolved = roleRefRules(policy, b.roleRef, b.namespace);
      const rules = resolved.rules;
      if (!rules) continue;
      for (let j = 0; j < rules.length; j++) {
        if (ruleAllowsRequest(rules[j], req)) return allowDecision(b, user);
      }
    }
    return undefined;
  }

  /**
   * Calls `visitor` with every rule that applies to `user` in `namespace`
   * of `cluster` (ClusterRoleBindings first, then the namespace's
   * RoleBindings), and with every resolution error (a binding to a missing
   * role). `namespace` `""` visits cluster-wide rules only.
   */
  visitRulesFor(
    user: UserInfo,
    cluster: string,
    namespace: string,
    visitor: RuleVisitor,
  ): void {
    const policy = this.#source.policyFor(cluster);
    if (!policy) return;
    const mark = policy.nextVisitMark();
    const lists: (readonly BindingEntry[] | undefined)[] = [
      policy.clusterBindingsForUser(user.username),
      ...user.groups.map((g) => policy.clusterBindingsForGroup(g)),
    ];
    if (namespace) {
      lists.push(
        policy.roleBindingsForUser(namespace, user.username),
        ...user.groups.map((g) => policy.roleBindingsForGroup(namespace, g)),
      );
    }
    for (const list of lists) {
      for (const b of list ?? []) {
        if (b.visitMark === mark) continue;
        b.visitMark = mark;
        const subject = firstApplyingSubject(b, user);
        if (!subject) continue;
        const resolved = roleRefRules(policy, b.roleRef, b.namespace);
        if (resolved.error !== undefined) {
          if (!visitor(undefined, undefined, resolved.error)) return;
          continue;
        }
        for (const rule of resolved.rules) {
          if (!visitor({ binding: b, subject }, rule, undefined)) return;
        }
      }
    }
  }

  /**
   * Every rule that applies to `user` in `namespace` of `cluster`, and the
   * errors met (upstream's `RulesFor`). Waits for the source's initial load.
   */
  async rulesOf(
    user: UserInfo,
    cluster: string,
    namespace: string,
  ): Promise<{ rules: PolicyRule[]; errors: string[] }> {
    if (!this.#source.synced) await this.#source.ready();
    await this.#source.ensure?.(cluster);
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, cluster, namespace, (_src, rule, err) => {
      if (rule) rules.push(rule);
      if (err !== undefined) errors.push(err);
      return true;
    });
    return { rules, errors };
  }

  /** The rules `ref` stands for in `cluster` (`bindingNamespace` `""` for a ClusterRoleBinding). */
  async roleRefRules(
    cluster: string,
    ref: RoleRef,
    bindingNamespace: string,
  ): Promise<RoleRefRules> {
    if (!this.#source.synced) await this.#source.ready();
    await this.#source.ensure?.(cluster);
    return roleRefRules(this.#source.policyFor(cluster), ref, bindingNamespace);
  }

  /** See {@linkcode RulesLister.rulesFor}. */
  async rulesFor(
    user: UserInfo,
    cluster: string,
    namespace: string,
  ): Promise<SubjectRulesReviewStatus> {
    const { rules, errors } = await this.rulesOf(user, cluster, namespace);
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    if (user.groups.includes(SYSTEM_MASTERS)) {
      resourceRules.push(...structuredClone(MASTERS_RESOURCE_RULES));
      nonResourceRules.push(...structuredClone(MASTERS_NON_RESOURCE_RULES));
    }
    for (const r of rules) {
      if (r.resources?.length) {
        const rr: ResourceRule = {
          verbs: [...r.verbs],
          apiGroups: [...(r.apiGroups ?? [])],
          resources: [...r.resources],
        };
        if (r.resourceNames?.length) rr.resourceNames = [...r.resourceNames];
        resourceRules.push(rr);
      }
      if (r.nonResourceURLs?.length) {
        nonResourceRules.push({
          verbs: [...r.verbs],
          nonResourceURLs: [...r.nonResourceURLs],
        });
      }
    }
    const status: SubjectRulesReviewStatus = {
      resourceRules,
      nonResourceRules,
      incomplete: errors.length > 0,
    };
    if (errors.length > 0) status.evaluationError = aggregateErrors(errors);
    return status;
  }
}
