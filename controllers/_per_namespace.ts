/**
 * The pattern shared by the service-account and root-CA controllers: one
 * named object in every active namespace of every cluster, created when
 * missing, repaired when changed, recreated when deleted.
 *
 * @module
 */

import type { KubeObject } from "../storage/mod.ts";
import {
  type ApiResource,
  hasStatusCause,
  isAlreadyExists,
  isConflict,
  isNotFound,
} from "./client/mod.ts";
import type { ControllerContext } from "./context.ts";
import { namespaceKey, splitNamespaceKey } from "./context.ts";
import { ALL_CLUSTERS, clusterOf } from "./client/mod.ts";
import {
  cacheKey,
  NAMESPACES_INFORMER,
  runWorkers,
  withoutManagedFields,
  WorkQueue,
} from "./runtime/mod.ts";

/** What one per-namespace ensurer keeps in place. */
export interface PerNamespaceSpec {
  /** Controller name (for logs). */
  controller: string;
  resource: Pick<ApiResource, "group" | "version" | "resource">;
  /** The object's name in every namespace. */
  name: string;
  /** The object to create in `namespace`. */
  desired(namespace: string): KubeObject;
  /** The repaired object, or `undefined` when `current` is fine. */
  repair?(current: KubeObject): KubeObject | undefined;
  /**
   * The object's view the informer keeps, given it without `managedFields`
   * (which nothing here reads): e.g. the expected content replaced by one
   * shared copy, so that every namespace of every cluster does not hold
   * its own decoded CA bundle. Must not change what `repair` decides.
   */
  compact?(obj: KubeObject): KubeObject;
  /**
   * Only whether the object exists matters (no `repair`): read the shared
   * metadata informer of the resource — with the garbage collector running,
   * its watch, so no stream of its own — instead of whole objects selected
   * by name.
   */
  existenceOnly?: boolean;
}

/** True when a namespace is being deleted. */
export function isTerminating(ns: KubeObject | undefined): boolean {
  if (!ns) return true;
  const phase = (ns.status as Record<string, unknown> | undefined)?.phase;
  return !!ns.metadata.deletionTimestamp || phase === "Terminating";
}

/** Runs the ensurer over every cluster until `signal` aborts. */
export async function runPerNamespace(
  ctx: ControllerContext,
  spec: PerNamespaceSpec,
  signal: AbortSignal,
): Promise<void> {
  const log = ctx.logger.with({ controller: spec.controller });
  const queue = new WorkQueue();
  const fieldSelector = `metadata.name=${spec.name}`;
  // Cross-cluster informers: their objects name their cluster.
  const namespaces = ctx.informers.informer(NAMESPACES_INFORMER);
  const compact = spec.compact;
  const target = { cluster: ALL_CLUSTERS, resource: spec.resource };
  const objects = spec.existenceOnly
    ? ctx.informers.informer({ target, metadataOnly: true })
    : ctx.informers.informer({
      target,
      fieldSelector,
      transform: {
        name: spec.controller,
        apply: compact
          ? (o) => compact(withoutManagedFields(o))
          : withoutManagedFields,
      },
    });
  const enqueue = (o: KubeObject, namespace: string | undefined) => {
    const cluster = clusterOf(o);
    if (ctx.clusters.accepts(cluster) && namespace) {
      queue.add(namespaceKey(cluster, namespace));
    }
  };
  const enqueueNs = (o: KubeObject) => enqueue(o, o.metadata.name);
  // A metadata informer holds every object of the resource: only ours count.
  const enqueueObj = (o: KubeObject) => {
    if (o.metadata.name === spec.name) enqueue(o, o.metadata.namespace);
  };
  namespaces.addHandler({
    onAdd: enqueueNs,
    onUpdate: (_, o) => enqueueNs(o),
  });
  objects.addHandler({
    onUpdate: (_, o) => enqueueObj(o),
    onDelete: enqueueObj,
  });

  const sync = async (key: string) => {
    const { cluster, namespace } = splitNamespaceKey(key);
    await namespaces.waitForSync(signal);
    await objects.waitForSync(signal);
    if (signal.aborted) return;
    if (isTerminating(namespaces.get(cacheKey(cluster, "", namespace)))) {
      return;
    }
    const target = {
      cluster,
      resource: spec.resource,
      namespace,
      name: spec.name,
    };
    const current = objects.get(cacheKey(cluster, namespace, spec.name));
    try {
      if (!current) {
        await ctx.client.create(target, spec.desired(namespace));
        log.debug("created", { cluster, namespace, name: spec.name });
        return;
      }
      const repaired = spec.repair?.(current);
      if (repaired) {
        await ctx.client.update(target, repaired);
        log.debug("repaired", { cluster, namespace, name: spec.name });
      }
    } catch (e) {
      // Already there (the informer lags), the namespace is gone or
      // terminating, or a concurrent change (the informer will bring the
      // new version and requeue): nothing to retry. Any other 403 (the
      // cluster's policy not in force yet) is retried, as upstream does.
      if (
        isAlreadyExists(e) || isNotFound(e) ||
        hasStatusCause(e, "NamespaceTerminating") || isConflict(e)
      ) {
        return;
      }
      throw e;
    }
  };

  const stop = () => queue.shutDown();
  signal.addEventListener("abort", stop, { once: true });
  try {
    await runWorkers(
      queue,
      ctx.workers ?? 4,
      sync,
      (item, error) => log.warn("sync failed", { item, error }),
    );
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
