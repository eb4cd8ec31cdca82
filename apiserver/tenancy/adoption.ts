/**
 * Adoption: clusters that exist in storage without a `VirtualCluster`
 * object — created implicitly by a path before clusters were declared, or
 * by a server in `implicit` mode — get one on start, so they stay served in
 * `declared` mode and can be listed and deleted. A cluster exists in storage
 * when it has a namespace (every bootstrapped cluster has its system
 * namespaces); the namespaces of all clusters are read once from the watch
 * cache, as keys (a list would not say which cluster an item is in).
 *
 * @module
 */

import {
  clusterFromKey,
  INITIAL_EVENTS_END_ANNOTATION,
  isStorageError,
  resourcePrefix,
  type Store,
} from "../../storage/mod.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { prepareCreate } from "../handlers/strategy.ts";
import { withTypeMeta } from "../handlers/context.ts";
import { virtualClusterKey } from "./directory.ts";
import { ROOT_CLUSTER } from "./types.ts";

/** Annotation on an adopted `VirtualCluster`. */
export const ADOPTED_ANNOTATION = "tenancy.hyperplane.dev/adopted";

/** Every cluster that has a namespace in `namespaces` (root included). */
export async function clustersInStorage(
  namespaces: Store,
  signal?: AbortSignal,
): Promise<Set<string>> {
  const found = new Set<string>();
  const stop = new AbortController();
  const w = await namespaces.watch(
    `${resourcePrefix(namespaces.resource)}clusters/`,
    {
      recursive: true,
      resourceVersion: "",
      sendInitialEvents: true,
      allowBookmarks: true,
      signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
    },
  );
  try {
    for await (const ev of w) {
      if (ev.type === "ERROR") throw new Error("namespaces watch failed");
      if (ev.type === "BOOKMARK") {
        if (
          ev.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] ===
            "true"
        ) break;
        continue;
      }
      const c = ev.key ? clusterFromKey(ev.key) : undefined;
      if (c) found.add(c);
    }
  } finally {
    w.stop();
    stop.abort();
  }
  return found;
}

/**
 * Creates a `VirtualCluster` for every cluster in storage that has none
 * (`known` says which have one); returns the adopted names.
 */
export async function adoptClusters(opts: {
  namespaces: Store;
  store: Store;
  def: ResourceDefinition;
  known(cluster: string): boolean;
  now(): Date;
  signal?: AbortSignal;
}): Promise<string[]> {
  const adopted: string[] = [];
  for (const cluster of await clustersInStorage(opts.namespaces, opts.signal)) {
    if (cluster === ROOT_CLUSTER || opts.known(cluster)) continue;
    if (opts.def.validateName?.(cluster, false).length) continue;
    const obj = prepareCreate(
      opts.def,
      withTypeMeta(opts.def, {
        metadata: {
          name: cluster,
          annotations: { [ADOPTED_ANNOTATION]: "true" },
        },
      }),
      opts.now(),
    );
    try {
      await opts.store.create(virtualClusterKey(cluster), obj);
      adopted.push(cluster);
    } catch (e) {
      if (!isStorageError(e, "KeyExists")) throw e;
    }
  }
  return adopted;
}
