/**
 * The `clusterrole-aggregation` controller: every ClusterRole with an
 * `aggregationRule` has as `rules` the union of the rules of the ClusterRoles
 * its selectors pick in the same cluster (see {@linkcode aggregatedRules}).
 * A ClusterRole change requeues the aggregated ClusterRoles of its cluster
 * whose selectors pick it (by its labels before or after the change) and
 * the role itself when it aggregates; a changed aggregated role is such a
 * change in turn, which carries chains of aggregation along. (Upstream
 * requeues every aggregated role of the cluster on any change: each of a
 * new cluster's 22 bootstrap roles requeued all of its aggregated roles.)
 *
 * Its informer keeps a ClusterRole without `managedFields`, and its `rules`
 * and `aggregationRule` as one shared frozen copy per distinct content
 * (`internal/json_interner.ts`): every virtual cluster holds the same
 * bootstrap roles, 30 KiB decoded per cluster otherwise. Like upstream it
 * writes only `rules`, by server-side apply under its own field manager with
 * `force`, and falls back to an update when the server refuses apply (415).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  ALL_CLUSTERS,
  apiVersionOf,
  clusterOf,
  isApiCode,
  isConflict,
  isNotFound,
  type Target,
  targetPath,
} from "../client/mod.ts";
import type { ControllerContext, ControllerDescriptor } from "../context.ts";
import { type LabelMatcher, labelSelectorMatcher } from "./label_selector.ts";
import {
  type InformerTransform,
  runWorkers,
  shareMetadata,
  WorkQueue,
} from "../runtime/mod.ts";
import { JsonInterner } from "../../internal/json_interner.ts";
import {
  aggregatedRules,
  type AggregationRule,
  aggregationRuleOf,
  type PolicyRule,
  rulesOf,
  sameRules,
} from "./aggregate.ts";

/** The controller's name, as upstream's (`--controllers`). */
export const CLUSTERROLE_AGGREGATION = "clusterrole-aggregation";

/** The field manager of its applies, as upstream's. */
export const FIELD_MANAGER = "clusterrole-aggregation-controller";

/** `rbac.authorization.k8s.io/v1` `clusterroles`. */
export const CLUSTER_ROLES = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource: "clusterroles",
} as const;

function roleKey(cluster: string, name: string): string {
  return `${cluster}/${name}`;
}

function splitRoleKey(key: string): { cluster: string; name: string } {
  const i = key.indexOf("/");
  return { cluster: key.slice(0, i), name: key.slice(i + 1) };
}

/** Whether a change can alter any aggregation (not a resync or a status-like write). */
function aggregationInputsChanged(old: KubeObject, obj: KubeObject): boolean {
  if (old === obj) return false;
  return JSON.stringify(old.metadata.labels ?? {}) !==
      JSON.stringify(obj.metadata.labels ?? {}) ||
    // Shared rule lists (the informer's view) are the same content.
    (rulesOf(old) !== rulesOf(obj) && !sameRules(rulesOf(old), rulesOf(obj))) ||
    JSON.stringify(old.aggregationRule ?? null) !==
      JSON.stringify(obj.aggregationRule ?? null);
}

/**
 * The informer's view of a ClusterRole: no `managedFields`; `rules` and
 * `aggregationRule` shared with every role of the same content, labels,
 * annotations, names and creation time with every informer view holding
 * the same ones (`shareMetadata`: every cluster's bootstrap roles repeat a
 * few).
 */
export function compactClusterRoles(values: JsonInterner): InformerTransform {
  return {
    name: "clusterrole-aggregation",
    keepsMetadata: true,
    apply(role) {
      const { managedFields: _, ...metadata } = role.metadata ?? {};
      const out: KubeObject = { ...role, metadata: shareMetadata(metadata) };
      if (Array.isArray(role.rules)) out.rules = values.intern(role.rules);
      const rule = aggregationRuleOf(role);
      if (rule) out.aggregationRule = values.intern(rule);
      return out;
    },
  };
}

/**
 * True when `rule` picks a role labelled `labels` (or cannot tell: a
 * selector it cannot parse, which the sync reports). `matchers` keeps each
 * rule's compiled selectors (shared rules: one entry).
 */
function picks(
  matchers: WeakMap<AggregationRule, LabelMatcher[]>,
  rule: AggregationRule,
  labels: Record<string, string> | undefined,
): boolean {
  try {
    let m = matchers.get(rule);
    if (!m) {
      m = (rule.clusterRoleSelectors ?? []).map(labelSelectorMatcher);
      matchers.set(rule, m);
    }
    return m.some((matches) => matches(labels));
  } catch {
    return true;
  }
}

/** Runs the clusterrole-aggregation controller until `signal` aborts. */
export async function runClusterRoleAggregationController(
  ctx: ControllerContext,
  signal: AbortSignal,
): Promise<void> {
  const log = ctx.logger.with({ controller: CLUSTERROLE_AGGREGATION });
  const queue = new WorkQueue();
  // One cross-cluster informer; each cluster's roles are indexed apart so a
  // sync reads only its own cluster.
  const informer = ctx.informers.informer({
    target: { cluster: ALL_CLUSTERS, resource: CLUSTER_ROLES },
    transform: compactClusterRoles(new JsonInterner()),
  });
  const byCluster = new Map<string, Map<string, KubeObject>>();
  const matchers = new WeakMap<AggregationRule, LabelMatcher[]>();

  /** Queues the aggregated roles of `cluster` that pick `changed`. */
  const enqueueAffected = (
    cluster: string,
    changed: KubeObject,
    old?: KubeObject,
  ) => {
    for (const role of byCluster.get(cluster)?.values() ?? []) {
      const rule = aggregationRuleOf(role);
      if (!rule) continue;
      if (
        role.metadata.name === changed.metadata.name ||
        picks(matchers, rule, changed.metadata.labels) ||
        (old !== undefined && picks(matchers, rule, old.metadata.labels))
      ) {
        queue.add(roleKey(cluster, role.metadata.name!));
      }
    }
  };
  const observe = (role: KubeObject, deleted: boolean, old?: KubeObject) => {
    const cluster = clusterOf(role);
    if (!ctx.clusters.accepts(cluster)) return;
    let roles = byCluster.get(cluster);
    if (deleted) {
      roles?.delete(role.metadata.name!);
      if (roles?.size === 0) byCluster.delete(cluster);
    } else {
      if (!roles) byCluster.set(cluster, roles = new Map());
      roles.set(role.metadata.name!, role);
    }
    enqueueAffected(cluster, role, old);
  };
  informer.addHandler({
    onAdd: (role) => observe(role, false),
    onUpdate: (old, role) => {
      const cluster = clusterOf(role);
      if (!aggregationInputsChanged(old, role)) {
        // Keep the newest copy (its resourceVersion) without a requeue.
        if (ctx.clusters.accepts(cluster)) {
          byCluster.get(cluster)?.set(role.metadata.name!, role);
        }
        return;
      }
      observe(role, false, old);
    },
    onDelete: (role) => observe(role, true),
  });

  const sync = async (key: string) => {
    await informer.waitForSync(signal);
    if (signal.aborted) return;
    const { cluster, name } = splitRoleKey(key);
    const roles = byCluster.get(cluster);
    const role = roles?.get(name);
    if (!roles || !role || !aggregationRuleOf(role)) return;
    const rules = aggregatedRules(role, roles.values());
    if (sameRules(rules, rulesOf(role))) return;
    try {
      await writeRules(
        ctx,
        { cluster, resource: CLUSTER_ROLES, name },
        role,
        rules,
      );
      log.debug("aggregated rules", { cluster, name, rules: rules.length });
    } catch (e) {
      // Gone, or changed meanwhile: the informer brings the news and a requeue.
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  };

  const stop = () => queue.shutDown();
  signal.addEventListener("abort", stop, { once: true });
  try {
    await runWorkers(
      queue,
      ctx.workers ?? 5,
      sync,
      (item, error) => log.warn("clusterrole sync failed", { item, error }),
    );
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

/** Writes `rules` alone: apply as upstream, update when apply is refused. */
async function writeRules(
  ctx: ControllerContext,
  target: Target,
  current: KubeObject,
  rules: PolicyRule[],
): Promise<void> {
  const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: "true" });
  try {
    const res = await ctx.client.request(
      "PATCH",
      `${targetPath(target)}?${q}`,
      {
        apiVersion: apiVersionOf(CLUSTER_ROLES),
        kind: "ClusterRole",
        metadata: { name: target.name },
        rules,
      },
      { contentType: "application/apply-patch+yaml" },
    );
    await res.body?.cancel();
    return;
  } catch (e) {
    if (!isApiCode(e, 415)) throw e;
  }
  const next = structuredClone(current);
  next.rules = rules;
  await ctx.client.update(target, next);
}

/** The `clusterrole-aggregation` controller. */
export const clusterRoleAggregationController: ControllerDescriptor = {
  name: CLUSTERROLE_AGGREGATION,
  identity: "clusterrole-aggregation-controller",
  requires: [{ group: "rbac.authorization.k8s.io", resource: "clusterroles" }],
  run: runClusterRoleAggregationController,
};
