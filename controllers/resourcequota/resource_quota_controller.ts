/**
 * The `resourcequota` controller (upstream's name; identity
 * `resourcequota-controller`): keeps every ResourceQuota's `status.hard`
 * equal to `spec.hard` and `status.used` exact. A quota is recalculated
 * when it appears, when its `spec.hard` changes, after a delete of an
 * object of a kind it counts in its namespace, and by a periodic full
 * resync (default every 5 minutes: corrects charges of creates that failed
 * after admission). Usage is counted by listing the namespace's objects of
 * each counted kind; the status is written with the quota's
 * resourceVersion, so a concurrent admission charge makes the write
 * conflict and the quota is recalculated.
 *
 * Lowering `used` is where upstream can over-admit: a create charged by
 * admission but not stored yet is not in the list. Before it lowers a
 * count this controller waits `settleMs` and recounts; the write then
 * still carries the first read's resourceVersion, so any charge in between
 * conflicts. Only a create that stays between its charge and its store
 * longer than `settleMs` can still be missed.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import {
  ALL_CLUSTERS,
  type ApiResource,
  clusterOf,
  isConflict,
  isNotFound,
  type Target,
} from "../client/mod.ts";
import type { ControllerContext, ControllerDescriptor } from "../context.ts";
import {
  DiscoveryCache,
  runWorkers,
  sleep,
  WorkQueue,
} from "../runtime/mod.ts";
import {
  equalLists,
  type GroupResource,
  resourceListOf,
} from "../../apiserver/admission/quota/mod.ts";
import { desiredStatus, lowers } from "./usage.ts";

/** The controller's name, as upstream's (`--controllers`). */
export const RESOURCE_QUOTA_CONTROLLER = "resourcequota";

/** `core/v1` `resourcequotas`. */
export const RESOURCE_QUOTAS = {
  group: "",
  version: "v1",
  resource: "resourcequotas",
} as const;

/** Timings of the controller. */
export interface ResourceQuotaOptions {
  /** Full recalculation of every quota this often (default 5 minutes, upstream's `--resource-quota-sync-period`). */
  resyncMs?: number;
  /** How long a lowering waits for charged creates to land (default 1 s). */
  settleMs?: number;
}

type QuotaKey = { cluster: string; namespace: string; name: string };

function keyOf(k: QuotaKey): string {
  return JSON.stringify([k.cluster, k.namespace, k.name]);
}

function parseKey(key: string): QuotaKey {
  const [cluster, namespace, name] = JSON.parse(key) as string[];
  return { cluster, namespace, name };
}

function specHard(q: KubeObject): string {
  return JSON.stringify((q.spec as Record<string, unknown>)?.hard ?? {});
}

function statusHard(q: KubeObject): string {
  return JSON.stringify((q.status as Record<string, unknown>)?.hard ?? {});
}

/** Runs the controller until `signal` aborts. */
export async function runResourceQuotaController(
  ctx: ControllerContext,
  signal: AbortSignal,
  opts: ResourceQuotaOptions = {},
): Promise<void> {
  const resyncMs = opts.resyncMs ?? 5 * 60_000;
  const settleMs = opts.settleMs ?? 1_000;
  const log = ctx.logger.with({ controller: RESOURCE_QUOTA_CONTROLLER });
  const queue = new WorkQueue();
  const discovery = new DiscoveryCache(ctx.client);
  // A deleted cluster's discovery is not kept.
  ctx.clusters.onClusterGone((cluster) => discovery.invalidate(cluster));
  const quotas = ctx.informers.informer({
    target: { cluster: ALL_CLUSTERS, resource: RESOURCE_QUOTAS },
  });
  // cluster/namespace → names of its quotas, for requeues after deletes.
  const byNamespace = new Map<string, Set<string>>();
  // group/resource → the informer telling about deletes of that kind.
  const watched = new Set<string>();

  const nsKey = (cluster: string, namespace: string) =>
    JSON.stringify([cluster, namespace]);
  const enqueue = (q: KubeObject) => {
    const cluster = clusterOf(q);
    if (!ctx.clusters.accepts(cluster)) return;
    queue.add(keyOf({
      cluster,
      namespace: q.metadata.namespace!,
      name: q.metadata.name!,
    }));
  };
  const track = (q: KubeObject, present: boolean) => {
    const cluster = clusterOf(q);
    if (!ctx.clusters.accepts(cluster)) return;
    const k = nsKey(cluster, q.metadata.namespace!);
    let names = byNamespace.get(k);
    if (present) {
      if (!names) byNamespace.set(k, names = new Set());
      names.add(q.metadata.name!);
    } else {
      names?.delete(q.metadata.name!);
      if (names?.size === 0) byNamespace.delete(k);
    }
  };
  quotas.addHandler({
    onAdd: (q) => {
      track(q, true);
      enqueue(q);
    },
    onUpdate: (old, q) => {
      track(q, true);
      // Admission's charges change only status.used: no recalculation.
      if (specHard(old) !== specHard(q) || specHard(q) !== statusHard(q)) {
        enqueue(q);
      }
    },
    onDelete: (q) => track(q, false),
  });

  const onObjectDeleted = (obj: KubeObject) => {
    const cluster = clusterOf(obj);
    const namespace = obj.metadata.namespace;
    if (!ctx.clusters.accepts(cluster) || !namespace) return;
    for (const name of byNamespace.get(nsKey(cluster, namespace)) ?? []) {
      queue.add(keyOf({ cluster, namespace, name }));
    }
  };
  /** Starts telling about deletes of `r` (once per kind). */
  const watchDeletes = (
    r: Pick<ApiResource, "group" | "version" | "resource">,
  ) => {
    const id = `${r.group}/${r.resource}`;
    if (watched.has(id)) return;
    watched.add(id);
    // Deletes need only the object's cluster and namespace: a metadata
    // informer (shared with the garbage collector's).
    ctx.informers.informer({
      target: { cluster: ALL_CLUSTERS, resource: r },
      metadataOnly: true,
    }).addHandler({ onDelete: onObjectDeleted });
  };

  const resolve = async (
    cluster: string,
    gr: GroupResource,
  ): Promise<ApiResource | undefined> => {
    const find = async () =>
      (await discovery.get(cluster)).resources.find((r) =>
        r.group === gr.group && r.resource === gr.resource &&
        r.verbs.includes("list")
      );
    let found = await find();
    if (!found) {
      // Maybe served since the cached discovery (a new CRD): ask again.
      discovery.invalidate(cluster);
      found = await find();
    }
    if (found) watchDeletes(found);
    return found;
  };

  const countIn =
    (cluster: string, namespace: string) =>
    async (gr: GroupResource): Promise<number> => {
      const r = await resolve(cluster, gr);
      if (!r) return 0;
      try {
        const page = await ctx.client.listAll({
          cluster,
          resource: r,
          namespace,
        });
        return page.items.length;
      } catch (e) {
        if (isNotFound(e)) return 0; // no longer served (discovery was stale)
        throw e;
      }
    };

  /** The quota as stored now (list: the controller's role has no `get`, as upstream). */
  const read = async (k: QuotaKey): Promise<KubeObject | undefined> => {
    const page = await ctx.client.list({
      cluster: k.cluster,
      resource: RESOURCE_QUOTAS,
      namespace: k.namespace,
    }, { fieldSelector: `metadata.name=${k.name}` });
    return page.items[0];
  };

  const sync = async (key: string) => {
    await quotas.waitForSync(signal);
    if (signal.aborted) return;
    const k = parseKey(key);
    let quota: KubeObject | undefined;
    try {
      quota = await read(k);
      if (!quota || quota.metadata.deletionTimestamp) return;
      const count = countIn(k.cluster, k.namespace);
      let status = await desiredStatus(quota, count);
      const current = (quota.status ?? {}) as Record<string, unknown>;
      if (lowers(current.used as Record<string, string>, status.used)) {
        // Let creates charged before our read reach storage, then recount.
        await sleep(settleMs, signal);
        if (signal.aborted) return;
        status = await desiredStatus(quota, count);
      }
      if (
        equalLists(resourceListOf(current.hard), resourceListOf(status.hard)) &&
        equalLists(resourceListOf(current.used), resourceListOf(status.used))
      ) return;
      const target: Target = {
        cluster: k.cluster,
        resource: RESOURCE_QUOTAS,
        namespace: k.namespace,
        name: k.name,
        subresource: "status",
      };
      await ctx.client.update(target, { ...quota, status });
      log.debug("quota recalculated", { ...k, used: status.used });
    } catch (e) {
      if (isNotFound(e)) return;
      // A charge (or any change) since our read: count again.
      if (isConflict(e)) return queue.add(key);
      throw e;
    }
  };

  const resyncAll = () => {
    for (const q of quotas.list()) enqueue(q);
  };
  const timer = setInterval(resyncAll, resyncMs);
  const stop = () => queue.shutDown();
  signal.addEventListener("abort", stop, { once: true });
  try {
    await runWorkers(
      queue,
      ctx.workers ?? 5,
      sync,
      (item, error) => log.warn("resource quota sync failed", { item, error }),
    );
  } finally {
    clearInterval(timer);
    signal.removeEventListener("abort", stop);
  }
}

/** The `resourcequota` controller with upstream's timings. */
export const resourceQuotaController: ControllerDescriptor = {
  name: RESOURCE_QUOTA_CONTROLLER,
  identity: "resourcequota-controller",
  requires: [{ group: "", resource: "resourcequotas" }],
  run: (ctx, signal) => runResourceQuotaController(ctx, signal),
};

/** The controller with other timings (tests). */
export function resourceQuotaControllerWith(
  opts: ResourceQuotaOptions,
): ControllerDescriptor {
  return {
    ...resourceQuotaController,
    run: (ctx, signal) => runResourceQuotaController(ctx, signal, opts),
  };
}
