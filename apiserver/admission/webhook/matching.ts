/**
 * Which webhooks a write goes to, as upstream's `generic.Webhook.ShouldCallHook`
 * decides before any CEL runs: the `rules` (operation, API group, version,
 * resource and subresource with `*`, `res/*`, `*\/sub`, scope), with
 * `matchPolicy: Equivalent` trying the same resource in the cluster's other
 * served versions, then `namespaceSelector` (the namespace's labels; a
 * Namespace matches on its own labels; other cluster-scoped objects always
 * match) and `objectSelector` (the new or the old object's labels).
 *
 * @module
 */

import type { AdmissionAttributes } from "../admission.ts";
import { structuredSelectorMatches } from "../../authz/rbac/mod.ts";
import type { StructuredLabelSelector } from "../../authz/rbac/mod.ts";
import type { Gvk, Gvr, Webhook, WebhookRule } from "./types.ts";

/** Where a matched webhook is sent the object: the rule's kind and resource. */
export interface Invocation {
  resource: Gvr;
  subresource: string;
  kind: Gvk;
}

/** Another served version of the request's group and resource. */
export interface EquivalentResource {
  version: string;
  kind: string;
}

const NAMESPACES: Gvr = { group: "", version: "v1", resource: "namespaces" };

function isNamespaceRequest(attrs: AdmissionAttributes): boolean {
  return attrs.group === NAMESPACES.group && attrs.resource === "namespaces";
}

function inList(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === "*" || v === value);
}

/** Upstream's `rules.Matcher` for one rule and one resource view. */
export function ruleMatches(
  rule: WebhookRule,
  attrs: AdmissionAttributes,
  gvr: Gvr = {
    group: attrs.group,
    version: attrs.version,
    resource: attrs.resource,
  },
): boolean {
  const isNs = isNamespaceRequest(attrs);
  switch (rule.scope ?? "*") {
    case "Namespaced":
      if (isNs || attrs.namespace === "") return false;
      break;
    case "Cluster":
      if (!isNs && attrs.namespace !== "") return false;
      break;
  }
  if (!inList(rule.operations, attrs.operation)) return false;
  if (!inList(rule.apiGroups, gvr.group)) return false;
  if (!inList(rule.apiVersions, gvr.version)) return false;
  for (const r of rule.resources ?? []) {
    const slash = r.indexOf("/");
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? "" : r.slice(slash + 1);
    if (
      (res === "*" || res === gvr.resource) &&
      (sub === "*" || sub === attrs.subresource)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The invocation of `hook` for the write, or `undefined` when its rules do
 * not match (exactly, or — under `Equivalent` — in another served version
 * listed by `equivalents`).
 */
export function matchRules(
  hook: Webhook,
  attrs: AdmissionAttributes,
  equivalents: () => readonly EquivalentResource[] = () => [],
): Invocation | undefined {
  const rules = hook.rules ?? [];
  const exact: Gvr = {
    group: attrs.group,
    version: attrs.version,
    resource: attrs.resource,
  };
  if (rules.some((r) => ruleMatches(r, attrs, exact))) {
    return {
      resource: exact,
      subresource: attrs.subresource,
      kind: { group: attrs.group, version: attrs.version, kind: attrs.kind },
    };
  }
  if ((hook.matchPolicy ?? "Equivalent") !== "Equivalent") return undefined;
  // Only a rule that would match in some version makes equivalents worth
  // listing (the common case is a rule for another resource).
  const anyVersion = (r: WebhookRule) =>
    ruleMatches({ ...r, apiVersions: ["*"] }, attrs, exact);
  if (!rules.some(anyVersion)) return undefined;
  for (const eq of equivalents()) {
    if (eq.version === attrs.version) continue;
    const gvr = { ...exact, version: eq.version };
    if (rules.some((r) => ruleMatches(r, attrs, gvr))) {
      return {
        resource: gvr,
        subresource: attrs.subresource,
        kind: { group: attrs.group, version: eq.version, kind: eq.kind },
      };
    }
  }
  return undefined;
}

function isEmpty(sel: StructuredLabelSelector | undefined): boolean {
  return !sel ||
    (Object.keys(sel.matchLabels ?? {}).length === 0 &&
      (sel.matchExpressions ?? []).length === 0);
}

/** `objectSelector`: the new or the old object's labels match. */
export function objectSelectorMatches(
  hook: Webhook,
  attrs: AdmissionAttributes,
): boolean {
  const sel = hook.objectSelector;
  if (isEmpty(sel)) return true;
  return (attrs.object !== undefined &&
    structuredSelectorMatches(sel!, attrs.object.metadata.labels ?? {})) ||
    (attrs.oldObject !== undefined &&
      structuredSelectorMatches(sel!, attrs.oldObject.metadata.labels ?? {}));
}

/**
 * `namespaceSelector`: `namespaceLabels` reads the labels of the write's
 * namespace (it throws the 404 of a missing one). A Namespace matches on its
 * own labels; other cluster-scoped objects always match.
 */
export async function namespaceSelectorMatches(
  hook: Webhook,
  attrs: AdmissionAttributes,
  namespaceLabels: (name: string) => Promise<Record<string, string>>,
): Promise<boolean> {
  const sel = hook.namespaceSelector;
  if (isEmpty(sel)) return true;
  if (isNamespaceRequest(attrs) && attrs.subresource === "") {
    const ns = attrs.object ?? attrs.oldObject;
    return structuredSelectorMatches(sel!, ns?.metadata.labels ?? {});
  }
  if (attrs.namespace === "") return true;
  return structuredSelectorMatches(
    sel!,
    await namespaceLabels(attrs.namespace),
  );
}
