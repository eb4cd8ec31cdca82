/**
 * The rules an aggregated ClusterRole should have, as upstream's
 * clusterrole-aggregation controller computes them: for each of its
 * `clusterRoleSelectors` in order, the ClusterRoles it selects (itself
 * excluded) sorted by name, and each of their rules unless an equal rule is
 * already in the result.
 *
 * @example
 * ```ts
 * const rules = aggregatedRules(admin, allClusterRolesOfItsCluster);
 * if (!sameRules(rules, admin.rules)) {
 *   // write rules
 * }
 * ```
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  type LabelMatcher,
  labelSelectorMatcher,
  type LabelSelectorSpec,
} from "./label_selector.ts";

/** An RBAC `PolicyRule`, kept as found (unknown fields are carried along). */
export type PolicyRule = Record<string, unknown>;

/** `aggregationRule` of a ClusterRole. */
export interface AggregationRule {
  clusterRoleSelectors?: LabelSelectorSpec[] | null;
}

/** The ClusterRole's `aggregationRule`, or `undefined` when it has none. */
export function aggregationRuleOf(
  role: KubeObject,
): AggregationRule | undefined {
  const rule = role.aggregationRule;
  return typeof rule === "object" && rule !== null
    ? rule as AggregationRule
    : undefined;
}

/** The ClusterRole's `rules` (none: `[]`). */
export function rulesOf(role: KubeObject): PolicyRule[] {
  return Array.isArray(role.rules) ? role.rules as PolicyRule[] : [];
}

const RULE_LISTS = [
  "verbs",
  "apiGroups",
  "resources",
  "resourceNames",
  "nonResourceURLs",
] as const;

/**
 * A rule's identity for comparisons: its string lists in a fixed order, a
 * missing list equal to an empty one (upstream's semantic equality).
 */
function ruleKey(rule: PolicyRule): string {
  // The informer's rules are frozen and shared across clusters (interned):
  // each is keyed once, not once per aggregated role of every cluster.
  const frozen = Object.isFrozen(rule);
  let key = frozen ? ruleKeys.get(rule) : undefined;
  if (key === undefined) {
    key = JSON.stringify(RULE_LISTS.map((f) => rule[f] ?? []));
    if (frozen) ruleKeys.set(rule, key);
  }
  return key;
}

/** {@linkcode ruleKey} of frozen rules. */
const ruleKeys = new WeakMap<PolicyRule, string>();

/** A selector's matcher, compiled once for a frozen (shared) selector. */
function matcherOf(selector: LabelSelectorSpec): LabelMatcher {
  if (!Object.isFrozen(selector)) return labelSelectorMatcher(selector);
  let m = matchers.get(selector);
  if (!m) matchers.set(selector, m = labelSelectorMatcher(selector));
  return m;
}

const matchers = new WeakMap<LabelSelectorSpec, LabelMatcher>();

/**
 * The rules `role` aggregates from `roles` (the ClusterRoles of its cluster;
 * it may be among them). A role without an `aggregationRule` aggregates
 * nothing; one with no selectors aggregates an empty list.
 */
export function aggregatedRules(
  role: KubeObject,
  roles: Iterable<KubeObject>,
): PolicyRule[] {
  const selectors = aggregationRuleOf(role)?.clusterRoleSelectors ?? [];
  const self = role.metadata.name;
  const candidates = [...roles].filter((r) => r.metadata.name !== self);
  const seen = new Set<string>();
  const out: PolicyRule[] = [];
  for (const selector of selectors) {
    const matches = matcherOf(selector);
    const selected = candidates
      .filter((r) => matches(r.metadata.labels))
      .sort((a, b) => compareNames(a.metadata.name, b.metadata.name));
    for (const source of selected) {
      for (const rule of rulesOf(source)) {
        const key = ruleKey(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(rule);
      }
    }
  }
  return out;
}

/** True when `a` and `b` hold equal rules in the same order. */
export function sameRules(a: PolicyRule[], b: PolicyRule[]): boolean {
  return a.length === b.length &&
    a.every((rule, i) => ruleKey(rule) === ruleKey(b[i]));
}

/** Go's byte-wise string order (names are ASCII). */
function compareNames(a = "", b = ""): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
