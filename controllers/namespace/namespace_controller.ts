/**
 * The `namespace` controller: for a namespace being deleted, deletes every
 * namespaced object in it (every discovered kind, custom resources
 * included), reports progress in the namespace's conditions, and once it is
 * empty removes the `kubernetes` finalizer through `/finalize`, after which
 * the API server deletes the namespace.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { clusterOf, CORE, isConflict, isNotFound } from "../client/mod.ts";
import type { ControllerContext, ControllerDescriptor } from "../context.ts";
import { namespaceKey, splitNamespaceKey } from "../context.ts";
import {
  DiscoveryCache,
  NAMESPACES_INFORMER,
  onCrdChanges,
  runWorkers,
  WorkQueue,
} from "../runtime/mod.ts";
import {
  deletionConditions,
  mergeConditions,
  type NamespaceCondition,
} from "./conditions.ts";
import { deleteNamespaceContent } from "./deleter.ts";
import { rfc3339 } from "../../internal/time.ts";

/** The finalizer this controller owns (in `spec.finalizers`). */
export const KUBERNETES_FINALIZER = "kubernetes";

/** How long to wait before checking again on content that remains. */
const REMAINING_RECHECK_MS = 1_000;

function specFinalizers(ns: KubeObject): string[] {
  const f = (ns.spec as Record<string, unknown> | undefined)?.finalizers;
  return Array.isArray(f) ? f.map(String) : [];
}

/** Runs the namespace controller until `signal` aborts. */
export async function runNamespaceController(
  ctx: ControllerContext,
  signal: AbortSignal,
): Promise<void> {
  const log = ctx.logger.with({ controller: "namespace" });
  const queue = new WorkQueue();
  const discovery = new DiscoveryCache(ctx.client);
  // A namespace holding objects of a brand-new CRD must not be judged empty
  // from a discovery cached before the CRD was established.
  onCrdChanges(ctx.informers, (cluster) => discovery.invalidate(cluster));
  // A deleted cluster's discovery is not kept.
  ctx.clusters.onClusterGone((cluster) => discovery.invalidate(cluster));
  // One cross-cluster informer: its objects name their cluster.
  const informer = ctx.informers.informer(NAMESPACES_INFORMER);
  const enqueue = (ns: KubeObject) => {
    const cluster = clusterOf(ns);
    if (ns.metadata.deletionTimestamp && ctx.clusters.accepts(cluster)) {
      queue.add(namespaceKey(cluster, ns.metadata.name!));
    }
  };
  informer.addHandler({
    onAdd: enqueue,
    onUpdate: (old, ns) => {
      // Status-only changes (our own conditions) do not start a pass.
      if (
        old === ns || !old.metadata.deletionTimestamp ||
        JSON.stringify(old.spec) !== JSON.stringify(ns.spec) ||
        JSON.stringify(old.metadata.finalizers) !==
          JSON.stringify(ns.metadata.finalizers)
      ) {
        enqueue(ns);
      }
    },
  });

  const sync = async (key: string) => {
    const { cluster, namespace } = splitNamespaceKey(key);
    const target = { cluster, resource: CORE.namespaces, name: namespace };
    let ns: KubeObject;
    try {
      ns = await ctx.client.get(target);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata.deletionTimestamp) return;
    const uid = ns.metadata.uid;
    if (!specFinalizers(ns).includes(KUBERNETES_FINALIZER)) return;
    const started = performance.now();
    let found;
    let discoveryFailures: string[] = [];
    try {
      found = await discovery.get(cluster);
      discoveryFailures = found.failed;
    } catch (e) {
      discoveryFailures = [(e as Error).message];
    }
    const progress = await deleteNamespaceContent(
      ctx.client,
      cluster,
      namespace,
      found?.resources ?? [],
      log,
    );
    progress.discoveryFailures = discoveryFailures;
    const done = progress.discoveryFailures.length === 0 &&
      progress.contentFailures.length === 0 && progress.remaining.size === 0;
    ns = await updateConditions(
      ctx,
      cluster,
      ns,
      deletionConditions(progress),
    );
    if (!done) {
      log.debug("namespace content remains", {
        cluster,
        namespace,
        remaining: progress.remaining.size,
      });
      if (progress.contentFailures.length || discoveryFailures.length) {
        discovery.invalidate(cluster);
        throw new Error(
          [...discoveryFailures, ...progress.contentFailures].join("; "),
        );
      }
      queue.addAfter(key, REMAINING_RECHECK_MS);
      return;
    }
    await finalize(ctx, cluster, namespace, uid);
    log.info("namespace deleted", {
      cluster,
      namespace,
      ms: Math.round(performance.now() - started),
    });
  };

  const stop = () => queue.shutDown();
  signal.addEventListener("abort", stop, { once: true });
  try {
    await runWorkers(
      queue,
      ctx.workers ?? 5,
      sync,
      (item, error) => log.warn("namespace sync failed", { item, error }),
    );
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

async function updateConditions(
  ctx: ControllerContext,
  cluster: string,
  ns: KubeObject,
  next: NamespaceCondition[],
): Promise<KubeObject> {
  const status = (ns.status ?? {}) as Record<string, unknown>;
  const current = (status.conditions ?? []) as NamespaceCondition[];
  const merged = mergeConditions(current, next, rfc3339(new Date()));
  if (!merged) return ns;
  const updated = structuredClone(ns);
  updated.status = { ...status, conditions: merged };
  try {
    return await ctx.client.update({
      cluster,
      resource: CORE.namespaces,
      name: ns.metadata.name,
      subresource: "status",
    }, updated);
  } catch (e) {
    if (isConflict(e) || isNotFound(e)) return ns;
    throw e;
  }
}

async function finalize(
  ctx: ControllerContext,
  cluster: string,
  namespace: string,
  uid: string | undefined,
): Promise<void> {
  const target = { cluster, resource: CORE.namespaces, name: namespace };
  for (let attempt = 0; attempt < 5; attempt++) {
    let ns: KubeObject;
    try {
      ns = await ctx.client.get(target);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (ns.metadata.uid !== uid) return;
    const next = structuredClone(ns);
    next.spec = {
      ...(ns.spec as Record<string, unknown>),
      finalizers: specFinalizers(ns).filter((f) => f !== KUBERNETES_FINALIZER),
    };
    try {
      await ctx.client.update({ ...target, subresource: "finalize" }, next);
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
    }
  }
  throw new Error(`finalizing namespace ${namespace}: too many conflicts`);
}

/** The `namespace` controller. */
export const namespaceController: ControllerDescriptor = {
  name: "namespace",
  identity: "namespace-controller",
  requires: [{ group: "", resource: "namespaces" }],
  run: runNamespaceController,
};
