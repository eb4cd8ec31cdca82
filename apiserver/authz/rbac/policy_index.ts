/**
 * The RBAC objects of one cluster, indexed so that a decision looks up only
 * the bindings that name the requesting user or one of its groups — never a
 * scan of every binding. Roles are kept by name and resolved at decision
 * time, so editing a role takes effect without re-indexing its bindings.
 * The index keeps what decisions read — a role's rules, a binding's name,
 * role reference and subjects — never the stored objects, and identical
 * rules, subjects and whole binding entries share one copy across clusters
 * (`interned.ts`: every cluster's bootstrap policy is the same), as does a
 * subject's list when it holds one binding.
 *
 * Filled by a policy source (`store_policy.ts` from storage,
 * {@linkcode StaticPolicy} in tests); read by the authorizer.
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";
import { bindingEntries, rbacValues } from "./interned.ts";
import { subjectUserName } from "./rules.ts";
import type {
  BindingObject,
  PolicyRule,
  RbacResource,
  RoleObject,
  RoleRef,
  Subject,
} from "./types.ts";

/**
 * One indexed RoleBinding or ClusterRoleBinding: shared by every cluster
 * holding an identical binding (same kind, namespace, name, role reference
 * and subjects), so nothing in it may depend on the cluster.
 */
export interface BindingEntry {
  readonly kind: "RoleBinding" | "ClusterRoleBinding";
  readonly name: string;
  /** The binding's namespace; `""` for a ClusterRoleBinding. */
  readonly namespace: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
  /**
   * Set by a visitor to skip a binding reached through two subjects (marks
   * are unique across every policy of the process: entries are shared).
   */
  visitMark: number;
  /** Per subject index, the authorizer's cached allow decision. */
  decisions?: unknown[];
  /** The frozen one-element list of this entry, shared by every index. */
  single?: readonly BindingEntry[];
}

/**
 * Bindings by subject. A list of one binding (most subjects) is the entry's
 * shared frozen {@linkcode BindingEntry.single}; longer lists are the
 * cluster's own.
 */
type SubjectIndex = Map<string, readonly BindingEntry[]>;

function addTo(index: SubjectIndex, key: string, e: BindingEntry): void {
  const list = index.get(key);
  if (!list) index.set(key, e.single ??= Object.freeze([e]));
  else if (!list.includes(e)) {
    if (Object.isFrozen(list)) index.set(key, [...list, e]);
    else (list as BindingEntry[]).push(e);
  }
}

function removeFrom(index: SubjectIndex, key: string, e: BindingEntry): void {
  const list = index.get(key);
  if (!list) return;
  const i = list.indexOf(e);
  if (i < 0) return;
  if (list.length === 1) index.delete(key);
  else if (list.length === 2) {
    const rest = list[1 - i];
    index.set(key, rest.single ??= Object.freeze([rest]));
  } else (list as BindingEntry[]).splice(i, 1);
}

/** Users and groups a binding is indexed under. */
function* subjectKeys(
  e: BindingEntry,
): Generator<["user" | "group", string]> {
  for (const s of e.subjects) {
    if (s.kind === "Group") yield ["group", s.name];
    else {
      const u = subjectUserName(s, e.namespace);
      if (u !== undefined) yield ["user", u];
    }
  }
}

function objName(obj: KubeObject): string {
  return obj.metadata.name ?? "";
}

/** The shared entry of a binding (`interned.ts`). */
function toEntry(
  obj: BindingObject,
  kind: BindingEntry["kind"],
  namespace: string,
): BindingEntry {
  const name = objName(obj);
  const roleRef = rbacValues.intern(
    obj.roleRef ?? { apiGroup: "", kind: "", name: "" },
  );
  const subjects = Array.isArray(obj.subjects)
    ? rbacValues.intern(obj.subjects)
    : NO_SUBJECTS;
  const key = JSON.stringify([kind, namespace, name, roleRef, subjects]);
  return bindingEntries.get(key, () => ({
    kind,
    name,
    namespace,
    roleRef,
    subjects,
    visitMark: 0,
  }));
}

const NO_SUBJECTS: readonly Subject[] = Object.freeze([]);
const NO_RULES: readonly PolicyRule[] = Object.freeze([]);

/** A role's rules, shared with every identical role (`interned.ts`). */
function rulesOf(obj: KubeObject): readonly PolicyRule[] {
  const rules = (obj as RoleObject).rules;
  return Array.isArray(rules) && rules.length > 0
    ? rbacValues.intern(rules)
    : NO_RULES;
}

/** The RBAC objects of one cluster with subject indexes. */
export class ClusterPolicy {
  /** Each ClusterRole's rules by name. */
  readonly #clusterRoles = new Map<string, readonly PolicyRule[]>();
  /** Each Role's rules by namespace and name. */
  readonly #roles = new Map<string, Map<string, readonly PolicyRule[]>>();
  readonly #crbs = new Map<string, BindingEntry>();
  readonly #rbs = new Map<string, Map<string, BindingEntry>>();
  readonly #crbByUser: SubjectIndex = new Map();
  readonly #crbByGroup: SubjectIndex = new Map();
  readonly #rbByUser = new Map<string, SubjectIndex>();
  readonly #rbByGroup = new Map<string, SubjectIndex>();
  /** Marks of every policy: an entry may be in several clusters' indexes. */
  static #visits = 0;

  /**
   * A fresh mark for one visit of this policy's bindings (see
   * {@linkcode BindingEntry.visitMark}), unique in the process; visits
   * never interleave because they are synchronous.
   */
  nextVisitMark(): number {
    return ++ClusterPolicy.#visits;
  }

  /** Adds or replaces an object of `resource`. */
  put(resource: RbacResource, obj: KubeObject): void {
    const name = objName(obj);
    const ns = obj.metadata.namespace ?? "";
    switch (resource) {
      case "clusterroles":
        this.#clusterRoles.set(name, rulesOf(obj));
        return;
      case "roles": {
        let m = this.#roles.get(ns);
        if (!m) this.#roles.set(ns, m = new Map());
        m.set(name, rulesOf(obj));
        return;
      }
      case "clusterrolebindings": {
        this.remove(resource, "", name);
        const e = toEntry(obj as BindingObject, "ClusterRoleBinding", "");
        this.#crbs.set(name, e);
        for (const [kind, key] of subjectKeys(e)) {
          addTo(kind === "user" ? this.#crbByUser : this.#crbByGroup, key, e);
        }
        return;
      }
      case "rolebindings": {
        this.remove(resource, ns, name);
        const e = toEntry(obj as BindingObject, "RoleBinding", ns);
        let m = this.#rbs.get(ns);
        if (!m) this.#rbs.set(ns, m = new Map());
        m.set(name, e);
        for (const [kind, key] of subjectKeys(e)) {
          const all = kind === "user" ? this.#rbByUser : this.#rbByGroup;
          let idx = all.get(ns);
          if (!idx) all.set(ns, idx = new Map());
          addTo(idx, key, e);
        }
        return;
      }
    }
  }

  /** Removes an object; `namespace` is `""` for cluster-scoped ones. */
  remove(resource: RbacResource, namespace: string, name: string): void {
    switch (resource) {
      case "clusterroles":
        this.#clusterRoles.delete(name);
        return;
      case "roles": {
        const m = this.#roles.get(namespace);
        m?.delete(name);
        if (m?.size === 0) this.#roles.delete(namespace);
        return;
      }
      case "clusterrolebindings": {
        const e = this.#crbs.get(name);
        if (!e) return;
        this.#crbs.delete(name);
        for (const [kind, key] of subjectKeys(e)) {
          removeFrom(
            kind === "user" ? this.#crbByUser : this.#crbByGroup,
            key,
            e,
          );
        }
        return;
      }
      case "rolebindings": {
        const m = this.#rbs.get(namespace);
        const e = m?.get(name);
        if (!m || !e) return;
        m.delete(name);
        if (m.size === 0) this.#rbs.delete(namespace);
        for (const [kind, key] of subjectKeys(e)) {
          const all = kind === "user" ? this.#rbByUser : this.#rbByGroup;
          const idx = all.get(namespace);
          if (!idx) continue;
          removeFrom(idx, key, e);
          if (idx.size === 0) all.delete(namespace);
        }
        return;
      }
    }
  }

  /** Whether the cluster holds no RBAC object. */
  get empty(): boolean {
    return this.#clusterRoles.size === 0 && this.#roles.size === 0 &&
      this.#crbs.size === 0 && this.#rbs.size === 0;
  }

  /** The rules of a ClusterRole (`undefined`: no such role). */
  clusterRoleRules(name: string): readonly PolicyRule[] | undefined {
    return this.#clusterRoles.get(name);
  }

  /** The rules of a Role (`undefined`: no such role). */
  roleRules(
    namespace: string,
    name: string,
  ): readonly PolicyRule[] | undefined {
    return this.#roles.get(namespace)?.get(name);
  }

  /** ClusterRoleBindings naming user `username` (incl. service accounts). */
  clusterBindingsForUser(
    username: string,
  ): readonly BindingEntry[] | undefined {
    return this.#crbByUser.get(username);
  }

  /** ClusterRoleBindings naming group `group`. */
  clusterBindingsForGroup(group: string): readonly BindingEntry[] | undefined {
    return this.#crbByGroup.get(group);
  }

  /** RoleBindings of `namespace` naming user `username`. */
  roleBindingsForUser(
    namespace: string,
    username: string,
  ): readonly BindingEntry[] | undefined {
    return this.#rbByUser.get(namespace)?.get(username);
  }

  /** RoleBindings of `namespace` naming group `group`. */
  roleBindingsForGroup(
    namespace: string,
    group: string,
  ): readonly BindingEntry[] | undefined {
    return this.#rbByGroup.get(namespace)?.get(group);
  }

  /** Every ClusterRoleBinding (indexed form). */
  clusterRoleBindings(): BindingEntry[] {
    return [...this.#crbs.values()];
  }

  /** The RoleBindings of `namespace` (indexed form). */
  roleBindings(namespace: string): BindingEntry[] {
    return [...(this.#rbs.get(namespace)?.values() ?? [])];
  }
}

/**
 * Where the authorizer finds RBAC objects: one {@linkcode ClusterPolicy}
 * per cluster. Nothing is shared between clusters.
 */
export interface RbacPolicySource {
  /**
   * The policy of `cluster`; `undefined` when it holds no RBAC object (or,
   * with {@linkcode ensure}, is not loaded).
   */
  policyFor(cluster: string): ClusterPolicy | undefined;
  /**
   * Loads `cluster`'s policy if it is not (a source that builds a cluster's
   * index on first use): `undefined` when {@linkcode policyFor} already
   * answers for it, else a promise that resolves once it does. Sources that
   * hold every cluster need not implement it.
   */
  ensure?(cluster: string): Promise<void> | undefined;
  /** True once the source holds everything stored (the initial load ended). */
  readonly synced: boolean;
  /** Resolves when {@linkcode synced} becomes true. */
  ready(): Promise<void>;
}

const KIND_TO_RESOURCE: Record<string, RbacResource> = {
  Role: "roles",
  RoleBinding: "rolebindings",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
};

/** The RBAC resource of an object, from its `kind`. */
export function resourceOfKind(kind: string | undefined): RbacResource {
  const r = KIND_TO_RESOURCE[kind ?? ""];
  if (!r) throw new TypeError(`not an RBAC kind: ${kind}`);
  return r;
}

/**
 * A policy source held in memory, filled by hand: for tests, and for
 * callers that build policy in code.
 *
 * @example
 * ```ts
 * const policy = StaticPolicy.of({ root: [clusterRole, clusterRoleBinding] });
 * ```
 */
export class StaticPolicy implements RbacPolicySource {
  readonly #clusters = new Map<string, ClusterPolicy>();
  /** Always true. */
  readonly synced = true;

  /** A source holding `objects` (by `kind`) of each cluster. */
  static of(objects: Record<string, readonly KubeObject[]>): StaticPolicy {
    const p = new StaticPolicy();
    for (const [cluster, objs] of Object.entries(objects)) {
      for (const o of objs) p.put(cluster, o);
    }
    return p;
  }

  /** Adds or replaces `obj` (its `kind` says which resource) in `cluster`. */
  put(cluster: string, obj: KubeObject): void {
    let c = this.#clusters.get(cluster);
    if (!c) this.#clusters.set(cluster, c = new ClusterPolicy());
    c.put(resourceOfKind(obj.kind), obj);
  }

  /** Removes an object from `cluster`. */
  remove(
    cluster: string,
    resource: RbacResource,
    namespace: string,
    name: string,
  ): void {
    this.#clusters.get(cluster)?.remove(resource, namespace, name);
  }

  /** See {@linkcode RbacPolicySource.policyFor}. */
  policyFor(cluster: string): ClusterPolicy | undefined {
    return this.#clusters.get(cluster);
  }

  /** Resolves at once. */
  ready(): Promise<void> {
    return Promise.resolve();
  }
}
