/**
 * The quota check of one create against one ResourceQuota, as upstream's
 * `CheckRequest` for object count evaluators: a quota applies when its
 * `status.hard` names a resource the create charges and it has no scopes
 * (object counts match no scope); its `status.used` must know those
 * resources; the charge must keep every one of them at or below hard.
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";
import {
  add,
  exceeded,
  mask,
  prettyPrint,
  type ResourceList,
  resourceListOf,
} from "./resource_list.ts";

/** A quota refuses the create; the message is upstream's. */
export class QuotaRefusal extends Error {}

/** What the check reads of a ResourceQuota. */
export interface QuotaView {
  name: string;
  hard: ResourceList;
  used: ResourceList;
  /** `spec.scopes` or `spec.scopeSelector` is set. */
  scoped: boolean;
}

function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : {};
}

/** The parts of a stored ResourceQuota the check needs. */
export function quotaView(obj: KubeObject): QuotaView {
  const spec = rec((obj as Record<string, unknown>).spec);
  const status = rec((obj as Record<string, unknown>).status);
  const scopes = Array.isArray(spec.scopes) ? spec.scopes : [];
  const exprs = rec(spec.scopeSelector).matchExpressions;
  return {
    name: obj.metadata.name ?? "",
    hard: resourceListOf(status.hard),
    used: resourceListOf(status.used),
    scoped: scopes.length > 0 || (Array.isArray(exprs) && exprs.length > 0),
  };
}

/** True when `quota` constrains a create that charges `delta`. */
export function applies(quota: QuotaView, delta: ResourceList): boolean {
  if (quota.scoped) return false;
  for (const k of quota.hard.keys()) if (delta.has(k)) return true;
  return false;
}

/**
 * The quota's `used` after charging `delta`, or `undefined` when the quota
 * does not apply; throws {@linkcode QuotaRefusal} when it is exceeded or
 * its usage is not known yet.
 */
export function charge(
  quota: QuotaView,
  delta: ResourceList,
): ResourceList | undefined {
  if (!applies(quota, delta)) return undefined;
  const restricted = [...quota.hard.keys()].filter((k) => delta.has(k)).sort();
  if (restricted.some((k) => !quota.used.has(k))) {
    throw new QuotaRefusal(
      `status unknown for quota: ${quota.name}, resources: ${
        restricted.join(",")
      }`,
    );
  }
  const requested = mask(delta, quota.hard.keys());
  const next = add(quota.used, requested);
  const over = exceeded(mask(next, requested.keys()), quota.hard);
  if (over.length > 0) {
    throw new QuotaRefusal(
      `exceeded quota: ${quota.name}, requested: ${
        prettyPrint(mask(requested, over))
      }, used: ${prettyPrint(mask(quota.used, over))}, limited: ${
        prettyPrint(mask(quota.hard, over))
      }`,
    );
  }
  return next;
}
