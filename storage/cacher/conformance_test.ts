import { MemoryLog } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { LogStoreFactory } from "../log/mod.ts";
import type { StoreFactory } from "../store.ts";
import { writeRawToLog } from "../testing/mod.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the memory backend conforms to the Store contract", async (t) => {
  // The memory backend's factory (what memoryBackend().open builds), keeping
  // its log for the corrupt-object cases' raw writes.
  const logs = new WeakMap<StoreFactory, MemoryLog>();
  await runCachedConformance(
    t,
    "memory",
    () => {
      const log = new MemoryLog({ logger: silentLogger });
      const backend = new LogStoreFactory(log);
      logs.set(backend, log);
      return Promise.resolve(backend);
    },
    (backend, key, text) => writeRawToLog(logs.get(backend)!, key, text),
  );
});
