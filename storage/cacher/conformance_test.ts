import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { runConformanceSuite } from "../testing/mod.ts";
import { cachedStoreFactory } from "./mod.ts";
import { keyStampingFactory } from "./_key_stamping.ts";

Deno.test("the watch cache over the memory backend conforms to the Store contract", async (t) => {
  await runConformanceSuite(t, {
    name: "cacher(memory)",
    open: async () =>
      cachedStoreFactory(
        keyStampingFactory(
          await memoryBackend().open({}, {
            dataDir: "/tmp",
            logger: silentLogger,
          }),
        ),
      ),
  });
});
