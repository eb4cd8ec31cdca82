import { silentLogger } from "../../log/mod.ts";
import { runConformanceSuite } from "../../storage/testing/mod.ts";
import { memoryBackend } from "./mod.ts";

Deno.test("the memory backend conforms to the Store contract", async (t) => {
  await runConformanceSuite(t, {
    name: "memory",
    open: () => memoryBackend().open({}, { dataDir: "", logger: silentLogger }),
  });
});
