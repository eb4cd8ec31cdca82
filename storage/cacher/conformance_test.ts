import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { LogStoreFactory } from "../log/mod.ts";
import type { StoreFactory } from "../store.ts";
import { runConformanceSuite, writeRawToLog } from "../testing/mod.ts";
import { CachedStore, cachedStoreFactory } from "./mod.ts";

Deno.test("the watch cache over the memory backend conforms to the Store contract", async (t) => {
  const stores: CachedStore[] = [];
  // The memory backend's factory (what memoryBackend().open builds), keeping
  // its log for the corrupt-object cases' raw writes.
  const logs = new WeakMap<StoreFactory, MemoryLog>();
  await runConformanceSuite(t, {
    name: "cacher(memory)",
    open: () => {
      const log = new MemoryLog({ logger: silentLogger });
      // Eager: in a server the controllers' informers start every cache.
      const factory = cachedStoreFactory(new LogStoreFactory(log), {
        eager: true,
      });
      const outer: StoreFactory = {
        ...factory,
        storeFor(resource) {
          const store = factory.storeFor(resource);
          if (store instanceof CachedStore) stores.push(store);
          return store;
        },
      };
      logs.set(outer, log);
      return Promise.resolve(outer);
    },
    writeRaw: (factory, key, text) =>
      writeRawToLog(logs.get(factory)!, key, text),
  });
  // The suite must have exercised the cache, not only the fallbacks.
  const total = {
    cache: { get: 0, list: 0, watch: 0 },
    backend: { get: 0, list: 0, watch: 0 },
  };
  for (const s of stores) {
    const served = s.served;
    for (const side of ["cache", "backend"] as const) {
      for (const op of ["get", "list", "watch"] as const) {
        total[side][op] += served[side][op];
      }
    }
  }
  console.log("served", JSON.stringify(total));
  assert.ok(
    total.cache.get > 0 && total.cache.list > 0 && total.cache.watch > 0,
  );
});
