import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import {
  runConformanceSuite,
  writeRawToLog,
} from "../../storage/testing/mod.ts";
import { MemoryLog } from "./mod.ts";

Deno.test("the memory backend conforms to the Store contract", async (t) => {
  // What memoryBackend().open builds, keeping the log for raw writes (the
  // corrupt-object cases store values below the store).
  const logs = new WeakMap<StoreFactory, MemoryLog>();
  await runConformanceSuite(t, {
    name: "memory",
    open: () => {
      const log = new MemoryLog({ logger: silentLogger });
      const factory = new LogStoreFactory(log);
      logs.set(factory, log);
      return Promise.resolve(factory);
    },
    writeRaw: (factory, key, text) =>
      writeRawToLog(logs.get(factory)!, key, text),
  });
});
