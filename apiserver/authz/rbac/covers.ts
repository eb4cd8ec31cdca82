/**
 * Whether one set of rules grants everything another does — upstream's
 * `Covers` (`k8s.io/component-helpers/auth/rbac/validation`), the heart of
 * the escalation check: nobody may grant permissions they do not hold.
 * Also upstream's compact rule rendering for the error message.
 *
 * @module
 */

import type { PolicyRule } from "./types.ts";
import { WILDCARD } from "./rules.ts";

function has(set: readonly string[] | undefined, s: string): boolean {
  return set !== undefined && set.includes(s);
}

function hasAll(
  set: readonly string[] | undefined,
  wanted: readonly string[] | undefined,
): boolean {
  if (!wanted || wanted.length === 0) return true;
  if (!set) return false;
  return wanted.every((w) => set.includes(w));
}

function resourcesCoverAll(
  owner: readonly string[] | undefined,
  wanted: readonly string[] | undefined,
): boolean {
  if (has(owner, WILDCARD) || hasAll(owner, wanted)) return true;
  for (const path of wanted ?? []) {
    if (has(owner, path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    if (!has(owner, "*/" + path.slice(slash + 1))) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, path: string): boolean {
  if (owner === path) return true;
  if (!owner.endsWith("*")) return false;
  let end = owner.length;
  while (end > 0 && owner[end - 1] === "*") end--;
  return path.startsWith(owner.slice(0, end));
}

function nonResourceURLsCoverAll(
  owner: readonly string[] | undefined,
  wanted: readonly string[] | undefined,
): boolean {
  return (wanted ?? []).every((p) =>
    (owner ?? []).some((o) => nonResourceURLCovers(o, p))
  );
}

/**
 * Whether `owner` (any rule) covers `sub` (a rule with at most one verb,
 * group, resource, resource name or URL, as {@linkcode breakdownRule} makes).
 */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, WILDCARD) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, WILDCARD) ||
    hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourcesCoverAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoverAll(
    owner.nonResourceURLs,
    sub.nonResourceURLs,
  );
  const ownerNames = owner.resourceNames ?? [];
  const names = (sub.resourceNames ?? []).length === 0
    ? ownerNames.length === 0
    : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/**
 * Splits a rule into rules of one group, resource, verb and resource name
 * each (and one URL and verb each for non-resource rules).
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length > 0) {
          for (const name of names) {
            out.push({
              apiGroups: [group],
              resources: [resource],
              verbs: [verb],
              resourceNames: [name],
            });
          }
        } else {
          out.push({
            apiGroups: [group],
            resources: [resource],
            verbs: [verb],
          });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) {
      out.push({ nonResourceURLs: [url], verbs: [verb] });
    }
  }
  return out;
}

/**
 * Whether `owner` covers every rule of `servant`; returns the uncovered
 * pieces (broken down as {@linkcode breakdownRule}), empty when covered.
 *
 * @example
 * ```ts
 * covers(
 *   [{ verbs: ["*"], apiGroups: [""], resources: ["configmaps"] }],
 *   [{ verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps", "secrets"] }],
 * ); // [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }, … "list" …]
 * ```
 */
export function covers(
  owner: readonly PolicyRule[],
  servant: readonly PolicyRule[],
): PolicyRule[] {
  const uncovered: PolicyRule[] = [];
  for (const rule of servant) {
    for (const sub of breakdownRule(rule)) {
      if (!owner.some((o) => ruleCovers(o, sub))) uncovered.push(sub);
    }
  }
  return uncovered;
}

/**
 * Merges rules of one group and one resource (no names, no URLs) that differ
 * only by verb (upstream's `CompactRules`), for shorter messages.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = (r.resourceNames ?? []).length === 0 &&
      (r.nonResourceURLs ?? []).length === 0 &&
      r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = `${r.apiGroups![0]}\u0000${r.resources![0]}`;
    const existing = simple.get(key);
    if (existing) existing.verbs.push(...r.verbs);
    else {
      simple.set(key, {
        apiGroups: [...r.apiGroups!],
        resources: [...r.resources!],
        verbs: [...r.verbs],
      });
    }
  }
  out.push(...simple.values());
  return out;
}

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
function quotedList(xs: readonly string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(" ")}]`;
}

/**
 * Upstream's `CompactString`:
 * `{APIGroups:[""], Resources:["configmaps"], Verbs:["get" "list"]}`.
 */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) {
    parts.push(`APIGroups:${quotedList(rule.apiGroups)}`);
  }
  if (rule.resources?.length) {
    parts.push(`Resources:${quotedList(rule.resources)}`);
  }
  if (rule.nonResourceURLs?.length) {
    parts.push(`NonResourceURLs:${quotedList(rule.nonResourceURLs)}`);
  }
  if (rule.resourceNames?.length) {
    parts.push(`ResourceNames:${quotedList(rule.resourceNames)}`);
  }
  if (rule.verbs?.length) parts.push(`Verbs:${quotedList(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/** Go's `%q` of a `[]string`, exported for messages that list groups. */
export { quotedList as goQuotedList };
