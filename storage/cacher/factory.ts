/**
 * `cachedStoreFactory`: wraps a backend's {@linkcode StoreFactory} so every
 * resource's store is a {@linkcode CachedStore}.
 *
 * @module
 */

import type { ResourceRef } from "../keys.ts";
import type { Store, StoreFactory } from "../store.ts";
import { CachedStore } from "./cached_store.ts";
import type { CacherOptions } from "./options.ts";

/**
 * A factory whose stores serve reads and watches from a watch cache over
 * `delegate`'s stores. `close()` stops every cache, then closes `delegate`.
 *
 * @example
 * ```ts
 * const factory = cachedStoreFactory(await memoryBackend().open({}, ctx));
 * const store = factory.storeFor({ resource: "configmaps" });
 * ```
 */
export function cachedStoreFactory(
  delegate: StoreFactory,
  opts: CacherOptions = {},
): StoreFactory {
  const stores = new Map<string, CachedStore>();
  let closed = false;
  return {
    storeFor(resource: ResourceRef): Store {
      const id = `${resource.group ?? ""}/${resource.resource}`;
      let store = stores.get(id);
      if (!store) {
        store = new CachedStore(delegate.storeFor(resource), opts);
        if (closed) void store.close();
        stores.set(id, store);
      }
      return store;
    },
    async readiness(): Promise<void> {
      await delegate.readiness();
      for (const s of stores.values()) await s.readiness();
    },
    currentRevision: () => delegate.currentRevision(),
    async compact(revision: number): Promise<void> {
      await delegate.compact(revision);
      for (const s of stores.values()) s.noteCompacted(revision);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...stores.values()].map((s) => s.close()));
      await delegate.close();
    },
  };
}
