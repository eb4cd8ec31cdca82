/**
 * One pass of namespace content deletion, as upstream's
 * `namespacedResourcesDeleter`: for every namespaced resource that can be
 * listed and deleted, a deletecollection in the namespace (or list + delete
 * where deletecollection is not served), then a count of what remains and
 * of the finalizers holding it.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import {
  type ApiClient,
  type ApiResource,
  isApiCode,
  isNotFound,
} from "../client/mod.ts";
import type { DeletionProgress } from "./conditions.ts";

/** The name a resource has in conditions (`configmaps`, `widgets.example.com`). */
export function resourceLabel(r: ApiResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** True when the deleter must empty `r` from a namespace. */
export function isDeletableContent(r: ApiResource): boolean {
  return r.namespaced && r.verbs.includes("list") &&
    (r.verbs.includes("delete") || r.verbs.includes("deletecollection"));
}

async function deleteContent(
  client: ApiClient,
  cluster: string,
  namespace: string,
  r: ApiResource,
): Promise<void> {
  const target = { cluster, resource: r, namespace };
  if (r.verbs.includes("deletecollection")) {
    try {
      await client.deleteCollection(target, {
        propagationPolicy: "Background",
      });
      return;
    } catch (e) {
      // Served but refused (405/404): fall back to one by one, as upstream.
      if (!isApiCode(e, 405) && !isNotFound(e)) throw e;
    }
  }
  const { items } = await client.listAll(target);
  for (const item of items) {
    if (item.metadata.deletionTimestamp) continue;
    try {
      await client.delete({ ...target, name: item.metadata.name }, {
        propagationPolicy: "Background",
        preconditions: { uid: item.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e) && !isApiCode(e, 409)) throw e;
    }
  }
}

function countRemaining(
  items: KubeObject[],
  label: string,
  p: DeletionProgress,
): void {
  if (items.length === 0) return;
  p.remaining.set(label, items.length);
  for (const item of items) {
    for (const f of item.metadata.finalizers ?? []) {
      p.finalizers.set(f, (p.finalizers.get(f) ?? 0) + 1);
    }
  }
}

/** Deletes what `resources` hold in `namespace` and reports what remains. */
export async function deleteNamespaceContent(
  client: ApiClient,
  cluster: string,
  namespace: string,
  resources: readonly ApiResource[],
  logger: Logger,
): Promise<DeletionProgress> {
  const progress: DeletionProgress = {
    discoveryFailures: [],
    contentFailures: [],
    remaining: new Map(),
    finalizers: new Map(),
  };
  const content = resources.filter(isDeletableContent);
  await Promise.all(content.map(async (r) => {
    const label = resourceLabel(r);
    try {
      await deleteContent(client, cluster, namespace, r);
      const { items } = await client.listAll({
        cluster,
        resource: r,
        namespace,
      });
      countRemaining(items, label, progress);
    } catch (e) {
      logger.warn("deleting namespace content failed", {
        cluster,
        namespace,
        resource: label,
        error: e,
      });
      progress.contentFailures.push(`${label}: ${(e as Error).message}`);
    }
  }));
  progress.contentFailures.sort();
  return progress;
}
