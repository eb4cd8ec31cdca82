/**
 * Runs the backend conformance suite through the watch cache over any
 * backend, and checks afterwards that the cache itself served reads and
 * watches (not only the fallbacks to the backend).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type RawWriter, runConformanceSuite } from "../testing/mod.ts";
import type { Store, StoreFactory } from "../store.ts";
import { resourcePrefix } from "../keys.ts";
import { CachedStore } from "./cached_store.ts";
import { cachedStoreFactory } from "./factory.ts";

const WRITES = new Set([
  "create",
  "guaranteedUpdate",
  "delete",
  "deletePrefix",
]);

/**
 * `store`, whose writes return once its cache has seen them. Over a backend
 * without ordered progress (`watchProgressInOrder: false`, etcd before
 * 3.4.31 / 3.5.13) consistent reads skip the cache, so nothing else makes
 * the cache catch up before a case's next `resourceVersion: "0"` read —
 * which a cache may answer from an older state by design. The cases assume
 * read-your-writes at RV 0 (a backend gives it); as upstream's cacher tests,
 * the harness waits for the cache after each write instead.
 */
function caughtUpAfterWrites(store: Store): Store {
  const prefix = resourcePrefix(store.resource);
  const waitForCache = async () => {
    const revision = await store.currentRevision();
    // A list not older than `revision` waits until the cache has it.
    await store.list(prefix, {
      recursive: true,
      resourceVersion: String(revision),
    }).catch(() => {});
  };
  return new Proxy(store, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (!WRITES.has(String(prop))) return v.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await v.apply(target, args);
        } finally {
          await waitForCache();
        }
      };
    },
  });
}

/**
 * Runs every conformance case on `cachedStoreFactory(await open())`;
 * `writeRaw` (the backend's raw writer, `ConformanceOptions.writeRaw`) gets
 * the backend's own factory, not the cache's.
 */
export async function runCachedConformance(
  t: Deno.TestContext,
  name: string,
  open: () => Promise<StoreFactory>,
  writeRaw?: RawWriter,
): Promise<void> {
  const stores: CachedStore[] = [];
  const wrapped = new WeakMap<Store, Store>();
  const inner = new WeakMap<StoreFactory, StoreFactory>();
  await runConformanceSuite(t, {
    name: `cacher(${name})`,
    writeRaw: writeRaw &&
      ((factory, key, text) => writeRaw(inner.get(factory)!, key, text)),
    open: async () => {
      const backend = await open();
      // Eager: in a server the controllers' informers start every cache.
      const factory = cachedStoreFactory(backend, { eager: true });
      const outer: StoreFactory = {
        ...factory,
        storeFor(resource) {
          const store = factory.storeFor(resource);
          if (store instanceof CachedStore) stores.push(store);
          if (store.watchProgressInOrder !== false) return store;
          let w = wrapped.get(store);
          if (!w) wrapped.set(store, w = caughtUpAfterWrites(store));
          return w;
        },
      };
      inner.set(outer, backend);
      return outer;
    },
  });
  const total = {
    cache: { get: 0, list: 0, watch: 0 },
    backend: { get: 0, list: 0, watch: 0 },
  };
  for (const s of stores) {
    for (const side of ["cache", "backend"] as const) {
      for (const op of ["get", "list", "watch"] as const) {
        total[side][op] += s.served[side][op];
      }
    }
  }
  console.log(`cacher(${name}) served`, JSON.stringify(total));
  assert.ok(
    total.cache.get > 0 && total.cache.list > 0 && total.cache.watch > 0,
    `the cache over ${name} served nothing itself`,
  );
}
