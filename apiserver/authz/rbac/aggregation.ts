/**
 * ClusterRole aggregation as upstream's clusterrole-aggregation controller
 * computes it: the rules of an aggregated ClusterRole are the rules of every
 * other ClusterRole whose labels match one of its `clusterRoleSelectors`.
 * Pure functions, so the controller (in `controllers/`) and the bootstrap
 * reconciler compute the same answer.
 *
 * `apiserver/selectors/` parses selector *strings*; aggregation rules carry
 * the structured form (`matchLabels` / `matchExpressions`), matched here.
 *
 * @module
 */

import type {
  ClusterRoleObject,
  PolicyRule,
  StructuredLabelSelector,
} from "./types.ts";

/**
 * Whether `labels` satisfy a structured label selector (`matchLabels` and
 * `matchExpressions` ANDed; an empty selector matches everything, as
 * upstream's `LabelSelectorAsSelector`). A malformed requirement (unknown
 * operator, `In` without values) matches nothing.
 */
export function structuredSelectorMatches(
  selector: StructuredLabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(l, k) || l[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
        if (values.length === 0) return false;
        if (!present || !values.includes(l[req.key])) return false;
        break;
      case "NotIn":
        if (values.length === 0) return false;
        if (present && values.includes(l[req.key])) return false;
        break;
      case "Exists":
        if (values.length > 0 || !present) return false;
        break;
      case "DoesNotExist":
        if (values.length > 0 || present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  const eq = (x?: string[], y?: string[]) => {
    const xs = x ?? [];
    const ys = y ?? [];
    return xs.length === ys.length && xs.every((s, i) => s === ys[i]);
  };
  return eq(a.verbs, b.verbs) && eq(a.apiGroups, b.apiGroups) &&
    eq(a.resources, b.resources) && eq(a.resourceNames, b.resourceNames) &&
    eq(a.nonResourceURLs, b.nonResourceURLs);
}

/**
 * The rules `clusterRole` aggregates from `allClusterRoles`: for each of its
 * selectors in order, every other ClusterRole that matches, by name, each of
 * its rules once (upstream's controller order and de-duplication).
 * `undefined` when `clusterRole` has no aggregationRule.
 *
 * @example
 * ```ts
 * aggregateRules(view, allClusterRoles); // the rules of every role labelled aggregate-to-view
 * ```
 */
export function aggregateRules(
  clusterRole: ClusterRoleObject,
  allClusterRoles: readonly ClusterRoleObject[],
): PolicyRule[] | undefined {
  const selectors = clusterRole.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const self = clusterRole.metadata.name;
  const sorted = [...allClusterRoles].sort((a, b) => {
    const x = a.metadata.name ?? "";
    const y = b.metadata.name ?? "";
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const out: PolicyRule[] = [];
  for (const selector of selectors) {
    for (const role of sorted) {
      if (role.metadata.name === self) continue;
      if (!structuredSelectorMatches(selector, role.metadata.labels)) continue;
      for (const rule of role.rules ?? []) {
        if (!out.some((r) => sameRule(r, rule))) out.push(rule);
      }
    }
  }
  return out;
}

/**
 * Applies {@linkcode aggregateRules} to every aggregated role of `roles`
 * until nothing changes (an aggregated role may aggregate another one, as
 * `admin` ← `edit` ← `view`). Returns new objects; the input is not changed.
 */
export function aggregateAll(
  roles: readonly ClusterRoleObject[],
): ClusterRoleObject[] {
  let current = roles.map((r) => ({ ...r }));
  for (let round = 0; round < 10; round++) {
    let changed = false;
    const next = current.map((r) => {
      const rules = aggregateRules(r, current);
      if (!rules) return r;
      const old = r.rules ?? [];
      if (
        old.length === rules.length &&
        old.every((x, i) => sameRule(x, rules[i]))
      ) {
        return r;
      }
      changed = true;
      return { ...r, rules };
    });
    current = next;
    if (!changed) break;
  }
  return current;
}

/**
 * The roles of `roles` that `role` aggregates from: those (other than
 * itself) whose labels match one of its `clusterRoleSelectors`; none when it
 * is not aggregated.
 */
export function aggregationSources<T extends ClusterRoleObject>(
  role: ClusterRoleObject,
  roles: readonly T[],
): T[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return [];
  return roles.filter((other) =>
    other.metadata.name !== role.metadata.name &&
    selectors.some((s) => structuredSelectorMatches(s, other.metadata.labels))
  );
}

/**
 * `roles` in an order where every role comes after each role it aggregates
 * from (stable otherwise; roles caught in a cycle keep their order, last).
 * Bootstrap writes the policy in this order, so a watcher — the aggregation
 * controller — that sees an aggregated role has already seen its sources and
 * does not aggregate a partial set (which would strip the role's rules until
 * the rest arrived).
 */
export function sourcesFirst<T extends ClusterRoleObject>(
  roles: readonly T[],
): T[] {
  const sourcesOf = new Map(
    roles.map((role) => [role, aggregationSources(role, roles)]),
  );
  const out: T[] = [];
  const placed = new Set<T>();
  let pending = [...roles];
  while (pending.length > 0) {
    const ready = pending.filter((role) =>
      sourcesOf.get(role)!.every((s) => placed.has(s))
    );
    if (ready.length === 0) break; // a cycle: the rest keeps its order
    for (const role of ready) {
      out.push(role);
      placed.add(role);
    }
    pending = pending.filter((role) => !placed.has(role));
  }
  return [...out, ...pending];
}
