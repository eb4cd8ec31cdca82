/**
 * A ResourceQuota's status as the controller computes it: `hard` is
 * `spec.hard`; `used` holds, for every object-count name of `hard`, the
 * number of objects of that kind in the quota's namespace (0 for a kind
 * the cluster does not serve, and for scoped quotas, which object counts
 * never match), and keeps the last value of names no evaluator covers
 * (`cpu`, `pods`: kinds hyperplane does not serve), as upstream.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  countedResource,
  type GroupResource,
  mask,
  type ResourceList,
  resourceListOf,
  toJsonMap,
} from "../../apiserver/admission/quota/mod.ts";
import { quantityOf } from "../../apiserver/validation/quantity.ts";

/** Counts the objects of one kind in a namespace. */
export type CountObjects = (gr: GroupResource) => Promise<number>;

function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : {};
}

/** The kinds `quota`'s `spec.hard` counts (each once). */
export function countedKinds(quota: KubeObject): GroupResource[] {
  const seen = new Map<string, GroupResource>();
  for (const name of Object.keys(rec(rec(quota.spec).hard))) {
    const gr = countedResource(name);
    if (gr) seen.set(`${gr.group}/${gr.resource}`, gr);
  }
  return [...seen.values()];
}

/** The status the quota should have. */
export async function desiredStatus(
  quota: KubeObject,
  count: CountObjects,
): Promise<{ hard: Record<string, string>; used: Record<string, string> }> {
  const spec = rec(quota.spec);
  const hard = resourceListOf(spec.hard);
  const scopes = Array.isArray(spec.scopes) ? spec.scopes : [];
  const exprs = rec(spec.scopeSelector).matchExpressions;
  const scoped = scopes.length > 0 ||
    (Array.isArray(exprs) && exprs.length > 0);
  const used: ResourceList = mask(
    resourceListOf(rec(quota.status).used),
    hard.keys(),
  );
  const counts = new Map<string, Promise<number>>();
  for (const name of hard.keys()) {
    const gr = countedResource(name);
    if (!gr) continue;
    const id = `${gr.group}/${gr.resource}`;
    if (!counts.has(id)) {
      counts.set(id, scoped ? Promise.resolve(0) : count(gr));
    }
    used.set(name, quantityOf(await counts.get(id)!));
  }
  return { hard: toJsonMap(hard), used: toJsonMap(used) };
}

/** True when some name of `next` is lower than in `current` (a release). */
export function lowers(
  current: Record<string, string> | undefined,
  next: Record<string, string>,
): boolean {
  const cur = resourceListOf(current);
  for (const [k, q] of resourceListOf(next)) {
    const c = cur.get(k);
    if (c && q.nano < c.nano) return true;
  }
  return false;
}
