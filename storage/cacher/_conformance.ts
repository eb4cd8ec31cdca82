/**
 * Runs the backend conformance suite through the watch cache over any
 * backend, and checks afterwards that the cache itself served reads and
 * watches (not only the fallbacks to the backend).
 *
 * @module
 */

import assert from "node:assert/strict";
import { runConformanceSuite } from "../testing/mod.ts";
import type { StoreFactory } from "../store.ts";
import { CachedStore } from "./cached_store.ts";
import { cachedStoreFactory } from "./factory.ts";

/** Runs every conformance case on `cachedStoreFactory(await open())`. */
export async function runCachedConformance(
  t: Deno.TestContext,
  name: string,
  open: () => Promise<StoreFactory>,
): Promise<void> {
  const stores: CachedStore[] = [];
  await runConformanceSuite(t, {
    name: `cacher(${name})`,
    open: async () => {
      const factory = cachedStoreFactory(await open());
      return {
        ...factory,
        storeFor(resource) {
          const store = factory.storeFor(resource);
          if (store instanceof CachedStore) stores.push(store);
          return store;
        },
      };
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
