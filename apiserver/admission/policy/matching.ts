/**
 * Which requests a policy (its `matchConstraints`) and a binding (its
 * `matchResources`) select, as upstream's `policy/matching`: namespace
 * selector (the namespace object's labels; a namespace is matched by its
 * own labels; other cluster-scoped objects always pass), object selector
 * (the object's or the old object's labels), exclude rules first, then the
 * resource rules — exactly, or with `matchPolicy: Equivalent` also through
 * another version or API of the same resource (events.k8s.io/v1 events and
 * core v1 events), in which case the policy sees the object in the matched
 * form. Pure functions: the caller supplies labels and equivalents.
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";
import { structuredSelectorMatches } from "../../authz/rbac/aggregation.ts";
import type { LabelSelectorSpec, MatchResources, NamedRule } from "./types.ts";

/** The resource a request is made through (or an equivalent one). */
export interface RequestResource {
  group: string;
  version: string;
  /** Plural resource. */
  resource: string;
  kind: string;
  /** Whether the kind is namespaced (rule `scope`). */
  namespaced: boolean;
}

/** What a matcher needs to know about one request. */
export interface MatchRequest extends RequestResource {
  /** `CREATE`, `UPDATE`, `DELETE`, `CONNECT`. */
  operation: string;
  subresource: string;
  namespace: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
}

/** Another resource serving the same objects, and how to view an object as it. */
export interface Equivalent extends RequestResource {
  convert(obj: KubeObject): KubeObject;
}

/** Where the matcher reads what it does not have. */
export interface MatchContext {
  /** Labels of the request's namespace (`undefined`: not found). */
  namespaceLabels(): Record<string, string> | undefined;
  /** The other resources of the request's one (for `Equivalent`). */
  equivalents(): Equivalent[];
}

/** A match: the resource the rules matched (the request's, or an equivalent). */
export interface MatchResult {
  resource: RequestResource;
  /** Set when an equivalent matched: the object's form there. */
  convert?: (obj: KubeObject) => KubeObject;
}

function anyOf(list: string[] | undefined, v: string): boolean {
  return (list ?? []).some((x) => x === "*" || x === v);
}

function resourceMatches(
  resources: string[] | undefined,
  resource: string,
  subresource: string,
): boolean {
  for (const r of resources ?? []) {
    if (r === "*/*") return true;
    if (r === "*") {
      if (subresource === "") return true;
      continue;
    }
    const slash = r.indexOf("/");
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? "" : r.slice(slash + 1);
    if (res !== "*" && res !== resource) continue;
    if (sub === "*" || sub === subresource) return true;
  }
  return false;
}

/** Whether one rule selects the request made through `res`. */
export function ruleMatches(
  rule: NamedRule,
  req: MatchRequest,
  res: RequestResource = req,
): boolean {
  if (!anyOf(rule.operations, req.operation)) return false;
  if (!anyOf(rule.apiGroups, res.group)) return false;
  if (!anyOf(rule.apiVersions, res.version)) return false;
  if (!resourceMatches(rule.resources, res.resource, req.subresource)) {
    return false;
  }
  const scope = rule.scope ?? "*";
  if (scope === "Cluster" && res.namespaced) return false;
  if (scope === "Namespaced" && !res.namespaced) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(req.name);
}

function rulesMatch(
  rules: NamedRule[],
  matchPolicy: string | undefined,
  req: MatchRequest,
  ctx: MatchContext,
): MatchResult | undefined {
  if (rules.some((r) => ruleMatches(r, req))) return { resource: req };
  if (matchPolicy === "Exact") return undefined;
  for (const eq of ctx.equivalents()) {
    if (rules.some((r) => ruleMatches(r, req, eq))) {
      return { resource: eq, convert: eq.convert };
    }
  }
  return undefined;
}

function selectorMatches(
  sel: LabelSelectorSpec | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return true;
  return structuredSelectorMatches(
    sel as Parameters<typeof structuredSelectorMatches>[0],
    labels ?? {},
  );
}

function isEmptySelector(sel: LabelSelectorSpec | undefined): boolean {
  return !sel ||
    (Object.keys(sel.matchLabels ?? {}).length === 0 &&
      (sel.matchExpressions ?? []).length === 0);
}

/**
 * Whether `match` selects the request; the matched resource when it does.
 * `requireRules` (policies): no resource rule matches nothing; bindings
 * without rules are not narrowed by resource.
 */
export function matches(
  match: MatchResources | undefined,
  req: MatchRequest,
  ctx: MatchContext,
  requireRules: boolean,
): MatchResult | undefined {
  if (!match) return requireRules ? undefined : { resource: req };
  const nsSel = match.namespaceSelector;
  if (!isEmptySelector(nsSel)) {
    if (req.group === "" && req.resource === "namespaces") {
      const o = req.object ?? req.oldObject;
      if (!selectorMatches(nsSel, o?.metadata.labels)) return undefined;
    } else if (req.namespace !== "") {
      if (!selectorMatches(nsSel, ctx.namespaceLabels())) return undefined;
    }
  }
  const objSel = match.objectSelector;
  if (!isEmptySelector(objSel)) {
    const a = req.object && selectorMatches(objSel, req.object.metadata.labels);
    const b = req.oldObject &&
      selectorMatches(objSel, req.oldObject.metadata.labels);
    if (!a && !b) return undefined;
  }
  const exclude = match.excludeResourceRules ?? [];
  if (
    exclude.length > 0 &&
    rulesMatch(exclude, match.matchPolicy, req, ctx) !== undefined
  ) {
    return undefined;
  }
  const rules = match.resourceRules ?? [];
  if (rules.length === 0) return requireRules ? undefined : { resource: req };
  return rulesMatch(rules, match.matchPolicy, req, ctx);
}
